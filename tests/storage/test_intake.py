"""The intake: claimed once, in order per person, taken over after a lease, done once."""

import threading
from datetime import datetime, timedelta

import pytest
from peewee import IntegrityError

from storage import intake
from storage.db import db
from storage.intake import IntakeItem, intake_url
from storage.statuses import IntakeStatus

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
    first = intake.claim(NOW, "one", LEASE)
    assert first.key == "a" and first.attempts == 1
    assert intake.claim(NOW, "two", LEASE) is None
    taken_over = intake.claim(NOW + LEASE + timedelta(seconds=1), "two", LEASE)
    assert (taken_over.key, taken_over.claimed_by, taken_over.attempts) == ("a", "two", 2)


def test_one_persons_items_run_in_the_order_they_arrived(database):
    add("first", "T1:U1")
    add("second", "T1:U1")
    add("other", "T1:U2")
    assert intake.claim(NOW, "w", LEASE).key == "first"
    assert intake.claim(NOW, "w", LEASE).key == "other"  # "second" waits for "first"
    assert intake.claim(NOW, "w", LEASE) is None


def test_a_settled_item_lets_the_next_of_its_queue_go(database):
    add("first")
    add("second")
    claimed = intake.claim(NOW, "w", LEASE)
    with db.atomic():
        intake.mark_done(claimed, NOW)
    intake.settle_done(claimed)
    assert intake.claim(NOW, "w", LEASE).key == "second"


def test_the_done_mark_refuses_a_second_run(database):
    add("a")
    claimed = intake.claim(NOW, "w", LEASE)
    with db.atomic():
        intake.mark_done(claimed, NOW)
    assert intake.is_done(claimed)
    with pytest.raises(IntegrityError), db.atomic():
        intake.mark_done(claimed, NOW)


def test_a_retry_waits_its_delay_and_a_restart_releases_its_claims(database):
    add("a")
    add("b", "T1:U2")
    intake.retry_later(intake.claim(NOW, "w", LEASE), NOW, "boom", timedelta(seconds=30))
    intake.claim(NOW, "w", LEASE)  # b
    assert intake.claim(NOW, "w", LEASE) is None
    assert intake.release_claims_of("w") == 1
    assert intake.claim(NOW, "w", LEASE).key == "b"
    assert intake.claim(NOW + timedelta(seconds=31), "w", LEASE).key == "a"


def test_the_backlog_counts_unsettled_items_and_knows_the_oldest(database):
    add("a", at=NOW - timedelta(seconds=40))
    add("b", "T1:U2")
    intake.give_up(intake.claim(NOW, "w", LEASE), "boom")
    assert intake.backlog_size() == (1, NOW)
    assert IntakeItem.get(IntakeItem.key == "a").status == IntakeStatus.FAILED


def test_many_workers_claiming_at_once_take_each_item_exactly_once(database):
    intake.record([row(f"k{n}", f"T1:U{n}") for n in range(60)])
    taken: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        with db.connection_context():
            while (item := intake.claim(NOW, name, LEASE)) is not None:
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
    claimed = intake.claim(NOW, "w", LEASE)
    with db.atomic():
        intake.mark_done(claimed, NOW - timedelta(days=10))
    intake.settle_done(claimed)
    add("new", "T1:U2")
    assert intake.prune(NOW - timedelta(days=7)) == 1
    assert [i.key for i in IntakeItem.select()] == ["new"]
