"""The database: one peewee proxy, bound to a real database by the app factory or the CLI."""
from __future__ import annotations

import io
import os
from urllib.parse import urlparse

import peewee as pw
from playhouse.db_url import connect

database = pw.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10_000,
    "cache_size": -32_000,
}


class DatabaseError(Exception):
    """A database URL that cannot be used; the message says why."""


def open_database(url: str) -> pw.Database:
    """Open (but do not yet connect) the database named by ``url`` and bind the proxy to it."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in ("sqlite", "sqliteext"):
        path = url.split("://", 1)[1]
        if path in ("", "/"):
            raise DatabaseError(f"database URL {url!r} has no file path (sqlite:///path/to/file.db)")
        path = path[1:] if path.startswith("/") and not path.startswith("//") else path
        if path != ":memory:":
            parent = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(parent, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create folder {parent} for the database: {exc.strerror}") from None
        db = pw.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)
    elif scheme in ("postgres", "postgresql", "postgresext"):
        try:
            import psycopg2  # noqa: F401  (the driver peewee uses)
        except ImportError:
            raise DatabaseError("PostgreSQL needs the driver: pip install 'shopfloor[postgres]'") from None
        db = connect(url.replace("postgres://", "postgresql://", 1), autorollback=False)
    else:
        raise DatabaseError(f"database URL {url!r}: scheme must be sqlite:// or postgresql://")
    database.initialize(db)
    return db


def check_connection() -> None:
    """Connect once, turning driver errors into a one-line DatabaseError."""
    try:
        database.connect(reuse_if_open=True)
        database.execute_sql("SELECT 1")
    except pw.OperationalError as exc:
        raise DatabaseError(f"cannot open the database: {str(exc).strip().splitlines()[0]}") from None
    finally:
        if not database.is_closed():
            database.close()


_MAX_PARAMS = 900  # bound parameters per statement: under SQLite's historical limit of 999
COPY_FROM = 20  # rows from which PostgreSQL gets a COPY; fewer go faster as one INSERT


def insert_rows(model, field_names: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT ``rows`` (Python values in ``field_names`` order) into ``model``'s table in bulk.

    Values go through each field's ``db_value``. On PostgreSQL the rows are sent with one
    ``COPY ... FROM STDIN`` (from ``COPY_FROM`` rows: below, COPY's set-up costs more than it
    saves); otherwise as multi-row INSERTs whose SQL text is built once per
    chunk. For hundreds of rows either is several times faster than peewee's ``insert_many``,
    which builds an expression node for every value. The rows must be valid as they are:
    nothing else (defaults, signals) is applied. The database values may be text, numbers,
    dates and times, booleans and None (COPY's text format writes them with ``str``).
    """
    if not rows:
        return
    fields = [model._meta.fields[name] for name in field_names]
    converters = [_converter(f) for f in fields]
    quote = database.quote  # the pair of identifier quotes of this database, e.g. '""'
    table = model._meta.table_name.join(quote)
    columns = ", ".join(f.column_name.join(quote) for f in fields)
    if isinstance(database.obj, pw.PostgresqlDatabase) and len(rows) >= COPY_FROM:
        _copy_rows(f"COPY {table} ({columns}) FROM STDIN", converters, rows)
        return
    head = f"INSERT INTO {table} ({columns}) VALUES "
    one = "(" + ", ".join([database.param] * len(fields)) + ")"
    per_statement = max(1, _MAX_PARAMS // len(fields))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        params = [convert(value) for row in chunk for convert, value in zip(converters, row)]
        database.execute_sql(head + ", ".join([one] * len(chunk)), params)


def insert_dicts(model, rows: list[dict]) -> None:
    """``insert_rows`` for rows given as dicts by field name, missing fields taking their defaults.

    Every field but the auto-increment key is written, as ``Model.insert_many`` would.
    """
    if not rows:
        return
    fields = [f for f in model._meta.sorted_fields if not isinstance(f, pw.AutoField)]
    defaults = {f.name: f.default for f in fields}
    values = []
    for row in rows:
        out = []
        for f in fields:
            if f.name in row:
                value = row[f.name]
            else:
                value = defaults[f.name]() if callable(defaults[f.name]) else defaults[f.name]
            out.append(value.id if isinstance(value, pw.Model) else value)
        values.append(tuple(out))
    insert_rows(model, tuple(f.name for f in fields), values)


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy_rows(sql: str, converters: list, rows: list[tuple]) -> None:
    lines = ["\t".join([_copy_text(convert(value)) for convert, value in zip(converters, row)]) for row in rows]
    cursor = database.cursor()
    cursor.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))


def _converter(field):
    """``field.db_value``, short-cut for canonical UUID text (which UUIDField stores as 32 hex digits)."""
    target = getattr(field, "rel_field", None) or field
    if not isinstance(target, pw.UUIDField):
        return field.db_value
    slow = field.db_value

    def uuid_value(value):
        return value.replace("-", "").lower() if isinstance(value, str) and len(value) == 36 else slow(value)
    return uuid_value
