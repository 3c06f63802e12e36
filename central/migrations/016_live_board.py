"""The live board: an index for a station's latest event of a type, and change notices on PostgreSQL.

On PostgreSQL every write to a table the board shows sends ``NOTIFY shopfloor_board`` (one
per transaction, delivered at commit) so every web process learns of it whichever process
wrote; SQLite needs nothing (a web process asks it cheaply, ``PRAGMA data_version``).
"""

import peewee as pw
from peewee_migrate import Migrator

# The same list as central.changes.WATCHED (a migration keeps its own frozen copy).
WATCHED = ("work_order", "work_order_stage", "work_order_output", "event_record", "stop_mark", "reason_event",
           "station", "machine", "work_centre", "operator")
FUNCTION = """CREATE OR REPLACE FUNCTION shopfloor_board_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('shopfloor_board', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql"""


def _is_postgres(database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the index; on PostgreSQL the notify function and one statement trigger per watched table."""

    migrator.add_index('event_record', 'station', 'type', 'seq', unique=False)
    if not _is_postgres(database):
        return
    migrator.sql(FUNCTION)
    for table in WATCHED:
        migrator.sql(f'DROP TRIGGER IF EXISTS shopfloor_board ON "{table}"')
        migrator.sql(f'CREATE TRIGGER shopfloor_board AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                     f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION shopfloor_board_notify()')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the triggers and the index again."""

    if _is_postgres(database):
        for table in WATCHED:
            migrator.sql(f'DROP TRIGGER IF EXISTS shopfloor_board ON "{table}"')
        migrator.sql("DROP FUNCTION IF EXISTS shopfloor_board_notify()")
    migrator.drop_index('event_record', 'station', 'type', 'seq')
