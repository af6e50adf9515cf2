"""Database setup: one proxy, bound at start-up from DATABASE_URL."""

from contextlib import contextmanager
from pathlib import Path

from peewee import DatabaseProxy, PostgresqlDatabase
from playhouse.db_url import connect
from playhouse.migrations import Runner

db = DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
}
# Any constant works; it only has to be the same for every instance of the app.
MIGRATION_LOCK_KEY = 0x10BB7


def init_db(url: str):
    """Bind the proxy to the database at `url` and apply pending migrations."""
    if url.startswith("sqlite"):
        # BEGIN IMMEDIATE: a transaction that reads then writes would otherwise fail
        # with "database is locked" instead of waiting for the busy timeout.
        database = connect(
            url, pragmas=SQLITE_PRAGMAS, check_same_thread=False, lock_type="IMMEDIATE"
        )
    else:
        database = connect(url)
    db.initialize(database)
    migrate(database)
    from storage.intake import init_intake  # it builds on the models, which need `db`

    init_intake(url, database)
    return database


def migrate(database) -> None:
    """Apply numbered migrations; on PostgreSQL one instance at a time."""
    with database.connection_context():
        if isinstance(database, PostgresqlDatabase):
            database.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        try:
            Runner(database, directory=str(MIGRATIONS_DIR)).up()
        finally:
            if isinstance(database, PostgresqlDatabase):
                database.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))


@contextmanager
def connected(database):
    """Use this thread's open connection to `database` if it has one, else open one for
    the block only. A thread that works in a loop (the intake's writer and runners)
    keeps its connection open between passes: opening one costs a PostgreSQL log-in,
    or on SQLite the pragmas, and closing the last one checkpoints the WAL."""
    if not database.is_closed():
        yield
        return
    with database.connection_context():
        yield
