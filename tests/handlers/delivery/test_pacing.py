"""Lobby paces its calls from Slack's tiers, against a stand-in that enforces them with
real 429s; DMs go before queued Home publishes; a 429 holds back only its own method
in its own workspace. Time moves with the test's clock, shared by Lobby and the stand-in."""

import re
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.home.refresh import queue_homes
from bot.outbox import notices as n
from handlers.delivery.outbox_worker import OutboxWorker
from handlers.delivery.pacing import Pacer
from handlers.delivery.tiers import TIERS
from storage.db import db
from tests.support.slack_standin import method_spec

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def other(slack):
    return slack.add_workspace("T0OTHER", "other")


@pytest.fixture
def worker(database, clock, slack, other):
    seconds = lambda: clock.now().timestamp()  # noqa: E731
    clients = {}
    for workspace in slack.workspaces():
        workspace.clock = seconds
        workspace.enforce_tiers()
        clients[workspace.team_id] = WebClient(token=workspace.token, base_url=workspace.api_url)
    return OutboxWorker(clients.get, clock, pacer=Pacer(seconds))


def people(workspace, count, prefix="UP"):
    users = [f"{prefix}{i:04d}" for i in range(count)]
    for user in users:
        workspace.add_user(user, user.lower())
    return users


def queue(workspace, users, clock):
    with db.atomic():
        queue_homes(workspace.team_id, users, clock.now())


def drain(worker) -> None:
    with db.connection_context():
        while worker.deliver_due():
            pass


def calls(workspace, method, status=200):
    return [c for c in workspace.calls_to(method) if c.status == status]


def test_the_tier_table_is_slacks_and_covers_every_method_lobby_calls():
    for method, tier in TIERS.items():
        assert method_spec(method)["rate_limits"] == tier, method
    called = set()
    for path in (ROOT / "handlers").rglob("*.py"):
        called |= set(re.findall(r"client\.([a-z]+_[A-Za-z_]+)\(", path.read_text()))
    called.discard("files_upload_v2")  # slack_sdk's two calls below
    assert {"files.getUploadURLExternal", "files.completeUploadExternal"} <= set(TIERS)
    assert {name.replace("_", ".") for name in called} <= set(TIERS)


def test_home_publishes_beyond_their_tier_wait_for_the_minute_without_a_429(worker, slack, clock):
    users = people(slack, 105)
    queue(slack, users, clock)

    drain(worker)
    assert len(calls(slack, "views.publish")) == 100  # tier 4: 100 a minute

    clock.advance(seconds=61)
    drain(worker)
    assert sorted(c.args["user_id"] for c in calls(slack, "views.publish")) == users
    assert calls(slack, "views.publish", 429) == []


def test_dms_go_out_before_the_home_publishes_queued_ahead_of_them(worker, slack, clock):
    queue(slack, people(slack, 30), clock)
    clock.advance(seconds=1)
    with db.atomic():
        for user in people(slack, 5, prefix="UNEW"):
            n.record(
                slack.team_id, n.Welcome(team="D", user=user, roles=[], channel_ids=[]), clock.now()
            )

    with db.connection_context():
        worker.deliver_due()

    methods = [c.method for c in slack.calls]
    assert methods[:5] == ["chat.postMessage"] * 5
    assert set(methods[5:]) == {"views.publish"}


def test_a_429_holds_back_that_method_in_that_workspace_for_its_retry_after_only(
    worker, slack, other, clock
):
    queue(slack, people(slack, 3), clock)
    queue(other, people(other, 1), clock)
    slack.fail("views.publish", status=429, retry_after=30)
    with db.atomic():
        welcome = n.Welcome(team="D", user="UP0000", roles=[], channel_ids=[])
        n.record(slack.team_id, welcome, clock.now())

    drain(worker)
    assert len(slack.calls_to("views.publish")) == 1  # the 429; the other two not tried
    assert len(calls(other, "views.publish")) == 1
    assert len(calls(slack, "chat.postMessage")) == 1

    clock.advance(seconds=29)
    drain(worker)
    assert len(slack.calls_to("views.publish")) == 1

    clock.advance(seconds=2)
    drain(worker)
    published = sorted(c.args["user_id"] for c in calls(slack, "views.publish"))
    assert published == ["UP0000", "UP0001", "UP0002"]  # the welcome's Home coalesced


def test_chat_post_message_to_one_channel_goes_a_burst_then_one_a_second(worker, slack, clock):
    slack.add_user("UADA", "ada")
    with db.atomic():
        for i in range(5):
            seats = n.SeatsFull(team="D", recipient="UADA", used=i, limit=5)
            n.record(slack.team_id, seats, clock.now())

    drain(worker)
    assert len(calls(slack, "chat.postMessage")) == 3
    clock.advance(seconds=1.2)
    drain(worker)
    assert len(calls(slack, "chat.postMessage")) == 4
    clock.advance(seconds=1.2)
    drain(worker)
    assert len(calls(slack, "chat.postMessage")) == 5
    assert calls(slack, "chat.postMessage", 429) == []


def test_the_pacer_forgets_channels_whose_burst_is_whole_again(monkeypatch):
    from handlers.delivery import pacing

    monkeypatch.setattr(pacing, "CHANNELS_KEPT", 3)
    now = [0.0]
    pacer = Pacer(lambda: now[0])
    for channel in ("D1", "D2", "D3"):
        assert pacer.wait("T1", "chat.postMessage", channel) == 0
    now[0] = 10.0
    assert pacer.wait("T1", "chat.postMessage", "D4") == 0
    assert set(pacer._channels) == {("T1", "chat.postMessage", "D4")}
