"""Migrations: they build exactly what the models describe, and upgrade old databases in place."""
from central.db import open_database
from central.schema import migrate, router, unmigrated_changes


def test_every_model_change_has_a_migration(tmp_path):
    db = open_database(f"sqlite:///{tmp_path}/fresh.db")
    db.connect()
    migrate()
    assert unmigrated_changes() == [], "models differ from migrations: run `shopfloor db makemigration NAME`"
    from central.models import ALL_MODELS

    tables = set(db.get_tables())
    for model in ALL_MODELS:
        assert model._meta.table_name in tables
        columns = {c.name for c in db.get_columns(model._meta.table_name)}
        assert {f.column_name for f in model._meta.sorted_fields} <= columns, model.__name__
    db.close()


def test_a_database_made_by_the_first_schema_is_upgraded_in_place(tmp_path):
    db = open_database(f"sqlite:///{tmp_path}/old.db")
    db.connect()
    first = sorted(router().todo)[0]
    migrate(first)
    assert router().done == [first]
    db.execute_sql(
        "INSERT INTO \"user\" (username, password_hash, role, full_name, active, created_at) "
        "VALUES ('old-admin', 'scrypt:x', 'admin', 'Old', 1, '2026-01-01 00:00:00')")
    db.execute_sql(
        "INSERT INTO operator (badge, name, active, created_at) VALUES ('OP-1', 'Ann', 1, '2026-01-01 00:00:00')")
    applied = migrate()
    assert applied == sorted(router().todo)[1:]
    assert router().diff == []
    assert db.execute_sql("SELECT username FROM \"user\"").fetchall() == [("old-admin",)]
    assert db.execute_sql("SELECT badge, name FROM operator").fetchall() == [("OP-1", "Ann")]
    assert unmigrated_changes() == []
    db.close()
