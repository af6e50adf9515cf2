"""Issue 14: every stale or repeated click is answered where it was made — in the
conversation it came from (its response_url) — never by a new DM; on one instance, and
when the second click is run by another instance."""

import copy
from dataclasses import replace

import pytest

from app import create_worker
from storage.models import JoinRequest, Membership
from tests.e2e.conftest import ADMIN, ALICE, BOB
from tests.e2e.test_invite_journey import invitation_dm
from tests.e2e.test_lifecycle import _as_message, list_message
from tests.e2e.test_links import post_card, set_up


def shown(running, message):
    """The message as the person saw it, before later updates."""
    if hasattr(message, "response"):  # a recorded chat.postMessage call
        message = running.slack.message(message.response["channel"], message.response["ts"])
    return copy.deepcopy(message)


def answer_to_last_click(running) -> str:
    url = running.requests.last_payload["response_url"]
    return running.slack.wait_for(lambda: running.slack.responses_to(url))[-1].payload["text"]


def invited(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{ALICE}>"))
    return shown(running, invitation_dm(running, ALICE)), ALICE


def requested(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command("request", user_id=ALICE))

    def copies():
        return [m for m in running.slack.messages_to(ADMIN) if "asks to join" in str(m.blocks)]

    return shown(running, running.delivered(copies)[0]), ADMIN


def listed(running):
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"<@{ALICE}>"))
    running.settled()
    post = list_message(running)
    message = {"channel": "C0GENERAL", "ts": "1.0", "blocks": post.payload["blocks"]}
    return _as_message(running, message), ADMIN


def listed_then_accepted(running):
    message, clicker = listed(running)
    running.requests.click(invitation_dm(running, ALICE), "invitation_accept", user_id=ALICE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())
    running.settled()
    return message, clicker


def carded(running):
    set_up(running)
    return shown(running, post_card(running)), BOB


SCENARIOS = {
    "accept": (invited, "invitation_accept", "You already accepted"),
    "decline": (invited, "invitation_decline", "You already declined"),
    "approve": (requested, "request_approve", "already approved"),
    "deny after approve": (requested, "request_deny", "already approved"),
    "cancel": (listed, "invitation_cancel", "was cancelled"),
    "resend after accept": (listed_then_accepted, "invitation_resend", "nothing to resend"),
    "join": (carded, "card_join", "already a member"),
    "request to join": (carded, "card_request", "already asked"),
}
FIRST_CLICK = {"deny after approve": "request_approve", "resend after accept": "invitation_resend"}


def settle_first(running, scenario: str) -> None:
    if scenario in ("accept", "join"):
        joined = Membership.select().where(Membership.user_id.in_([ALICE, BOB]))
        running.delivered(lambda: joined.exists())
    if scenario in ("approve", "deny after approve"):
        running.delivered(lambda: JoinRequest.get().status == "approved")
    running.settled()


@pytest.mark.parametrize("instances", ["one instance", "two instances"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_repeated_click_is_answered_where_it_was_made(running, scenario, instances):
    arrange, action_id, answer = SCENARIOS[scenario]
    message, clicker = arrange(running)
    running.requests.click(message, FIRST_CLICK.get(scenario, action_id), user_id=clicker)
    settle_first(running, scenario)
    dms_before = len(running.slack.messages_to(clicker))
    other = None
    if instances == "two instances":
        running.app.stop(timeout=10)  # from here on another instance runs the clicks
        settings = replace(running.settings, instance_id="lobby-2")
        other = create_worker(settings, clock=running.clock, jobs=False)
        other.start()
    try:
        running.requests.click(message, action_id, user_id=clicker)
        assert answer in answer_to_last_click(running)
        running.settled()
        assert len(running.slack.messages_to(clicker)) == dms_before  # no new DM
    finally:
        if other is not None:
            other.stop(timeout=10)
