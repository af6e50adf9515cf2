"""SQLite: a process's transactions queue for the write lock instead of sleeping in
SQLite's busy handler (here with no busy timeout at all, so a transaction that found
the lock taken would fail at once with "database is locked")."""

import threading

import pytest

from storage.db import SqliteTakingTurns


@pytest.fixture
def database(tmp_path):
    database = SqliteTakingTurns(
        str(tmp_path / "turns.db"),
        pragmas={"journal_mode": "wal", "busy_timeout": 0},
        check_same_thread=False,
        lock_type="IMMEDIATE",
    )
    with database.connection_context():
        database.execute_sql("CREATE TABLE said (word TEXT)")
    yield database
    database.close()


def hold_then(database, *, fail: bool) -> tuple[threading.Thread, threading.Event]:
    """A thread that opens a write transaction, holds it until let go, then commits it
    (or rolls it back with an error)."""
    holding, go = threading.Event(), threading.Event()

    def hold():
        with database.connection_context():
            try:
                with database.atomic():
                    database.execute_sql("INSERT INTO said VALUES ('first')")
                    holding.set()
                    go.wait(10)
                    if fail:
                        raise RuntimeError("the first transaction fails")
            except RuntimeError:
                pass

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    return thread, go


def write_after(database, go: threading.Event) -> list[str]:
    """Start a second write transaction while the first holds the lock, then let the
    first go; what the table holds after both."""
    done = threading.Event()

    def second():
        with database.connection_context(), database.atomic():
            database.execute_sql("INSERT INTO said VALUES ('second')")
        done.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not done.wait(0.3)  # it waits its turn (the first still holds the lock)
    go.set()
    thread.join(10)
    with database.connection_context():
        return [row[0] for row in database.execute_sql("SELECT word FROM said ORDER BY rowid")]


def test_a_second_writer_waits_its_turn_and_then_writes(database):
    first, go = hold_then(database, fail=False)
    assert write_after(database, go) == ["first", "second"]
    first.join(10)


def test_a_transaction_that_fails_hands_the_turn_over(database):
    first, go = hold_then(database, fail=True)
    assert write_after(database, go) == ["second"]
    first.join(10)
