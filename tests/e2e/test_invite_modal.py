"""`/invite` with no text: the invite modal, its inline errors, and what it sends."""

import json

from storage.models import Invitation
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL


def open_modal(running, user_id=ADMIN) -> str:
    running.reply_to(running.command("team create Design"))
    running.command("", user_id=user_id)
    running.delivered(lambda: running.slack.views)
    return next(iter(running.slack.views))


def test_an_admin_gets_the_invite_modal(running):
    view_id = open_modal(running)
    view = running.slack.views[view_id]
    inputs = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
    assert inputs == ["people", "emails", "roles", "term", "until", "message"]
    assert "Seats: 1 used" in json.dumps(view["blocks"][0])
    roles = input_block(view, "roles")["element"]
    assert [o["value"] for o in roles["options"]] == [
        "owner",
        "admin",
        "manager",
        "member",
        "viewer",
    ]


def test_invalid_input_shows_inline_errors_and_sends_nothing(running):
    view_id = open_modal(running)
    empty = running.requests.submit_view(
        view_id, {"roles": {"roles": {"selected_options": []}}}, user_id=ADMIN
    )
    assert empty.json["response_action"] == "errors"
    assert set(empty.json["errors"]) == {"people", "roles"}
    bad_email = running.requests.submit_view(
        view_id, {"emails": {"emails": {"value": "alice@example.com, not-an-email"}}}, user_id=ADMIN
    )
    assert "“not-an-email” is not an email address" in bad_email.json["errors"]["emails"]
    assert Invitation.select().count() == 0


def test_a_role_the_admin_may_not_give_is_an_inline_error(running):
    open_modal(running)
    running.slack.views.clear()
    # Carol is made a manager, then tries to invite someone as admin from her own modal.
    running.reply_to(running.command(f"<@{CAROL}> as manager"))
    dm = running.delivered(lambda: running.slack.messages_to(CAROL))[0]
    running.requests.click(dm, "invitation_accept", user_id=CAROL)
    running.delivered(lambda: Invitation.get().status == "accepted")
    running.command("", user_id=CAROL)
    carol_view = running.delivered(lambda: list(running.slack.views))[0]
    offered = input_block(running.slack.views[carol_view], "roles")["element"]["options"]
    assert [o["value"] for o in offered] == ["member", "viewer"]
    response = running.requests.submit_view(
        carol_view,
        {
            "people": {"people": {"selected_users": [BOB]}},
            "roles": {"roles": {"selected_options": [_option("admin")]}},
        },
        user_id=CAROL,
    )
    assert "can't give the role “admin”" in response.json["errors"]["roles"]


def test_submitting_the_modal_invites_and_dms_a_summary(running):
    view_id = open_modal(running)
    response = running.requests.submit_view(
        view_id,
        {
            "people": {"people": {"selected_users": [ALICE]}},
            "emails": {"emails": {"value": "bob@example.com"}},
            "message": {"message": {"value": "see you there"}},
        },
        user_id=ADMIN,
    )
    assert response.status == 200 and not response.text
    summary = running.delivered(
        lambda: [m for m in running.slack.messages_to(ADMIN) if "Invited" in (m.text or "")]
    )
    assert f"<@{ALICE}>" in summary[0].text
    running.delivered(lambda: running.slack.messages_to(ALICE) and running.slack.messages_to(BOB))
    assert {i.invitee_user_id for i in Invitation.select()} == {ALICE, BOB}


def test_a_member_who_may_not_invite_and_can_ask_nowhere_is_told_so(running):
    running.reply_to(running.command("team create Design"))
    code = running.reply_to(running.command("link")).split("`")[1]
    running.reply_to(running.command(f"join {code}", user_id=BOB))  # a plain Member
    reply = running.reply_to(running.command("", user_id=BOB))
    assert "don't have permission to invite" in reply
    assert not running.slack.views


def input_block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _option(value: str) -> dict:
    return {"text": {"type": "plain_text", "text": value.capitalize()}, "value": value}


def test_a_failing_slack_lookup_after_the_modal_is_reported_by_dm(running):
    view_id = open_modal(running)
    running.slack.fail("users.lookupByEmail", status=500)
    running.requests.submit_view(
        view_id, {"emails": {"emails": {"value": "bob@example.com"}}}, user_id=ADMIN
    )
    told = running.delivered(
        lambda: [m for m in running.slack.messages_to(ADMIN) if "Slack didn't answer" in m.text]
    )
    assert "changed nothing" in told[0].text
    assert Invitation.select().count() == 0
