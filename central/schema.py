"""Schema migrations with peewee-migrate: a database made by any older version is upgraded in place.

Migration files live in ``central/migrations/`` (``NNN_name.py``) and define their own frozen
copies of the tables, so an old migration keeps working after the models move on. New ones are
generated from the models with ``shopfloor db makemigration NAME``.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from peewee_migrate import Router

from central.db import database

MIGRATE_DIR = Path(__file__).with_name("migrations")


def router() -> Router:
    """A peewee-migrate router bound to the open database."""
    return Router(database.obj, migrate_dir=MIGRATE_DIR, ignore=["basemodel"],
                  logger=logging.getLogger("shopfloor.migrate"))


def pending() -> list[str]:
    """Names of migrations not yet applied."""
    return list(router().diff)


def migrate(target: str | None = None) -> list[str]:
    """Apply every pending migration (or up to ``target``); returns the names applied."""
    r = router()
    todo = list(r.diff)
    if target is not None:
        todo = todo[: todo.index(target) + 1] if target in todo else []
    r.run(target) if target else r.run()
    return todo


def make_migration(name: str) -> str:
    """Write a new migration with what the models have and the migrations do not yet."""
    from central.models import ALL_MODELS

    r = router()
    return r.create(name, auto=ALL_MODELS) or ""


def unmigrated_changes() -> list[str]:
    """Model changes that no migration makes yet (empty when migrations and models agree)."""
    from peewee_migrate.auto import diff_many

    from central.models import ALL_MODELS

    r = router()
    migrator = r.migrator  # a property that builds a new migrator from the applied migrations
    for name in r.diff:
        r.run_one(name, migrator, fake=True)
    changes = diff_many(list(ALL_MODELS), list(migrator.orm), migrator=migrator)
    return _without_unchanged_indexes(changes)


_INDEX_CALL = re.compile(r"^migrator\.(drop|add)_index\((.*?)(?:, unique=(True|False))?\)$")


def _without_unchanged_indexes(changes: list[str]) -> list[str]:
    """Drop the drop_index/add_index pairs peewee-migrate emits for an index that did not change.

    Its index comparison compares peewee Field objects with ``!=``, which builds an expression
    (always true) instead of comparing, so every index looks changed. An index counts as
    unchanged when the database already has it with the same columns and uniqueness.
    """
    parsed = {c: _INDEX_CALL.match(c) for c in changes}
    adds = {m.group(2): m for m in parsed.values() if m and m.group(1) == "add"}
    drops = {m.group(2) for m in parsed.values() if m and m.group(1) == "drop"}
    unchanged = set()
    for args in drops & set(adds):
        table, *columns = [part.strip().strip("'\"") for part in args.split(",")]
        wanted_unique = adds[args].group(3) == "True"
        existing = {c.name for c in database.obj.get_columns(table)}
        columns = [c if c in existing else f"{c}_id" for c in columns]  # foreign keys name the field
        for index in database.obj.get_indexes(table):
            if index.columns == columns and bool(index.unique) == wanted_unique:
                unchanged.add(args)
    return [c for c in changes if not (parsed[c] and parsed[c].group(2) in unchanged)]
