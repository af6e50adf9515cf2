"""Workspaces take turns in the outbox: a bulk invite in one does not hold back another's DM."""

import threading
import time

import pytest
from slack_sdk import WebClient

from bot.outbox import claims
from bot.outbox import notices as n
from handlers.delivery.outbox_worker import OutboxWorker, notices_recorded
from storage.db import db
from storage.models import Notice
from tests.support.outbox import drain_at_once

BULK = 50


@pytest.fixture
def other(slack):
    return slack.add_workspace("T0OTHER", "other")


def worker_for(slack, clock, instance_id="lobby"):
    clients = {w.team_id: WebClient(token=w.token, base_url=w.api_url) for w in slack.workspaces()}
    return OutboxWorker(clients.get, clock, instance_id=instance_id)


def welcome(user):
    return n.Welcome(team="Design", user=user, roles=["member"], channel_ids=[])


def record(clock, workspace, users):
    with db.atomic():
        for user in users:
            workspace.add_user(user, user.lower())
            n.record(workspace.team_id, welcome(user), clock.now())


def people(prefix, count):
    return [f"U{prefix}{i:03d}" for i in range(count)]


def test_claims_take_the_oldest_due_notice_of_each_workspace_in_turn(database, clock, slack):
    for workspace_id, count in [("TA", 5), ("TB", 1), ("TC", 2)]:
        with db.atomic():
            for i in range(count):
                n.record(workspace_id, welcome(f"U{workspace_id}{i}"), clock.now())
        clock.advance(seconds=1)

    claimed = claims.claim_due(clock.now(), "lobby", limit=5)

    assert [(c.workspace_id, c.notice.user) for c in claimed] == [
        ("TA", "UTA0"),
        ("TB", "UTB0"),
        ("TC", "UTC0"),
        ("TA", "UTA1"),
        ("TC", "UTC1"),
    ]


def test_a_single_dm_in_one_workspace_goes_out_before_most_of_a_bulk_invite_in_another(
    database, clock, slack, other
):
    record(clock, slack, people("A", BULK))
    clock.advance(seconds=1)
    record(clock, other, ["UBEA"])
    worker = worker_for(slack, clock)

    worker.deliver_due()

    assert len(other.messages_to("UBEA")) == 1
    assert len(slack.calls_to("chat.postMessage")) < BULK // 2
    while worker.deliver_due():
        pass
    assert len(slack.calls_to("chat.postMessage")) == BULK


def test_two_instances_taking_turns_across_workspaces_send_each_notice_once(
    database, clock, slack, other
):
    record(clock, slack, people("A", 30))
    record(clock, other, people("B", 30))
    workers = [worker_for(slack, clock, "one"), worker_for(slack, clock, "two")]
    assert drain_at_once(workers) == []
    for workspace, prefix in [(slack, "A"), (other, "B")]:
        assert len(workspace.calls_to("chat.postMessage")) == 30
        assert all(len(workspace.messages_to(user)) == 1 for user in people(prefix, 30))
    welcomes = Notice.select().where(Notice.kind == n.Welcome.kind)
    assert welcomes.where(Notice.status == "sent").count() == 60


def test_home_publishes_give_way_to_a_dm_recorded_meanwhile(database, clock, slack):
    homes = people("H", 5)
    for user in homes + ["UNEW"]:
        slack.add_user(user, user.lower())
    with db.atomic():
        for user in homes:
            n.record(slack.team_id, n.PublishHome(user=user), clock.now())
    worker = worker_for(slack, clock)
    with slack._lock:  # the stand-in answers nothing meanwhile: the first Home waits
        delivering = threading.Thread(target=worker.deliver_due)
        delivering.start()
        claimed = Notice.select().where(Notice.status == "sending")
        assert wait_until(lambda: claimed.count() == len(homes))
        record(clock, slack, ["UNEW"])  # a DM someone waits for, after the claim
        notices_recorded()
    delivering.join(10)
    worker.deliver_due()  # the next pass

    order = [c.args.get("user_id") or c.args.get("channel") for c in slack.calls]
    welcome_dm = order.index("UNEW")  # chat.postMessage to the user's id opens the DM
    assert order[0] == homes[0] and welcome_dm == 1  # one Home went, then the new DM
    assert all(order.index(user) > welcome_dm for user in homes[1:])
    given_way = Notice.select().where(Notice.kind == "publish_home", Notice.attempts == 1)
    assert given_way.count() == len(homes)  # giving way used up no attempt


def wait_until(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
