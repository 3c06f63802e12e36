"""An ack is only sent for a commit that is on disk: what each database is asked to do."""
from __future__ import annotations

import pytest

from central.db import database, durable_commits
from tests.conftest import PG_URL


@pytest.mark.skipif(bool(PG_URL), reason="SQLite only")
def test_sqlite_syncs_every_commit(db):
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert durable_commits() == []


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
def test_postgresql_session_without_synchronous_commit_is_mended_and_reported(db):
    database.execute_sql("SET synchronous_commit TO off")
    problems = durable_commits()
    assert database.execute_sql("SHOW synchronous_commit").fetchone()[0] == "on"
    assert len(problems) == 1 and "synchronous_commit is off" in problems[0]
    assert durable_commits() == []  # now it is on


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
def test_postgresql_stronger_settings_are_kept(db):
    database.execute_sql("SET synchronous_commit TO remote_apply")
    assert durable_commits() == []
    assert database.execute_sql("SHOW synchronous_commit").fetchone()[0] == "remote_apply"
