"""SQLite: transactions queue for the write lock instead of sleeping in SQLite's busy
handler, a process's threads and processes sharing a turn alike (here with no busy
timeout at all, so a transaction that found the lock taken would fail at once with
"database is locked")."""

import contextlib
import multiprocessing
import threading
import time

import pytest

from storage.db import SharedTurn, SqliteTakingTurns

SPAWN = multiprocessing.get_context("spawn")


def open_turns(path: str, turn=None) -> SqliteTakingTurns:
    database = SqliteTakingTurns(
        path,
        pragmas={"journal_mode": "wal", "busy_timeout": 0},
        check_same_thread=False,
        lock_type="IMMEDIATE",
    )
    if turn is not None:
        database.take_turns_with(turn)
    return database


@pytest.fixture
def database(tmp_path):
    database = open_turns(str(tmp_path / "turns.db"))
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


def write_after(database, go, *, in_transaction: bool = True) -> list[str]:
    """Start a second write (a transaction, or a statement on its own) while the first
    holds the lock, then let the first go; what the table holds after both."""
    done = threading.Event()

    def second():
        transaction = database.atomic() if in_transaction else contextlib.nullcontext()
        with database.connection_context(), transaction:
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


def test_a_write_outside_a_transaction_waits_its_turn_too(database):
    first, go = hold_then(database, fail=False)
    assert write_after(database, go, in_transaction=False) == ["first", "second"]
    first.join(10)


def test_a_transaction_that_fails_hands_the_turn_over(database):
    first, go = hold_then(database, fail=True)
    assert write_after(database, go) == ["second"]
    first.join(10)


def test_processes_sharing_a_turn_wait_for_each_other(tmp_path):
    path = str(tmp_path / "turns.db")
    turn, holding, go = SharedTurn(SPAWN), SPAWN.Event(), SPAWN.Event()
    database = open_turns(path, turn)
    with database.connection_context():
        database.execute_sql("CREATE TABLE said (word TEXT)")
    first = SPAWN.Process(target=hold_in_another_process, args=(path, turn, holding, go))
    first.start()
    try:
        assert holding.wait(30)
        assert write_after(database, go) == ["first", "second"]
    finally:
        go.set()
        first.join(30)
    assert first.exitcode == 0


def hold_in_another_process(path, turn, holding, go) -> None:
    database = open_turns(path, turn)
    with database.connection_context(), database.atomic():
        database.execute_sql("INSERT INTO said VALUES ('first')")
        holding.set()
        go.wait(30)


def test_a_turn_goes_to_who_waits_before_who_asks_again():
    """The runs release the turn and ask again at once: the outbox, waiting, goes first."""
    turn, order = SharedTurn(SPAWN), []
    turn.acquire()

    def waiting():
        turn.acquire()
        order.append("waiting")
        turn.release()

    waiter = threading.Thread(target=waiting)
    waiter.start()
    while turn._next_ticket.value < 2:  # until it waits in line
        time.sleep(0.01)
    turn.release()
    turn.acquire()
    order.append("asked again")
    turn.release()
    waiter.join(10)
    assert order == ["waiting", "asked again"]
