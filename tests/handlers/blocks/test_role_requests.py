"""Role requests and notes on requests, as Block Kit: pure builders, checked against Slack's
schema."""

import json
from datetime import datetime

import pytest

from bot.errors import NoteRequired
from bot.home.role_requests import RoleAsk, RoleRequestsOnHome
from bot.home.service import Home
from bot.teams.settings import TeamSettings
from handlers.blocks import help as help_blocks
from handlers.blocks import role_requests
from handlers.blocks.home import home_view
from handlers.blocks.refusals import describe
from handlers.blocks.requests import request_modal
from handlers.blocks.settings import settings_modal
from handlers.listeners.views import settings_from
from tests.support.blockkit import assert_valid_message_blocks, assert_valid_view

HOSTILE = "<!channel> a & b"


def test_a_deciders_copy_has_approve_and_deny_and_escapes_the_note():
    copy = role_requests.role_request_for_approval(
        request_id=9, team="Design", requester="UALICE", role="admin", note=HOSTILE
    )
    assert_valid_message_blocks(copy["blocks"])
    (buttons,) = [b for b in copy["blocks"] if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in buttons["elements"]] == [
        ("role_request_approve", "9"),
        ("role_request_deny", "9"),
    ]
    assert "<!channel>" not in json.dumps(copy) and "&lt;!channel&gt;" in json.dumps(copy)
    assert "asks for the role Admin in *Design*" in copy["text"]


@pytest.mark.parametrize("status", ["approved", "denied", "expired"])
def test_a_decided_copy_and_the_answer_have_no_buttons(status):
    facts = dict(team="Design", role="admin", status=status, decided_by="UBOB")
    decided = role_requests.role_request_decided(requester="UALICE", **facts)
    answered = role_requests.role_request_answered(**facts)
    for message in (decided, answered):
        assert_valid_message_blocks(message["blocks"])
        assert all(block["type"] != "actions" for block in message["blocks"])
        assert "Admin" in message["text"]


def test_a_withdrawn_copy_says_the_requester_left():
    withdrawn = role_requests.role_request_decided(
        team="Design", requester="UALICE", role="admin", status="cancelled", decided_by=None
    )
    assert_valid_message_blocks(withdrawn["blocks"])
    assert "withdrawn: they are no longer a member" in withdrawn["text"]


def test_the_request_modal_requires_a_note_when_every_team_offered_does():
    def note_block(view):
        assert_valid_view(view)
        return next(b for b in view["blocks"] if b["block_id"] == "note")

    assert note_block(request_modal(["Design"]))["optional"] is True
    assert note_block(request_modal(["Design"], {"Design"}))["optional"] is False
    mixed = note_block(request_modal(["Design", "Ops"], {"Ops"}))
    assert mixed["optional"] is True and mixed["hint"]["text"] == "Required for Ops"


@pytest.mark.parametrize("required", [False, True])
def test_the_settings_modal_shows_and_reads_note_required(required):
    view = settings_modal(
        team="Design", settings=TeamSettings(note_required=required), roles=["member"]
    )
    assert_valid_view(view)
    block = next(b for b in view["blocks"] if b.get("block_id") == "note_required")
    assert bool(block["element"].get("initial_options")) == required
    values = {
        b["block_id"]: {b["block_id"]: submitted(b["element"])}
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert settings_from(values)["note_required"] is required


def submitted(element: dict) -> dict:
    """What Slack sends for an untouched input: its initial value."""
    if element["type"] == "static_select":
        return {"selected_option": element["initial_option"]}
    if element["type"] == "checkboxes":
        return {"selected_options": element.get("initial_options", [])}
    if element["type"] == "conversations_select":
        return {"selected_conversation": element.get("initial_conversation")}
    return {"value": element.get("initial_value")}


def test_a_bare_request_refusal_names_the_setting():
    assert "“Note required on requests”" in describe(NoteRequired(team="Design"))


def test_help_lists_request_role():
    assert "request role ROLE [in TEAM] [note…]" in help_blocks.help_message("/invite")["text"]


def test_the_home_shows_role_requests_with_approve_and_deny():
    ask = RoleAsk(3, "Design", "UALICE", "admin", HOSTILE, datetime(2026, 11, 23, 9))
    mine = RoleAsk(4, "Ops", "UME", "manager", None, datetime(2026, 11, 23, 9))
    shown = RoleRequestsOnHome(mine=[mine], to_decide=[ask], more_to_decide=2)
    view = home_view(home_of_nobody(), role_requests=shown)
    assert_valid_view(view)
    text = json.dumps(view, ensure_ascii=False)
    assert "you asked for Manager" in text and "asks for Admin in *Design*" in text
    assert "&lt;!channel&gt;" in text and "…and 2 more" in text
    (buttons,) = [b for b in view["blocks"] if b.get("block_id") == "home_role_request:3"]
    assert [e["action_id"] for e in buttons["elements"]] == [
        "role_request_approve",
        "role_request_deny",
    ]
    assert "Role requests" not in json.dumps(home_view(home_of_nobody()))


def home_of_nobody() -> Home:
    return Home(user_id="UME", teams=[], invitations=[], requests=[], admin_teams=[], askable=[])


def test_the_note_refusal_shows_how_to_ask_with_a_note():
    assert "`/invite request Design I'd like to…`" in describe(NoteRequired(team="Design"))
    with_role = describe(NoteRequired(team="Design", role="admin"))
    assert "`/invite request role admin in Design I'd like to…`" in with_role
