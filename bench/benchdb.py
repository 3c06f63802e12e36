"""Fresh benchmark databases: a SQLite file or a PostgreSQL database, with the full schema."""
from __future__ import annotations

import os
import tempfile
from urllib.parse import urlparse, urlunparse

from central.db import database, open_database
from central.schema import migrate

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/shopfloor_bench"


def fresh(kind: str, pg_url: str = DEFAULT_PG) -> str:
    """Open an empty database of ``kind`` (sqlite or postgres) with every migration applied; returns its URL."""
    if kind == "sqlite":
        path = os.path.join(tempfile.mkdtemp(prefix="shopfloor-bench-"), "bench.db")
        url = f"sqlite:///{path}"
    else:
        _create_pg_database(pg_url)
        url = pg_url
    db = open_database(url)
    db.connect(reuse_if_open=True)
    if kind != "sqlite":
        for table in db.get_tables():
            db.execute_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    migrate()
    return url


def _create_pg_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def is_sqlite() -> bool:
    """True when the open database is SQLite."""
    import peewee as pw

    return isinstance(database.obj, pw.SqliteDatabase)


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load."""
    database.execute_sql("ANALYZE")


def stats(samples: list[float]) -> str:
    """Median and 95th percentile of durations in seconds, printed in milliseconds."""
    ordered = sorted(samples)
    median = ordered[len(ordered) // 2]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {median * 1000:8.2f} ms   p95 {p95 * 1000:8.2f} ms   (n={len(ordered)})"
