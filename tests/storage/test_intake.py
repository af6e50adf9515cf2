"""The intake: claimed once, in order per person, taken over after a lease, done once."""

import threading
from datetime import datetime, timedelta

import pytest
from peewee import IntegrityError

from storage import intake
from storage.db import db
from storage.intake import IntakeItem, intake_url
from storage.statuses import IntakeStatus
from tests.support.database import close_database, database_url, open_database
from tests.support.intake import claim_one

NOW = datetime(2026, 12, 1, 9, 0)
LEASE = timedelta(seconds=60)


def add(key: str, queue_key: str = "T1:U1", at: datetime = NOW) -> None:
    intake.record([row(key, queue_key, at)])


def row(key: str, queue_key: str, at: datetime = NOW) -> dict:
    return {
        "key": key,
        "handler": "command",
        "payload": "{}",
        "workspace_id": "T1",
        "queue_key": queue_key,
        "received_at": at,
        "not_before": at,
    }


def test_the_intake_of_an_sqlite_database_is_a_file_beside_it():
    assert intake_url("sqlite:////data/lobby.db") == "sqlite:////data/lobby.intake.db"


def test_an_item_is_claimed_by_one_worker_until_its_lease_runs_out(database):
    add("a")
    first = claim_one(NOW, "one", LEASE)
    assert first.key == "a" and first.attempts == 1
    assert claim_one(NOW, "two", LEASE) is None
    taken_over = claim_one(NOW + LEASE + timedelta(seconds=1), "two", LEASE)
    assert (taken_over.key, taken_over.claimed_by, taken_over.attempts) == ("a", "two", 2)


def test_one_persons_items_run_in_the_order_they_arrived(database):
    add("first", "T1:U1")
    add("second", "T1:U1")
    add("other", "T1:U2")
    assert claim_one(NOW, "w", LEASE).key == "first"
    assert claim_one(NOW, "w", LEASE).key == "other"  # "second" waits for "first"
    assert claim_one(NOW, "w", LEASE) is None


def test_a_settled_item_lets_the_next_of_its_queue_go(database):
    add("first")
    add("second")
    claimed = claim_one(NOW, "w", LEASE)
    with db.atomic():
        intake.mark_done(claimed, NOW)
    intake.settle_done(claimed)
    assert claim_one(NOW, "w", LEASE).key == "second"


def test_the_done_mark_refuses_a_second_run(database):
    add("a")
    claimed = claim_one(NOW, "w", LEASE)
    with db.atomic():
        intake.mark_done(claimed, NOW)
    assert intake.is_done(claimed)
    with pytest.raises(IntegrityError), db.atomic():
        intake.mark_done(claimed, NOW)


def test_a_retry_waits_its_delay_and_a_restart_releases_its_claims(database):
    add("a")
    add("b", "T1:U2")
    intake.retry_later(claim_one(NOW, "w", LEASE), NOW, "boom", timedelta(seconds=30))
    claim_one(NOW, "w", LEASE)  # b
    assert claim_one(NOW, "w", LEASE) is None
    assert intake.release_claims_of("w") == 1
    assert claim_one(NOW, "w", LEASE).key == "b"
    assert claim_one(NOW + timedelta(seconds=31), "w", LEASE).key == "a"


def test_the_backlog_counts_unsettled_items_and_knows_the_oldest(database):
    add("a", at=NOW - timedelta(seconds=40))
    add("b", "T1:U2")
    intake.give_up(claim_one(NOW, "w", LEASE), "boom")
    assert intake.backlog_size() == (1, NOW)
    assert IntakeItem.get(IntakeItem.key == "a").status == IntakeStatus.FAILED


def test_many_workers_claiming_at_once_take_each_item_exactly_once(database):
    intake.record([row(f"k{n}", f"T1:U{n}") for n in range(60)])
    taken: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        with db.connection_context():
            while (item := claim_one(NOW, name, LEASE)) is not None:
                with lock:
                    taken.append(item.key)

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(taken) == sorted(f"k{n}" for n in range(60))


def test_settled_items_are_pruned(database):
    add("old", at=NOW - timedelta(days=10))
    claimed = claim_one(NOW, "w", LEASE)
    with db.atomic():
        intake.mark_done(claimed, NOW - timedelta(days=10))
    intake.settle_done(claimed)
    add("new", "T1:U2")
    assert intake.prune(NOW - timedelta(days=7)) == 1
    assert [i.key for i in IntakeItem.select()] == ["new"]


def test_a_batch_takes_a_persons_items_together_in_the_order_they_arrived(database):
    intake.record([row("a1", "T1:U1"), row("b1", "T1:U2"), row("a2", "T1:U1")])
    batch = intake.claim_batch(NOW, "w", LEASE, limit=10)
    assert [item.key for item in batch] == ["a1", "b1", "a2"]
    assert {item.status for item in batch} == {IntakeStatus.RUNNING}


def test_a_batch_cut_by_its_limit_leaves_a_persons_later_items_for_after(database):
    intake.record([row("a1", "T1:U1"), row("a2", "T1:U1"), row("b1", "T1:U2")])
    assert [item.key for item in intake.claim_batch(NOW, "w", LEASE, limit=1)] == ["a1"]
    # a1 is held and unsettled: a2 waits for it; b1's queue is free
    assert [item.key for item in intake.claim_batch(NOW, "x", LEASE, limit=10)] == ["b1"]


def test_an_item_waiting_for_its_retry_keeps_its_persons_later_items_out_of_a_batch(database):
    add("a1")
    intake.retry_later(claim_one(NOW, "w", LEASE), NOW, "boom", timedelta(seconds=30))
    intake.record([row("a2", "T1:U1"), row("b1", "T1:U2")])
    assert [item.key for item in intake.claim_batch(NOW, "w", LEASE, limit=10)] == ["b1"]
    later = NOW + timedelta(seconds=31)
    assert [item.key for item in intake.claim_batch(later, "w", LEASE, limit=10)] == ["a1", "a2"]


def test_a_killed_workers_batch_is_taken_over_whole_and_in_order_after_its_lease(database):
    intake.record([row("a1", "T1:U1"), row("a2", "T1:U1"), row("b1", "T1:U2")])
    assert len(intake.claim_batch(NOW, "dead", LEASE, limit=10)) == 3
    assert intake.claim_batch(NOW + LEASE, "two", LEASE, limit=10) == []
    after = NOW + LEASE + timedelta(seconds=1)
    taken = intake.claim_batch(after, "two", LEASE, limit=10)
    assert [(item.key, item.claimed_by, item.attempts) for item in taken] == [
        ("a1", "two", 2),
        ("a2", "two", 2),
        ("b1", "two", 2),
    ]


def test_the_next_claim_settles_the_batch_that_ran_and_lets_its_queue_go(database):
    intake.record([row("a1", "T1:U1"), row("a2", "T1:U1")])
    (first,) = intake.claim_batch(NOW, "w", LEASE, limit=1)
    with db.atomic():
        intake.mark_done(first, NOW)
    (second,) = intake.claim_batch(NOW, "w", LEASE, limit=1, settle=[first.id])
    assert second.key == "a2"
    assert IntakeItem.get(IntakeItem.key == "a1").status == IntakeStatus.DONE


def test_items_handed_back_unrun_do_not_count_an_attempt_nor_undo_a_takeover(database):
    intake.record([row("a1", "T1:U1"), row("b1", "T1:U2")])
    a1, b1 = intake.claim_batch(NOW, "w", LEASE, limit=10)
    after = NOW + LEASE + timedelta(seconds=1)
    taken_over = intake.claim_batch(after, "two", LEASE, limit=1)
    assert [item.key for item in taken_over] == ["a1"]
    intake.release([a1, b1])
    assert IntakeItem.get(IntakeItem.key == "a1").claimed_by == "two"
    b1_now = IntakeItem.get(IntakeItem.key == "b1")
    assert (b1_now.status, b1_now.attempts) == (IntakeStatus.PENDING, 0)


def test_workers_claiming_batches_at_once_run_each_persons_items_once_in_order(database):
    intake.record([row(f"k{n:02}", f"T1:U{n % 5}") for n in range(60)])
    ran: dict[str, list[str]] = {}
    out_of_order: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        with db.connection_context():
            ran_last: list[int] = []
            while batch := intake.claim_batch(NOW, name, LEASE, limit=4, settle=ran_last):
                out_of_order.extend(item.key for item in batch if earlier_unsettled(item, batch))
                with lock:
                    for item in batch:
                        ran.setdefault(item.queue_key, []).append(item.key)
                ran_last = [item.id for item in batch]  # settled by the next claim

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert out_of_order == []
    assert ran == {
        f"T1:U{person}": [f"k{n:02}" for n in range(60) if n % 5 == person] for person in range(5)
    }


def earlier_unsettled(item: IntakeItem, batch: list[IntakeItem]) -> bool:
    """An earlier item of its queue, not in its batch, not yet done (so still running)."""
    return (
        IntakeItem.select()
        .where(
            IntakeItem.queue_key == item.queue_key,
            IntakeItem.id < item.id,
            IntakeItem.id.not_in([other.id for other in batch]),
            IntakeItem.status != IntakeStatus.DONE,
        )
        .exists()
    )


def test_held_items_are_the_unsettled_ones_a_claim_may_not_take(database):
    intake.record([row(f"k{n}", f"T1:U{n}") for n in range(6)])
    leased, lapsed, deferred, done, failed = (claim_one(NOW, "w", LEASE) for _ in range(5))
    IntakeItem.update(lease_until=NOW - timedelta(seconds=1)).where(
        IntakeItem.id == lapsed.id
    ).execute()
    intake.retry_later(deferred, NOW, "boom", timedelta(seconds=30))
    intake.settle_done(done)
    intake.give_up(failed, "boom")
    held = {item.key for item in IntakeItem.select().where(IntakeItem.is_held(NOW))}
    assert held == {leased.key, deferred.key}
    claimable = {item.key for item in IntakeItem.select().where(IntakeItem.is_claimable(NOW))}
    assert claimable == {lapsed.key, "k5"}


def test_a_claims_work_does_not_grow_with_the_backlog(tmp_path):
    """SQLite holds its write lock, which the acks wait for, through the claim: it must
    not read the whole backlog. Counted in SQLite's virtual machine steps, not time."""
    steps = [claim_steps(tmp_path / str(size), size) for size in (100, 5_000)]
    assert steps[1] < 2 * steps[0], steps


def claim_steps(directory, backlog: int) -> int:
    directory.mkdir()
    open_database(database_url("sqlite", directory))
    try:
        intake.record([row(f"k{n}", f"T1:U{n % 50}") for n in range(backlog)])
        claimed = intake.claim_batch(NOW, "w", LEASE, limit=10)
        counted = [0]

        def count() -> int:
            counted[0] += 1
            return 0  # go on

        intake.intake_db.connection().set_progress_handler(count, 100)
        intake.claim_batch(NOW, "w", LEASE, limit=10, settle=[item.id for item in claimed])
        return counted[0]
    finally:
        close_database()
