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


def test_genealogy_and_values_survive_the_move_to_linear_genealogy(tmp_path):
    """A database made by schema 004 (links as every input × every output, in ``batch_link``) is
    migrated: every batch's backward and forward trace and every value read the same afterwards."""
    import json
    from pathlib import Path

    from central import genealogy
    from central.models import Batch, WorkOrder, WorkOrderInput, WorkOrderOutput

    made = json.loads((Path(__file__).parent.parent / "fixtures" / "db" / "schema-004.json").read_text())
    db = open_database(f"sqlite:///{tmp_path}/made-by-004.db")
    db.connect()
    migrate(made["schema"])
    with db.atomic():
        db.execute_sql("PRAGMA defer_foreign_keys = ON")  # the rows reference each other; checked at commit
        for table, content in made["tables"].items():
            columns = ", ".join(f'"{c}"' for c in content["columns"])
            marks = ", ".join("?" for _ in content["columns"])
            for row in content["rows"]:
                db.execute_sql(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', row)
    migrate()
    assert "batch_link" not in db.get_tables()
    for key, before in made["traces"].items():
        code, direction = key.split()
        assert genealogy.trace(code, direction) == before, key
    assert {b.code: str(b.unit_cost) for b in Batch.select()} == made["values"]["batches"]
    assert {o.batch.code: str(o.value) for o in WorkOrderOutput.select()} == made["values"]["outputs"]
    assert {w.number: [str(w.input_cost), str(w.conversion_cost), str(w.output_value), str(w.scrap_loss),
                       str(w.variance)] for w in WorkOrder.select()} == made["values"]["work_orders"]
    links = len(made["tables"]["batch_link"]["rows"])
    assert WorkOrderInput.select().count() + WorkOrderOutput.select().count() < links
    db.close()


def _just_before(tmp_path, name: str):
    """A connected SQLite database with every migration before ``name`` applied, and no rows."""
    db = open_database(f"sqlite:///{tmp_path}/before-{name}.db")
    db.connect()
    migrate([m for m in sorted(router().todo) if m < name][-1])
    return db


def _items_and_recipe(db, items: list[tuple[int, str, str]]) -> None:
    """Items (id, code, unit) and recipe 1 making item 1, as an old schema holds them."""
    rows = ", ".join(f"({i}, '{code}', '{code}', '{unit}', 1, 'fifo', 0, 1, '2026-01-01')" for i, code, unit in items)
    db.execute_sql(f"INSERT INTO item (id, code, name, unit, batch_tracked, costing, last_cost, active, created_at) VALUES {rows}")
    db.execute_sql("INSERT INTO recipe (id, code, name, item_id, active, created_at) VALUES (1, 'R', 'r', 1, 1, '2026-01-01')")


def _done_work_order(db, n: int, settled_at: str = "NULL") -> None:
    db.execute_sql("INSERT INTO work_order (id, number, recipe_id, planned_qty, priority, status, created_at, input_cost, "
                   "conversion_cost, output_value, scrap_loss, variance, settled_at) "
                   f"VALUES ({n}, 'WO{n}', 1, 1000000, 5, 'done', '2026-01-01', 0, 0, 0, 0, 0, {settled_at})")


def test_events_logged_before_014_get_their_work_order_and_batch(tmp_path):
    """The event log's work order and batch columns are filled from the payloads already there."""
    import json

    db = _just_before(tmp_path, "014")
    rows = [("0d0c1b5e-0000-4000-8000-%012d" % n, data) for n, data in enumerate([
        {"work_order": "WO1", "batch": "F1", "qty": "2"}, {"batch": "C1", "template": "batch", "copies": 1},
        {"work_order": "WO1"}, {"machine": "M1"}])]
    for n, (event_id, data) in enumerate(rows):
        db.execute_sql(
            "INSERT INTO event_record (id, type, site, station, seq, at, operator, payload, received_at, flagged) "
            "VALUES (?, 'x', 'plant1', 'S01', ?, '2026-01-01 00:00:00', NULL, ?, '2026-01-01 00:00:00', 0)",
            (event_id.replace("-", ""), n, json.dumps({"data": data})))
    migrate()
    assert db.execute_sql("SELECT work_order, batch FROM event_record ORDER BY seq").fetchall() == [
        ("WO1", "F1"), (None, "C1"), ("WO1", None), (None, None)]
    db.close()


def test_work_orders_made_before_018_keep_their_recipe_shares(tmp_path):
    """Work orders already there get the cost shares their recipe has at the upgrade."""
    import json

    db = _just_before(tmp_path, "018")
    _items_and_recipe(db, [(1, "C", "pcs"), (2, "K", "kg"), (3, "W", "kg")])
    db.execute_sql("INSERT INTO recipe_output (recipe_id, item_id, kind, cost_share) VALUES "
                   "(1, 1, 'main', 87500000), (1, 2, 'by', 12500000), (1, 3, 'scrap', 0)")  # millionths of a percent
    _done_work_order(db, 1)
    migrate()
    (kept,), = db.execute_sql("SELECT cost_shares FROM work_order").fetchall()
    assert json.loads(kept) == {"1": "87.5", "2": "12.5"}
    db.close()


def test_stages_of_work_orders_settled_before_019_keep_their_rates(tmp_path):
    """Settled work orders' stages keep the work centre's rate at the upgrade; open ones keep none yet."""
    db = _just_before(tmp_path, "019")
    _items_and_recipe(db, [(1, "C", "pcs")])
    db.execute_sql("INSERT INTO work_centre (id, code, name, labour_rate, overhead_rate) VALUES (1, 'MIX', 'm', 500000, NULL)")
    for n, settled in ((1, "'2026-01-02'"), (2, "NULL")):
        _done_work_order(db, n, settled)
        db.execute_sql(f"INSERT INTO work_order_stage (work_order_id, seq, work_centre_id, standard_minutes) VALUES ({n}, 10, 1, 0)")
    migrate()
    assert db.execute_sql("SELECT work_order_id, rate FROM work_order_stage ORDER BY work_order_id").fetchall() == [
        (1, 500000), (2, None)]
    db.close()
