"""Issue 14 end to end: every App Home that shows a changed list is republished (once per
person per batch), and every stale click is answered where it was made, never by a DM."""

import copy
import json
from dataclasses import replace

from app import create_worker
from bot.invitations.expiry import expire_due_invitations
from storage.models import Invitation, Membership
from tests.e2e.conftest import ADMIN, ALICE, BOB
from tests.e2e.test_home import click_in_home, open_home, published_for
from tests.e2e.test_invite_journey import invitation_dm
from tests.e2e.test_management import member


def publishes_for(running, user_id):
    return [c for c in running.slack.calls_to("views.publish") if c.args["user_id"] == user_id]


def dms_saying(running, user_id, words):
    return [m for m in running.slack.messages_to(user_id) if words in (m.text or "")]


def test_a_decision_republishes_every_approvers_home_and_the_requesters_once(running):
    running.reply_to(running.command("team create Design"))
    member(running, BOB, "admin")
    running.reply_to(running.command("request", user_id=ALICE))
    running.settled()
    assert "request_approve" in json.dumps(open_home(running, BOB))
    before = {u: len(publishes_for(running, u)) for u in (ADMIN, BOB, ALICE)}
    copy = next(
        m for m in running.slack.messages_to(ADMIN) if "asks to join" in json.dumps(m.blocks)
    )
    running.requests.click(copy, "request_approve", user_id=ADMIN)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.delivered(lambda: len(publishes_for(running, BOB)) > before[BOB])
    running.delivered(lambda: len(publishes_for(running, ALICE)) > before[ALICE])
    running.settled()
    assert len(publishes_for(running, BOB)) == before[BOB] + 1
    assert "request_approve" not in json.dumps(published_for(running, BOB))


def test_thirty_invitations_expiring_at_once_republish_the_admins_home_once(running):
    running.reply_to(running.command("team create Design"))
    emails = ", ".join(f"p{i}@elsewhere.org" for i in range(30))
    running.reply_to(running.command(emails))
    running.settled()
    before = len(publishes_for(running, ADMIN))
    running.clock.advance(days=8)
    assert expire_due_invitations(running.clock) == 30
    running.settled()
    assert len(publishes_for(running, ADMIN)) == before + 1


def test_a_click_in_the_home_republishes_that_home_once(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{ALICE}>"))
    running.settled()
    view = open_home(running, ALICE)
    before = len(publishes_for(running, ALICE))
    click_in_home(running, view, "invitation_accept", ALICE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.settled()
    assert len(publishes_for(running, ALICE)) == before + 1
    assert "invitation_accept" not in json.dumps(published_for(running, ALICE))


def test_a_stale_accept_in_the_home_is_answered_at_the_top_of_the_home(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{ALICE}>"))
    running.settled()
    view = open_home(running, ALICE)
    click_in_home(running, view, "invitation_accept", ALICE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.settled()
    click_in_home(running, view, "invitation_accept", ALICE)  # the old Home, clicked again
    running.delivered(
        lambda: "You already accepted" in json.dumps(published_for(running, ALICE)["blocks"][0])
    )
    running.settled()
    assert not dms_saying(running, ALICE, "already")


def test_a_stale_approve_in_the_home_says_who_decided_there(running):
    running.reply_to(running.command("team create Design"))
    member(running, BOB, "admin")
    running.reply_to(running.command("request", user_id=ALICE))
    running.settled()
    view = open_home(running, BOB)
    copy = next(
        m for m in running.slack.messages_to(ADMIN) if "asks to join" in json.dumps(m.blocks)
    )
    running.requests.click(copy, "request_approve", user_id=ADMIN)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.settled()
    click_in_home(running, view, "request_approve", BOB)
    running.delivered(
        lambda: f"already approved by <@{ADMIN}>" in json.dumps(published_for(running, BOB))
    )
    running.settled()
    assert not dms_saying(running, BOB, "already")


def test_a_second_accept_run_by_another_instance_is_answered_in_place(running, start_app):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{ALICE}>"))
    dm = invitation_dm(running, ALICE)
    as_shown = copy.deepcopy(running.slack.message(dm.response["channel"], dm.response["ts"]))
    running.requests.click(dm, "invitation_accept", user_id=ALICE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.settled()
    running.app.stop(timeout=10)  # from here on, another instance runs what is clicked
    other = create_worker(
        replace(running.settings, instance_id="lobby-2"), clock=running.clock, jobs=False
    )
    other.start()
    try:
        running.requests.click(as_shown, "invitation_accept", user_id=ALICE)
        url = running.requests.last_payload["response_url"]
        again = running.delivered(lambda: running.slack.responses_to(url))
        assert "You already accepted this invitation" in again[0].payload["text"]
        assert not dms_saying(running, ALICE, "already")
        assert Invitation.get().status == "accepted"
    finally:
        other.stop(timeout=10)
