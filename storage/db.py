"""Database setup: one proxy, bound at start-up from DATABASE_URL."""

import threading
from contextlib import contextmanager
from pathlib import Path

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect, parse
from playhouse.migrations import Runner

db = DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
}
READS = ("SELECT", "PRAGMA")  # statements that need no turn at SQLite's write lock
# Any constant works; it only has to be the same for every instance of the app.
MIGRATION_LOCK_KEY = 0x10BB7


class SqliteTakingTurns(SqliteDatabase):
    """SQLite whose transactions queue for the write lock.

    A writer that finds SQLite's write lock taken sleeps in SQLite's busy handler (1,
    2, 5, 10, 15, 20, 25 ms ...) and often wakes to find the next transaction holding
    it: the outbox, between the runs, waited most of its time so. Here a transaction
    first takes its turn (a lock), handed over at its end to a writer already waiting:
    among a process's threads, and among processes given one SharedTurn
    (`take_turns_with`). A write outside a transaction takes its turn too (the outbox's
    records after a delivery): in SQLite's busy wait it would starve behind the runs.
    SQLite's busy timeout still covers every other writer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._turn = threading.Lock()
        self._holding = threading.local()

    def begin(self, lock_type=None):
        self._turn.acquire()
        self._holding.turn = True
        try:
            super().begin(lock_type)
        except BaseException:
            self._end_turn()
            raise

    def execute_sql(self, sql, params=None):
        if self.in_transaction() or sql.lstrip()[:6].upper() in READS:
            return super().execute_sql(sql, params)
        self._turn.acquire()
        try:
            return super().execute_sql(sql, params)
        finally:
            self._turn.release()

    def commit(self):
        try:
            super().commit()
        finally:
            self._end_turn()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._end_turn()

    def _end_turn(self) -> None:
        if getattr(self._holding, "turn", False):
            self._holding.turn = False
            self._turn.release()

    def take_turns_with(self, turn: "SharedTurn") -> None:
        """Queue for the write lock with the other processes that share `turn`, not only
        among this process's threads."""
        self._turn = turn


class SharedTurn:
    """A lock for several processes that its waiters get in the order they asked.

    A plain multiprocessing Lock is not fair: a process that releases it and asks
    again at once (the runs, one transaction after another) gets it back before a
    waiting process wakes, and the outbox starved while a backlog ran. A process that
    dies holding the turn keeps it: the web process then stops every worker anyway."""

    def __init__(self, context):
        self._changed = context.Condition(context.Lock())
        self._next_ticket = context.RawValue("q", 0)
        self._serving = context.RawValue("q", 0)

    def acquire(self) -> None:
        with self._changed:
            ticket = self._next_ticket.value
            self._next_ticket.value += 1
            self._changed.wait_for(lambda: self._serving.value == ticket)

    def release(self) -> None:
        with self._changed:
            self._serving.value += 1
            self._changed.notify_all()


def take_turns_with(turn: SharedTurn) -> None:
    """The app's database, on SQLite: see SqliteTakingTurns.take_turns_with."""
    if isinstance(db.obj, SqliteTakingTurns):
        db.obj.take_turns_with(turn)


def init_db(url: str):
    """Bind the proxy to the database at `url` and apply pending migrations."""
    if url.startswith("sqlite"):
        # BEGIN IMMEDIATE: a transaction that reads then writes would otherwise fail
        # with "database is locked" instead of waiting for the busy timeout.
        database = SqliteTakingTurns(
            **parse(url), pragmas=SQLITE_PRAGMAS, check_same_thread=False, lock_type="IMMEDIATE"
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
