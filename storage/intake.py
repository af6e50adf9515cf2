"""The intake: every request Lobby acknowledged, kept until a worker has run it once.

Storage sees only a handler's name and an opaque JSON payload. On PostgreSQL the
intake is a table of the app's database. On SQLite it is a file of its own beside the
app's (`lobby.intake.db` beside `lobby.db`): recording a request then never waits for
a worker's transaction on the app's file, and SQLite's coarse busy-wait stays off the
ack's path.

A run's done mark (`IntakeDone`) is written in the app's database, in the transaction
of the run's effects, so a run counts as done exactly when its effects are committed.
A claim is a lease: a worker that dies leaves its items to be taken over when the
lease runs out (or at once by its own restart). A person's items run in the order
they arrived: an item waits while an earlier one of the same queue key is unsettled.
"""

from datetime import datetime, timedelta
from pathlib import Path

from peewee import (
    JOIN,
    CharField,
    DatabaseProxy,
    DateTimeField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    TextField,
    fn,
)
from playhouse.db_url import connect
from playhouse.migrations import Runner

from storage.models import BaseModel
from storage.statuses import IntakeStatus

intake_db = DatabaseProxy()
MIGRATIONS_DIR = Path(__file__).parent / "intake_migrations"
# Power loss must not lose an acknowledged request: each commit reaches the disk.
SQLITE_PRAGMAS = {"journal_mode": "wal", "busy_timeout": 10_000, "synchronous": "full"}
UNSETTLED = (IntakeStatus.PENDING, IntakeStatus.RUNNING)
# PostgreSQL: claims are taken one at a time (any constant shared by every instance).
CLAIM_LOCK_KEY = 0x1A7A4E


class IntakeItem(Model):
    key = CharField(unique=True)  # the done mark carries it
    handler = CharField()
    payload = TextField()  # JSON
    workspace_id = CharField()
    queue_key = CharField()  # items of one key run in order (one person's requests)
    received_at = DateTimeField()
    status = CharField(default=IntakeStatus.PENDING)
    attempts = IntegerField(default=0)
    not_before = DateTimeField()  # a retry waits until then
    claimed_by = CharField(null=True)
    lease_until = DateTimeField(null=True)
    last_error = TextField(null=True)

    class Meta:
        database = intake_db
        table_name = "intake_item"  # its indexes: intake_migrations/

    @classmethod
    def is_claimable(cls, now: datetime, table=None, *, by_id: bool = False):
        """Waiting and due, or claimed by a worker whose lease ran out.

        `by_id`: the status is compared as an expression, which no index serves, so
        that SQLite finds the items by id: walking them in id order to a LIMIT, or
        looking up a list of ids (with the status index it reads the whole backlog)."""
        table = table or cls
        status = table.status.concat("") if by_id else table.status
        waiting = (status == IntakeStatus.PENDING) & (table.not_before <= now)
        abandoned = (status == IntakeStatus.RUNNING) & (table.lease_until < now)
        return waiting | abandoned

    @classmethod
    def is_held(cls, now: datetime, table=None):
        """Unsettled but not claimable: claimed under a live lease, or a retry not yet
        due. Each side is an index search, so this never reads the whole backlog."""
        table = table or cls
        leased = (table.status == IntakeStatus.RUNNING) & (table.lease_until >= now)
        deferred = (table.status == IntakeStatus.PENDING) & (table.not_before > now)
        return leased | deferred

    @classmethod
    def backlog(cls):
        return cls.select().where(cls.status.in_(UNSETTLED))


class IntakeDone(BaseModel):
    """In the app's database: this item's effects are committed."""

    key = CharField(primary_key=True)
    done_at = DateTimeField()


def init_intake(url: str, app_database) -> object:
    """Bind the intake beside the app's database and apply its migrations."""
    if url.startswith("sqlite"):
        database = connect(
            intake_url(url), pragmas=SQLITE_PRAGMAS, check_same_thread=False, lock_type="IMMEDIATE"
        )
    else:
        database = app_database
    intake_db.initialize(database)
    with database.connection_context():
        Runner(database, str(MIGRATIONS_DIR), table_name="intake_schema_migration").up()
    return database


def intake_url(sqlite_url: str) -> str:
    """`sqlite:///dir/lobby.db` -> `sqlite:///dir/lobby.intake.db`."""
    stem, dot, suffix = sqlite_url.rpartition(".")
    return f"{stem}.intake.{suffix}" if dot and "/" not in suffix else f"{sqlite_url}.intake"


def connect_for_runs() -> bool:
    """Open (or reuse) this thread's intake connection for a runner; True when new.

    A runner's own writes to the intake (claims, and on SQLite the settling after a
    run) need not reach the disk at their commit: a lost claim only makes the item
    claimable again, and a lost settle is caught by `is_done` (the done mark commits
    with the run's effects in the app's database) before anything runs twice. So on
    SQLite a runner's connection commits with synchronous=NORMAL (WAL: durable at the
    next sync, never corrupt), and holds the intake file's write lock, which the web
    process's acks wait for, without an fsync. The acks' own commits stay FULL."""
    opened = intake_db.connect(reuse_if_open=True)
    if opened and not shares_app_database():
        intake_db.execute_sql("PRAGMA synchronous = NORMAL")
    return opened


def shares_app_database() -> bool:
    """True on PostgreSQL: the item can be settled in the run's own transaction."""
    return isinstance(intake_db.obj, PostgresqlDatabase)


def record(rows: list[dict]) -> None:
    """Store acknowledged requests (dicts of IntakeItem fields) in one transaction. A key
    already recorded is ignored: Slack's retries of an event carry its event id as key."""
    with intake_db.atomic():
        IntakeItem.insert_many(rows).on_conflict_ignore().execute()


def claim_batch(
    now: datetime, instance_id: str, lease: timedelta, *, limit: int, settle: list[int] = ()
) -> list[IntakeItem]:
    """Claim up to `limit` claimable items, oldest first, in one transaction, after
    settling as done the items `settle` names (on SQLite a run's intake row catches up
    here, not in a transaction of its own).

    A person's items go in order: an item is taken only when every earlier unsettled
    item of its queue is taken with it. As the oldest are taken first, that holds
    when none of them waits (claimed by someone, or a retry not yet due). The batch's
    runner runs them in id order. Claims are taken one at a time (SQLite's write
    lock; on PostgreSQL an advisory lock), so no two claimers split a queue."""
    waiting = IntakeItem.alias()
    first_waiting = (  # per queue: its earliest item that waits (claimed, or a retry)
        waiting.select(waiting.queue_key, fn.MIN(waiting.id).alias("id"))
        .where(IntakeItem.is_held(now, waiting))
        .group_by(waiting.queue_key)
        .alias("first_waiting")
    )
    oldest_unsettled = IntakeItem.select(fn.MIN(IntakeItem.id)).where(
        IntakeItem.status.in_(UNSETTLED)
    )
    due = (
        IntakeItem.select(IntakeItem.id)
        .join(first_waiting, JOIN.LEFT_OUTER, on=first_waiting.c.queue_key == IntakeItem.queue_key)
        .where(
            IntakeItem.id >= oldest_unsettled,
            IntakeItem.is_claimable(now, by_id=True),
            first_waiting.c.id.is_null() | (IntakeItem.id < first_waiting.c.id),
        )
        .order_by(IntakeItem.id)
        .limit(limit)
    )
    with intake_db.atomic():
        if shares_app_database():
            # See connect_for_runs: a claim need not wait for the WAL's flush; the
            # run's own commit flushes it anyway.
            intake_db.execute_sql("SET LOCAL synchronous_commit TO OFF")
            intake_db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CLAIM_LOCK_KEY,))
        if settle:
            _settle_many(settle, IntakeStatus.DONE)
        claimed = list(
            IntakeItem.update(
                status=IntakeStatus.RUNNING,
                claimed_by=instance_id,
                lease_until=now + lease,
                attempts=IntakeItem.attempts + 1,
            )
            .where(IntakeItem.id.in_(due), IntakeItem.is_claimable(now, by_id=True))
            .returning(IntakeItem)
            .execute()
        )
    return sorted(claimed, key=lambda item: item.id)


def release(items: list[IntakeItem]) -> None:
    """Hand back items of one claim unrun (an earlier item of their queue must run
    first); their claim does not count as an attempt. An item whose claim lapsed and
    was taken over is left to its new holder."""
    claim = items[0]
    with intake_db.atomic():
        IntakeItem.update(
            status=IntakeStatus.PENDING, claimed_by=None, attempts=IntakeItem.attempts - 1
        ).where(
            IntakeItem.id.in_([item.id for item in items]),
            IntakeItem.status == IntakeStatus.RUNNING,
            IntakeItem.claimed_by == claim.claimed_by,
            IntakeItem.lease_until == claim.lease_until,
        ).execute()


def mark_done(item: IntakeItem, now: datetime) -> None:
    """In the run's transaction on the app's database: its effects and this commit
    together. Raises IntegrityError when another worker already ran it."""
    IntakeDone.insert(key=item.key, done_at=now).execute()
    if shares_app_database():
        _settle(item, IntakeStatus.DONE, None)


def is_done(item: IntakeItem) -> bool:
    return IntakeDone.select().where(IntakeDone.key == item.key).exists()


def done_keys(items: list[IntakeItem]) -> set[str]:
    """Which of these items already ran (a worker died before settling them)."""
    keys = [item.key for item in items]
    return {done.key for done in IntakeDone.select(IntakeDone.key).where(IntakeDone.key.in_(keys))}


def settle_done(*items: IntakeItem) -> None:
    """After the runs committed (on SQLite, the intake's own file catches up)."""
    with intake_db.atomic():
        _settle_many([item.id for item in items], IntakeStatus.DONE)


def retry_later(item: IntakeItem, now: datetime, error: str, delay: timedelta) -> None:
    with intake_db.atomic():
        IntakeItem.update(
            status=IntakeStatus.PENDING, claimed_by=None, not_before=now + delay, last_error=error
        ).where(IntakeItem.id == item.id).execute()


def give_up(item: IntakeItem, error: str) -> None:
    with intake_db.atomic():
        _settle(item, IntakeStatus.FAILED, error)


def _settle(item: IntakeItem, status: IntakeStatus, error: str | None) -> None:
    _settle_many([item.id], status, error)


def _settle_many(ids: list[int], status: IntakeStatus, error: str | None = None) -> None:
    IntakeItem.update(status=status, claimed_by=None, last_error=error).where(
        IntakeItem.id.in_(ids)
    ).execute()


def release_claims_of(instance_id: str) -> int:
    """Hand back what this instance holds (on a graceful stop, or after its restart)."""
    with intake_db.atomic():
        return (
            IntakeItem.update(status=IntakeStatus.PENDING, claimed_by=None)
            .where(IntakeItem.status == IntakeStatus.RUNNING, IntakeItem.claimed_by == instance_id)
            .execute()
        )


def backlog_size() -> tuple[int, datetime | None]:
    """How many items wait or run, and when the oldest of them arrived."""
    count, oldest = (
        IntakeItem.backlog()
        .select(fn.COUNT(IntakeItem.id), fn.MIN(IntakeItem.received_at))
        .scalar(as_tuple=True)
    )
    if isinstance(oldest, str):  # SQLite returns the aggregate as text
        oldest = datetime.fromisoformat(oldest)
    return count, oldest


def prune(before: datetime) -> int:
    """Forget settled items (and their done marks) received before `before`."""
    with intake_db.atomic():
        gone = (
            IntakeItem.delete()
            .where(IntakeItem.status.not_in(UNSETTLED), IntakeItem.received_at < before)
            .execute()
        )
    IntakeDone.delete().where(IntakeDone.done_at < before).execute()
    return gone
