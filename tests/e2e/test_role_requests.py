"""Role requests and notes on requests, end to end: ask in words, decide with the buttons
the app sent, every copy (DMs and App Homes) updated; a bare request refused."""

import copy
import json

from bot.teams.membership import roles_of
from storage.models import Membership, RoleRequest, Team
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL
from tests.e2e.test_home import published_for
from tests.e2e.test_invite_journey import invitation_dm
from tests.e2e.test_requests import last_response

DAVE = "U0DAVE01"


def member(running, user_id, role):
    running.reply_to(running.command(f"<@{user_id}> as {role}"))
    running.requests.click(invitation_dm(running, user_id), "invitation_accept", user_id=user_id)
    running.delivered(lambda: Membership.select().where(Membership.user_id == user_id).exists())


def set_up(running):
    """Design, owned by ADMIN, with BOB an admin, CAROL a manager and ALICE a member."""
    running.reply_to(running.command("team create Design"))
    member(running, BOB, "admin")
    member(running, CAROL, "manager")
    member(running, ALICE, "member")
    running.settled()


def copies(running):
    return [
        c
        for c in running.slack.calls_to("chat.postMessage")
        if "role_request_approve" in json.dumps(c.args.get("blocks"))
    ]


def test_a_role_request_approved_by_click_updates_every_copy(running):
    set_up(running)
    reply = running.reply_to(running.command("request role admin I run the wiki", user_id=ALICE))
    assert "Your request for the role Admin in *Design* is with those who may grant it" in reply
    running.delivered(lambda: len(copies(running)) == 2)
    running.settled()
    assert sorted(c.args["channel"] for c in copies(running)) == sorted([ADMIN, BOB])
    bob_copy = next(c for c in copies(running) if c.args["channel"] == BOB)
    assert "I run the wiki" in json.dumps(bob_copy.args["blocks"])
    owner_copy = next(c for c in copies(running) if c.args["channel"] == ADMIN)
    stale = copy.deepcopy(
        running.slack.message(owner_copy.response["channel"], owner_copy.response["ts"])
    )
    assert "role_request_approve" in json.dumps(published_for(running, ADMIN))
    assert "role_request_approve" not in json.dumps(published_for(running, CAROL))

    running.requests.click(bob_copy, "role_request_approve", user_id=BOB)
    running.delivered(lambda: "admin" in roles_of(Team.get(), ALICE))
    running.settled()
    updates = [u for u in running.slack.calls_to("chat.update") if "the role" in u.args["text"]]
    assert sorted(u.args["channel"] for u in updates) == sorted(
        [owner_copy.response["channel"], bob_copy.response["channel"]]
    )
    assert all(f"approved by <@{BOB}>" in u.args["text"] for u in updates)
    told = [m for m in running.slack.messages_to(ALICE) if "approved your request" in m.text]
    assert len(told) == 1 and "the role Admin" in told[0].text
    for approver in (ADMIN, BOB):
        assert "role_request_approve" not in json.dumps(published_for(running, approver))

    running.requests.click(stale, "role_request_deny", user_id=ADMIN)
    assert f"already approved by <@{BOB}> as Admin" in last_response(running)["text"]
    assert RoleRequest.get().status == "approved"


def test_a_manager_cannot_decide_a_request_for_admin(running):
    set_up(running)
    running.reply_to(running.command("request role admin", user_id=ALICE))
    running.delivered(lambda: len(copies(running)) == 2)
    running.requests.click(copies(running)[0], "role_request_approve", user_id=CAROL)
    assert "can't give the role “admin”" in last_response(running)["text"]
    assert RoleRequest.get().status == "pending"
    again = running.reply_to(running.command("request role viewer", user_id=ALICE))
    assert "You already asked for the role *Admin*" in again


def test_a_bare_request_is_refused_when_notes_are_required(running):
    set_up(running)
    running.slack.add_user(DAVE, "dave", email="dave@example.com")
    running.command("settings")
    view_id = running.delivered(lambda: list(running.slack.views))[0]
    turned_on = {"note_required": {"note_required": {"selected_options": [{"value": "on"}]}}}
    assert running.requests.submit_view(view_id, turned_on, user_id=ADMIN).status == 200
    assert Team.get().note_required

    refused = running.reply_to(running.command("request role viewer", user_id=ALICE))
    assert "asks for a note with every request (setting “Note required on requests”)" in refused
    outsider = running.reply_to(running.command("request Design", user_id=DAVE))
    assert "Note required on requests" in outsider
    running.settled()
    assert copies(running) == [] and RoleRequest.select().count() == 0

    running.command("", user_id=DAVE)
    modal = running.delivered(
        lambda: [v for v in running.slack.views.values() if v["callback_id"] == "request_modal"]
    )[0]
    note = next(b for b in modal["blocks"] if b["block_id"] == "note")
    assert note["optional"] is False
    taken = running.reply_to(running.command("request role viewer I review", user_id=ALICE))
    assert "is with those who may grant it" in taken
