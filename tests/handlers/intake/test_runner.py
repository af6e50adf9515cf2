"""The intake end to end inside one process: recorded before the ack, run exactly once."""

import json
import threading
import time
from datetime import datetime

import pytest
from slack_sdk import WebClient

from bot.outbox import notices
from bot.service import Lobby
from handlers.delivery.outbox_worker import OutboxWorker
from handlers.intake.runner import LEASE, MAX_ATTEMPTS, Runner
from handlers.intake.runs import runs
from handlers.intake.writer import Busy, IntakeWriter
from storage import intake
from storage.db import db
from storage.intake import IntakeItem
from storage.models import AuditEntry, Notice
from storage.statuses import IntakeStatus
from tests.support.intake import claim_one

FAILURES: dict[str, int] = {}
NOW = datetime(2026, 12, 1, 9, 0)
CLOCK: list = []  # the test's clock, for the runs below that read or move it


@runs("test_note")
def note(body, context, respond) -> None:
    """A run with an effect (an audit row) and a reply."""
    AuditEntry.create(
        workspace_id=context.team_id,
        action="test.noted",
        actor_user_id=context.user_id,
        target=body["n"],
        details="{}",
        created_at=NOW,
    )
    respond(text=f"noted {body['n']}")


@runs("test_flaky")
def flaky(body, context) -> None:
    """Writes, then fails the first `fail` times: the write must not survive a failure."""
    AuditEntry.create(
        workspace_id=context.team_id, action="test.flaky", details="{}", created_at=NOW
    )
    FAILURES[body["n"]] = FAILURES.get(body["n"], 0) + 1
    if FAILURES[body["n"]] <= body["fail"]:
        raise RuntimeError("boom")


@runs("test_slow")
def slow(body, context) -> None:
    """A run that takes longer than the lease of its batch."""
    AuditEntry.create(
        workspace_id=context.team_id, action="test.slow", details="{}", created_at=NOW
    )
    CLOCK[0].advance(seconds=LEASE.total_seconds() + 1)


@runs("test_refresh")
def refresh_home(context) -> None:
    notices.record(context.team_id, notices.RefreshHomes(users=[context.user_id]), CLOCK[0].now())


@pytest.fixture
def writer(database, clock):
    FAILURES.clear()
    writer = IntakeWriter(clock, max_backlog=50)
    yield writer
    writer.close()


def runner(lobby: Lobby, instance_id: str = "one", installed=("T1",)) -> Runner:
    """The runs here call no Slack method; a workspace not installed has no client."""
    client = WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/")

    def client_for(workspace_id):
        return client if workspace_id in installed else None

    return Runner(lobby, client_for, instance_id=instance_id, threads=1)


def record(writer, handler: str, person: str = "U1", **payload) -> None:
    writer.record(handler=handler, payload=payload, workspace_id="T1", person=person)


def drain(run: Runner) -> int:
    ran = 0
    while claimed := run.run_batch():
        ran += claimed
    return ran


def test_a_request_from_a_workspace_that_uninstalled_the_app_is_given_up_unrun(writer, lobby):
    record(writer, "test_note", n="1", response_url="https://hooks.example/1")
    assert drain(runner(lobby, installed=())) == 1
    assert not AuditEntry.select().where(AuditEntry.action == "test.noted").exists()
    assert not Notice.select().exists()
    assert IntakeItem.get().status == IntakeStatus.FAILED


def test_a_recorded_request_runs_once_with_its_reply(writer, lobby):
    record(writer, "test_note", n="1", response_url="https://hooks.example/1")
    assert drain(runner(lobby)) == 1
    assert [e.target for e in AuditEntry.select().where(AuditEntry.action == "test.noted")] == ["1"]
    (reply,) = Notice.select().where(Notice.kind == "reply")
    assert json.loads(reply.payload)["response_url"] == "https://hooks.example/1"
    assert IntakeItem.get().status == IntakeStatus.DONE
    assert drain(runner(lobby, "two")) == 0


def test_a_failed_run_leaves_nothing_and_is_tried_again_later(writer, lobby, clock):
    record(writer, "test_flaky", n="a", fail=1)
    assert drain(runner(lobby)) == 1
    assert AuditEntry.select().where(AuditEntry.action == "test.flaky").count() == 0
    assert drain(runner(lobby)) == 0  # waits out its backoff
    clock.advance(seconds=3)
    assert drain(runner(lobby)) == 1
    assert AuditEntry.select().where(AuditEntry.action == "test.flaky").count() == 1


def test_a_run_that_always_fails_is_given_up_and_the_person_told(writer, lobby, clock):
    record(writer, "test_flaky", n="b", fail=99)
    for _ in range(MAX_ATTEMPTS):
        drain(runner(lobby))
        clock.advance(seconds=60)
    assert IntakeItem.get().status == IntakeStatus.FAILED
    (reply,) = Notice.select().where(Notice.kind == "reply")
    assert "could not finish" in json.loads(reply.payload)["message"]["text"]


def test_two_instances_run_each_of_many_requests_exactly_once(writer, lobby):
    for n in range(40):
        record(writer, "test_note", person=f"U{n % 7}", n=str(n))
    runners = [runner(lobby, f"instance-{k}") for k in range(3)]
    threads = [threading.Thread(target=drain, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    targets = [e.target for e in AuditEntry.select().where(AuditEntry.action == "test.noted")]
    assert sorted(targets, key=int) == [str(n) for n in range(40)]


def test_a_full_backlog_refuses_new_requests_and_records_nothing(database, clock):
    writer = IntakeWriter(clock, max_backlog=2)
    try:
        record(writer, "test_note", n="1")
        record(writer, "test_note", n="2")
        with pytest.raises(Busy):
            record(writer, "test_note", n="3")
        assert intake.backlog_size()[0] == 2
    finally:
        writer.close()


def test_an_item_already_done_is_not_run_again(writer, lobby):
    record(writer, "test_note", n="1")
    item = claim_one(lobby.clock.now(), "dead", intake.timedelta(seconds=0))
    with db.atomic():
        intake.mark_done(item, lobby.clock.now())  # ran; the dead worker never settled it
    lobby.clock.advance(seconds=1)
    drain(runner(lobby))
    assert AuditEntry.select().where(AuditEntry.action == "test.noted").count() == 0
    assert IntakeItem.get().status == IntakeStatus.DONE


def noted() -> list[str]:
    entries = AuditEntry.select().where(AuditEntry.action == "test.noted").order_by(AuditEntry.id)
    return [entry.target for entry in entries]


def test_a_failed_run_holds_back_its_persons_later_requests_of_the_batch(writer, lobby, clock):
    record(writer, "test_flaky", person="U1", n="a", fail=1)
    record(writer, "test_note", person="U1", n="2")
    record(writer, "test_note", person="U2", n="3")
    assert runner(lobby).run_batch() == 3
    assert noted() == ["3"]
    held = IntakeItem.get(IntakeItem.payload.contains('"2"'))
    assert (held.status, held.attempts) == (IntakeStatus.PENDING, 0)
    clock.advance(seconds=3)  # the failed one's backoff
    drain(runner(lobby))
    assert noted() == ["3", "2"]
    assert AuditEntry.select().where(AuditEntry.action == "test.flaky").count() == 1


def test_a_request_whose_lease_lapsed_during_its_batch_is_left_to_be_taken_over(
    writer, lobby, clock
):
    CLOCK[:] = [clock]
    record(writer, "test_slow", person="U1")
    record(writer, "test_note", person="U1", n="2")
    run = runner(lobby)
    assert run.run_batch() == 2
    assert noted() == []  # its claim lapsed while the slow one ran: not run on it
    drain(runner(lobby, "two"))  # on SQLite the slow one lapsed unsettled: found done
    assert noted() == ["2"]
    assert AuditEntry.select().where(AuditEntry.action == "test.slow").count() == 1
    assert {item.status for item in IntakeItem.select()} == {IntakeStatus.DONE}


def test_the_intake_runs_on_one_thread_on_sqlite_and_on_as_many_as_asked_on_postgres(lobby, db_url):
    run = Runner(lobby, lambda workspace_id: None, instance_id="one", threads=3)
    run.start()
    try:
        threads = [t for t in threading.enumerate() if t.name.startswith("run-")]
        assert len(threads) == (1 if db_url.startswith("sqlite") else 3)
    finally:
        run.stop(timeout=5)


def test_a_run_wakes_the_outbox_which_delivers_its_notices_before_its_next_poll(
    writer, lobby, slack
):
    CLOCK[:] = [lobby.clock]
    slack.add_user("U1", "ivy")
    client = WebClient(token=slack.token, base_url=slack.api_url)
    outbox = OutboxWorker(client, lobby.clock, poll_seconds=600)
    outbox.start()
    try:
        record(writer, "test_refresh", person="U1")
        run = Runner(lobby, lambda workspace_id: client, instance_id="one", threads=1)
        assert run.run_batch() == 1
        deadline = time.monotonic() + 20  # far below the poll: only the wake-up delivers
        while not slack.calls_to("views.publish") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [call.args["user_id"] for call in slack.calls_to("views.publish")] == ["U1"]
    finally:
        outbox.stop()


def test_a_recorded_request_wakes_the_runners_before_their_next_poll(writer, lobby):
    wakeup = threading.Event()  # in production a multiprocessing Event the processes share
    writer.on_commit = wakeup.set
    run = Runner(
        lobby,
        runner(lobby).client_for,
        instance_id="one",
        threads=1,
        poll_seconds=600,
        wakeup=wakeup,
    )
    run.start()
    try:
        time.sleep(0.2)  # the runner found nothing and waits (its poll is 10 minutes)
        record(writer, "test_note", n="1")
        deadline = time.monotonic() + 20  # far below the poll: only the wake-up runs it
        while noted() != ["1"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert noted() == ["1"]
    finally:
        run.stop(timeout=5)
