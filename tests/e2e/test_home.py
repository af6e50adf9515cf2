"""The App Home end to end: published when opened, buttons that work from it."""

import json

from bot.access import Actor
from storage.models import JoinRequest, Membership
from tests.e2e.conftest import ADMIN, ALICE


def published_for(running, user_id):
    calls = running.delivered(
        lambda: [c for c in running.slack.calls_to("views.publish") if c.args["user_id"] == user_id]
    )
    view = calls[-1].args["view"]
    return json.loads(view) if isinstance(view, str) else view


def open_home(running, user_id):
    before = len(running.slack.calls_to("views.publish"))
    running.requests.event({"type": "app_home_opened", "user": user_id, "tab": "home"})
    running.delivered(lambda: len(running.slack.calls_to("views.publish")) > before)
    return published_for(running, user_id)


def click_in_home(running, view, action_id, user_id, state=None):
    """A block_actions payload from the Home tab, as Slack sends it (no response_url)."""
    block_id, element = next(
        (b["block_id"], e)
        for b in view["blocks"]
        for e in b.get("elements", []) + [b.get("accessory") or {}]
        if e.get("action_id") == action_id
    )
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": running.slack.team_id},
        "api_app_id": running.slack.app_id,
        "token": "lobby-verification-token",
        "container": {"type": "view", "view_id": "VHOME"},
        "trigger_id": running.slack.new_trigger_id(user_id),
        "team": {"id": running.slack.team_id, "domain": running.slack.team_domain},
        "view": {**view, "id": "VHOME", "state": {"values": state or {}}},
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "value": element.get("value"),
                "type": element["type"],
                "action_ts": "1.0",
            }
        ],
    }
    return running.requests._post_payload(payload)


def test_a_newcomer_sees_how_to_start(running):
    view = open_home(running, ALICE)
    assert view["type"] == "home" and "/invite request" in json.dumps(view)


def test_accepting_an_invitation_from_the_home_tab(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{ALICE}>"))
    running.settled()
    view = open_home(running, ALICE)
    assert "invitation_accept" in json.dumps(view)
    click_in_home(running, view, "invitation_accept", ALICE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.settled()
    assert "invitation_accept" not in json.dumps(published_for(running, ALICE))


def test_an_admin_approves_with_a_role_chosen_in_the_home_tab(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command("request", user_id=ALICE))
    running.settled()
    view = open_home(running, ADMIN)
    text = json.dumps(view)
    assert "Seats:" in text and "request_approve" in text
    request_id = JoinRequest.get().id
    state = {
        f"request:{request_id}": {
            "request_role": {"type": "static_select", "selected_option": {"value": "viewer"}}
        }
    }
    click_in_home(running, view, "request_approve", ADMIN, state=state)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    _, members = running.app.lobby.teams.members(actor=Actor("T0LOBBY", ADMIN), team_name=None)
    assert members[ALICE] == ["viewer"]
