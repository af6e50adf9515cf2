from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.outbox import notices as n
from bot.outbox import sync_notices as sn
from bot.outbox.claims import MAX_ATTEMPTS
from handlers.delivery.outbox_worker import OutboxWorker
from storage.db import db
from storage.models import Notice, PostedMessage
from tests.support.outbox import drain_at_once

WORKSPACE = "T0LOBBY"
ADMINS = ["UADMIN", "UOWNER"]


@pytest.fixture
def worker(database, clock, slack):
    for user_id, name in [("UADMIN", "ada"), ("UOWNER", "otto"), ("UIVY", "ivy")]:
        slack.add_user(user_id, name)
    return new_worker(slack, clock)


def new_worker(slack, clock):
    # No RateLimitErrorRetryHandler: the worker itself reschedules on 429.
    return OutboxWorker(WebClient(token=slack.token, base_url=slack.api_url), clock)


def record(clock, *notices):
    with db.atomic():
        for notice in notices:
            n.record(WORKSPACE, notice, clock.now())


def only_notice():
    """The one notice recorded by the test (the Home publishes it queued left aside)."""
    (row,) = Notice.select().where(Notice.kind != n.PublishHome.kind)
    return row


def welcome(user="UIVY"):
    return n.Welcome(team="Design", user=user, roles=["member"], channel_ids=[])


def invitation_sent(clock, invitation_id=1):
    return n.InvitationSent(
        invitation_id=invitation_id,
        generation=1,
        team="Design",
        invitee="UIVY",
        inviter="UADMIN",
        roles=["member"],
        message="Come along",
        expires_at=(clock.now() + timedelta(days=7)).isoformat(),
    )


def add_to_channel(channel_id, is_private=False):
    return sn.AddToChannel(
        team="Design",
        user="UIVY",
        channel_id=channel_id,
        channel_name="design",
        is_private=is_private,
        admins=ADMINS,
    )


def add_to_usergroup():
    return sn.AddToUserGroup(
        team="Design", user="UIVY", usergroup_id="S1", handle="design-team", admins=ADMINS
    )


def methods(slack):
    return [call.method for call in slack.calls]


def actions_blocks(message):
    return [block for block in message.blocks if block["type"] == "actions"]


def test_an_invitation_dm_has_buttons_and_closing_it_updates_that_message_without_them(
    worker, slack, clock
):
    record(clock, invitation_sent(clock))
    worker.deliver_due()

    (dm,) = slack.messages_to("UIVY")
    (buttons,) = actions_blocks(dm)
    assert [b["action_id"] for b in buttons["elements"]] == [
        "invitation_accept",
        "invitation_decline",
    ]
    remembered = PostedMessage.get(PostedMessage.subject == "invitation:1:1")
    assert (remembered.channel, remembered.ts) == (dm.channel, dm.ts)

    record(
        clock,
        n.InvitationClosed(
            invitation_id=1, generation=1, team="Design", status="accepted", decided_by="UIVY"
        ),
    )
    worker.deliver_due()

    (update,) = slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm.channel, dm.ts)
    updated = slack.message(dm.channel, dm.ts)
    assert len(updated.edits) == 1
    assert actions_blocks(updated) == []
    assert "accepted" in updated.text


TRANSIENT_FAULTS = {
    "429_retry_after": (
        lambda slack: slack.fail("chat.postMessage", status=429, retry_after=30),
        30,
    ),
    "500_backoff": (lambda slack: slack.fail("chat.postMessage", status=500), 2),
    # Twice: slack_sdk's own ConnectionErrorRetryHandler retries a dropped connection once.
    "dropped_connection": (lambda slack: slack.drop_connections("chat.postMessage", times=2), 2),
}


@pytest.mark.parametrize(("fault", "delay"), TRANSIENT_FAULTS.values(), ids=TRANSIENT_FAULTS)
def test_a_transient_failure_is_retried_only_after_its_delay_and_delivered_exactly_once(
    worker, slack, clock, fault, delay
):
    record(clock, welcome())
    fault(slack)

    assert worker.deliver_due() == 1
    assert slack.messages_to("UIVY") == []
    row = only_notice()
    # A rate limit is Slack asking to wait: it does not use up one of the attempts.
    assert (row.status, row.attempts) == ("pending", 0 if delay == 30 else 1)
    assert row.last_error
    tried = len(slack.calls_to("chat.postMessage"))

    clock.advance(seconds=delay - 1)
    assert worker.deliver_due() == 0
    assert len(slack.calls_to("chat.postMessage")) == tried

    clock.advance(seconds=2)
    assert worker.deliver_due() == 1
    assert worker.deliver_due() == 1  # the Home the welcome queued
    clock.advance(hours=1)
    assert worker.deliver_due() == 0
    assert len(slack.messages_to("UIVY")) == 1
    assert len(slack.calls_to("chat.postMessage")) == tried + 1
    assert only_notice().status == "sent"


def test_a_permanent_slack_error_fails_the_notice_with_the_error_and_is_never_retried(
    worker, slack, clock
):
    record(
        clock,
        n.NewMember(
            team="Design", recipient="CNOSUCH", user="UIVY", roles=["member"], added_by=None
        ),
    )
    worker.deliver_due()

    row = only_notice()
    assert row.status == "failed"
    assert "channel_not_found" in row.last_error
    clock.advance(days=1)
    assert worker.deliver_due() == 0
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_after_max_attempts_transient_failures_the_notice_is_given_up_as_failed(
    worker, slack, clock
):
    record(clock, welcome())
    slack.fail("chat.postMessage", status=500, times=MAX_ATTEMPTS + 1)

    for _ in range(MAX_ATTEMPTS):
        assert worker.deliver_due() == 1
        clock.advance(minutes=10)

    row = only_notice()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "500" in row.last_error and "internal_error" in row.last_error
    clock.advance(days=1)
    assert worker.deliver_due() == 0
    assert len(slack.calls_to("chat.postMessage")) == MAX_ATTEMPTS


def test_adding_to_a_public_channel_the_bot_is_not_in_joins_it_then_invites(worker, slack, clock):
    slack.add_channel("CPUB", "design")
    record(clock, add_to_channel("CPUB"))
    worker.deliver_due()

    assert methods(slack) == ["conversations.invite", "conversations.join", "conversations.invite"]
    assert slack.channel_members("CPUB") == {slack.bot_user_id, "UIVY"}
    assert only_notice().status == "sent"


def test_adding_to_a_private_channel_the_bot_is_not_in_asks_the_admins_to_add_lobby(
    worker, slack, clock
):
    slack.add_channel("CPRIV", "secret", is_private=True)
    record(clock, add_to_channel("CPRIV", is_private=True))
    worker.deliver_due()

    assert slack.channel_members("CPRIV") == set()
    assert slack.calls_to("conversations.join") == []
    for admin in ADMINS:
        (told,) = slack.messages_to(admin)
        assert "Add Lobby to the channel" in told.text
    assert slack.messages_to("UIVY") == []
    assert only_notice().status == "sent"


def test_already_in_channel_counts_as_done(worker, slack, clock):
    slack.add_channel("CPUB", "design", members=["UIVY"], bot_is_member=True)
    record(clock, add_to_channel("CPUB"))
    worker.deliver_due()

    (invite,) = slack.calls_to("conversations.invite")
    assert invite.error == "already_in_channel"
    assert slack.calls_to("chat.postMessage") == []
    assert only_notice().status == "sent"


def test_adding_to_a_user_group_keeps_its_other_users(worker, slack, clock):
    slack.add_user("UANN", "ann")
    slack.add_user("UBOB", "bob")
    slack.add_usergroup("S1", "design-team", ["UANN", "UBOB"])
    record(clock, add_to_usergroup())
    worker.deliver_due()

    assert methods(slack) == ["usergroups.users.list", "usergroups.users.update"]
    assert slack.usergroup_users("S1") == ["UANN", "UBOB", "UIVY"]
    assert only_notice().status == "sent"


def test_a_user_already_in_the_group_causes_no_update(worker, slack, clock):
    slack.add_user("UANN", "ann")
    slack.add_usergroup("S1", "design-team", ["UANN", "UIVY"])
    record(clock, add_to_usergroup())
    worker.deliver_due()

    assert slack.calls_to("usergroups.users.update") == []
    assert slack.usergroup_users("S1") == ["UANN", "UIVY"]
    assert only_notice().status == "sent"


def test_when_user_groups_are_unavailable_the_admins_are_told_once_and_it_is_not_retried(
    worker, slack, clock
):
    slack.usergroups_unavailable = True
    slack.add_usergroup("S1", "design-team")
    record(clock, add_to_usergroup())
    worker.deliver_due()
    clock.advance(days=1)
    assert worker.deliver_due() == 0

    for admin in ADMINS:
        (told,) = slack.messages_to(admin)
        assert "paid_teams_only" in told.text
    assert len(slack.calls_to("usergroups.users.list")) == 1
    assert only_notice().status == "sent"


def test_two_workers_delivering_the_same_batch_concurrently_send_each_notice_once(
    worker, slack, clock
):
    users = [f"UPERSON{i:02d}" for i in range(30)]
    for user_id in users:
        slack.add_user(user_id, user_id.lower())
    record(clock, *(welcome(user_id) for user_id in users))
    workers = [worker, new_worker(slack, clock)]
    assert drain_at_once(workers) == []
    assert len(slack.calls_to("chat.postMessage")) == len(users)
    assert all(len(slack.messages_to(user_id)) == 1 for user_id in users)
    welcomes = Notice.select().where(Notice.kind == n.Welcome.kind)
    assert welcomes.where(Notice.status == "sent").count() == len(users)


def test_a_notice_that_cannot_be_rendered_does_not_strand_the_rest_of_its_batch(
    worker, slack, clock
):
    broken = n.InvitationSent(
        invitation_id=1,
        generation=1,
        team="Design",
        invitee="UIVY",
        inviter="UADMIN",
        roles=["member"],
        message=None,
        expires_at="not a date",
    )
    record(clock, broken, welcome())
    worker.deliver_due()

    assert len(slack.messages_to("UIVY")) == 1
    statuses = {row.kind: (row.status, bool(row.last_error)) for row in Notice.select()}
    assert statuses == {
        "invitation_sent": ("pending", True),
        "welcome": ("sent", False),
        "publish_home": ("pending", False),  # queued by the welcome, published later
    }


@pytest.mark.parametrize(
    ("status", "error", "permanent"),
    [
        (429, "ratelimited", False),
        (500, None, False),
        (200, "internal_error", False),
        (200, "service_unavailable", False),
        (200, "channel_not_found", True),
        (200, "invalid_blocks", True),
    ],
)
def test_slack_errors_that_mean_try_later_are_not_permanent(status, error, permanent):
    from handlers.delivery.outbox_worker import _is_permanent

    assert _is_permanent(status, error) is permanent


def test_rate_limits_never_use_up_the_attempts(worker, slack, clock):
    record(clock, welcome())
    slack.fail("chat.postMessage", status=429, retry_after=1, times=MAX_ATTEMPTS + 3)
    for _ in range(MAX_ATTEMPTS + 4):
        worker.deliver_due()
        clock.advance(seconds=2)
    assert only_notice().status == "sent"
    assert len(slack.messages_to("UIVY")) == 1


def test_giving_up_tells_the_owners_of_the_team(lobby, directory, worker, slack, clock):
    from tests.conftest import actor

    directory.admins.add("UOWNER")
    lobby.teams.create(actor=actor("UOWNER"), name="Design", directory=directory)
    Notice.delete().execute()
    record(clock, n.Welcome(team="Design", user="UGONE", roles=["member"], channel_ids=[]))
    worker.deliver_due()  # UGONE is unknown to Slack: a permanent error
    failed = Notice.get(Notice.kind == "welcome")
    assert failed.status == "failed" and "channel_not_found" in failed.last_error
    worker.deliver_due()
    (told,) = slack.messages_to("UOWNER")
    assert "gave up" in told.text and "welcome" in told.text


def test_a_restarted_instance_offers_again_what_it_left_mid_delivery(worker, slack, clock):
    record(clock, welcome())
    with db.atomic():
        Notice.update(status="sending", claimed_by="host:3000", claimed_at=clock.now()).execute()
    other = OutboxWorker(
        WebClient(token=slack.token, base_url=slack.api_url), clock, instance_id="host:3001"
    )
    other.start()
    other.stop()
    assert only_notice().status == "sending"  # another live instance may still be on it
    restarted = OutboxWorker(
        WebClient(token=slack.token, base_url=slack.api_url), clock, instance_id="host:3000"
    )
    restarted.start()
    slack.wait_for(lambda: slack.messages_to("UIVY"))
    restarted.stop()
    assert only_notice().status == "sent"
