"""Schema migrations with peewee-migrate: a database made by any older version is upgraded in place.

Migration files live in ``central/migrations/`` (``NNN_name.py``) and define their own frozen
copies of the tables, so an old migration keeps working after the models move on. New ones are
generated from the models with ``shopfloor db makemigration NAME``.
"""
from __future__ import annotations

import logging
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
