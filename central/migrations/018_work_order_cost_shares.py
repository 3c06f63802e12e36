"""A work order keeps the cost shares of its recipe's outputs as they were when it was made, so a
fact arriving after it is done settles it the same way whatever became of the recipe since."""

import json
from decimal import Decimal

import peewee as pw
from peewee_migrate import Migrator

VALUED = ("main", "co", "by")


def _backfill(database: pw.Database) -> None:
    """Give every work order its recipe's present shares: one statement per recipe."""
    shares: dict[int, dict[str, str]] = {}
    rows = database.execute_sql("SELECT recipe_id, item_id, kind, cost_share FROM recipe_output ORDER BY id")
    for recipe, item, kind, share in rows.fetchall():
        if kind in VALUED and share:
            shares.setdefault(recipe, {})[str(item)] = format(Decimal(share).scaleb(-6).normalize(), "f")  # stored in millionths
    param = database.param
    for recipe, by_item in shares.items():
        database.execute_sql(f"UPDATE work_order SET cost_shares = {param} WHERE recipe_id = {param}",
                             (json.dumps(by_item), recipe))


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add ``work_order.cost_shares`` and fill it."""

    migrator.add_fields('work_order', cost_shares=pw.TextField(null=True))
    migrator.run(_backfill, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop it again."""

    migrator.remove_fields('work_order', 'cost_shares')
