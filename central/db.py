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
    # FULL: a commit is on disk before it returns, so an ack sent after it survives a power cut
    # (NORMAL in WAL mode may lose the last commits).
    "synchronous": "full",
    "busy_timeout": 10_000,
    "cache_size": -32_000,
}


class DatabaseError(Exception):
    """A database URL that cannot be used; the message says why."""


def open_database(url: str, pool: int = 0) -> pw.Database:
    """Open (but do not yet connect) the database named by ``url`` and bind the proxy to it.

    ``pool`` > 0, on PostgreSQL: keep up to that many connections open and hand them from request
    to request (peewee's pool; it checks each with ``SELECT 1`` as it hands it out, so one lost
    in a server restart is replaced, not used). A request finding all in use waits up to 10 s.
    """
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
        # IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers wait
        # their turn (busy_timeout) instead of failing when a read would turn into a write
        db = pw.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    elif scheme in ("postgres", "postgresql", "postgresext"):
        try:
            import psycopg2  # noqa: F401  (the driver peewee uses)
        except ImportError:
            raise DatabaseError("PostgreSQL needs the driver: pip install 'shopfloor[postgres]'") from None
        url = url.replace("postgres://", "postgresql://", 1)
        if pool > 0:
            db = connect(url.replace("://", "+pool://", 1), autorollback=False, max_connections=pool,
                         stale_timeout=300, timeout=10)
        else:
            db = connect(url, autorollback=False)
    else:
        raise DatabaseError(f"database URL {url!r}: scheme must be sqlite:// or postgresql://")
    database.initialize(db)
    return db


def lock_row(instance):
    """``instance`` read again with its row locked until the transaction ends (PostgreSQL).

    For state changes: a second request changing the same row waits and then sees the first
    one's result. SQLite needs no row lock: its transactions take the write lock at the start.
    """
    if not isinstance(database.obj, pw.PostgresqlDatabase):
        return instance
    model = type(instance)
    return model.select().where(model._meta.primary_key == instance._pk).for_update().get()


def in_ids(field, ids) -> pw.Expression:
    """``field IN (ids)`` for a list of row ids, written as literals.

    Peewee makes a bound parameter of each member, about 2.5 µs apiece: 1.3 ms for the 550 ids of
    a deep trace, more than the query. Ids are integers (``int`` refuses anything else), so they
    can be written into the statement as they are.
    """
    literal = ",".join(str(int(i)) for i in ids) or "NULL"  # IN (NULL) is true of no row
    return pw.Expression(field, pw.OP.IN, pw.SQL(f"({literal})"))


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
    # copy_expert is the driver's own call: the wrapper turns its errors into peewee's, as
    # execute_sql does (a deadlock or a lost connection is an OperationalError, a duplicate an
    # IntegrityError), so callers see one set of exceptions whichever way rows were written.
    with pw.__exception_wrapper__:
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


def durable_commits() -> list[str]:
    """Make sure a commit on this connection is on disk when it returns; what was wrong, to log.

    SQLite runs with ``synchronous=FULL`` (``SQLITE_PRAGMAS``). PostgreSQL needs
    ``synchronous_commit`` other than ``off`` (``on``, ``local``, ``remote_write`` and
    ``remote_apply`` all wait for the local WAL flush) and ``fsync`` on. A session whose
    server default is ``off`` is switched to ``on``; ``fsync = off`` cannot be mended from a
    session, so it is only reported. Call it after connecting.
    """
    if not isinstance(database.obj, pw.PostgresqlDatabase):
        return []
    problems = []
    setting = database.execute_sql("SHOW synchronous_commit").fetchone()[0]
    if setting == "off":
        database.execute_sql("SET synchronous_commit TO on")
        problems.append("PostgreSQL synchronous_commit is off on the server: this connection sets it "
                        "to on, so an ack is only sent for a commit that is on disk")
    if database.execute_sql("SHOW fsync").fetchone()[0] == "off":
        problems.append("PostgreSQL runs with fsync = off: a power cut can lose events central "
                        "has acknowledged; set fsync = on")
    return problems


def write_transaction():
    """A transaction that writes: on SQLite it takes the write lock at BEGIN (IMMEDIATE).

    A deferred SQLite transaction that read first and writes second fails outright when
    another writer committed in between; beginning IMMEDIATE makes the second writer wait
    (``busy_timeout``) and then read what the first one wrote.
    """
    if isinstance(database.obj, pw.SqliteDatabase):
        return database.atomic("IMMEDIATE")
    return database.atomic()
