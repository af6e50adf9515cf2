"""Issue 5 end to end: seats shown, set by Owners, and refusals when full."""

import copy
import json

from storage.models import Invitation, Membership
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL

LOUNGE = "C0LOUNGE1"


def set_up(running, seats: int):
    running.slack.add_channel(LOUNGE, "lounge", bot_is_member=True)
    running.reply_to(running.command("team create Design"))
    reply = running.reply_to(running.command(f"seats Design {seats}"))
    assert f"Seats: 1 of {seats} used" in reply


def last_response(running):
    url = running.requests.last_payload["response_url"]
    return running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload


def test_seats_shows_the_plan_and_only_owners_change_it(running):
    running.reply_to(running.command("team create Design"))
    shown = running.reply_to(running.command("seats"))
    assert "*Trial* plan" in shown and "no limit" in shown and "trial ends" in shown
    set_to = running.reply_to(running.command("seats professional"))
    assert "*Professional* plan" in set_to and "1 of 25 used" in set_to
    code = running.reply_to(running.command("link")).split("`")[1]
    running.reply_to(running.command(f"join {code}", user_id=ALICE))
    refused = running.reply_to(running.command("seats 100", user_id=ALICE))
    assert "don't have permission to set seats" in refused


def test_inviting_more_people_than_free_seats_sends_none(running):
    set_up(running, seats=3)
    reply = running.reply_to(running.command(f"<@{ALICE}> <@{BOB}> <@{CAROL}>"))
    assert "has 2 free seats and you asked for 3, so I sent none" in reply
    assert f"<@{ADMIN}> can add seats" in reply
    assert Invitation.select().count() == 0
    assert not running.slack.messages_to(ALICE)


def test_a_full_team_loses_its_join_button_and_old_cards_answer_with_seats(running):
    set_up(running, seats=2)
    running.reply_to(running.command("card", channel_id=LOUNGE))
    card = running.slack.messages_to(LOUNGE)[-1]
    old_card = copy.deepcopy(card)
    running.reply_to(running.command(f"<@{ALICE}>"))  # the invitation holds the last seat
    rendered = running.delivered(lambda: running.slack.calls_to("chat.update"))
    text = json.dumps(rendered[-1].args["blocks"])
    assert "card_join" not in text and "2 of 2 seats used" in text

    running.requests.click(old_card, "card_join", user_id=BOB)
    answer = last_response(running)["text"]
    assert "has no free seat" in answer and "2 of 2 seats are used" in answer
    assert not Membership.select().where(Membership.user_id == BOB).exists()
    told = running.delivered(
        lambda: [m for m in running.slack.messages_to(ADMIN) if "couldn't join" in m.text]
    )
    assert len(told) == 1


def test_approving_when_full_is_refused_and_request_copies_show_seats(running):
    set_up(running, seats=1)
    running.reply_to(running.command("request", user_id=ALICE))
    copy_call = running.delivered(
        lambda: [
            c
            for c in running.slack.calls_to("chat.postMessage")
            if "request_approve" in json.dumps(c.args.get("blocks"))
        ]
    )[0]
    assert "Seats: 1 of 1 used, 0 free." in json.dumps(copy_call.args["blocks"])
    running.requests.click(copy_call, "request_approve", user_id=ADMIN)
    assert "has no free seat" in last_response(running)["text"]
    assert not Membership.select().where(Membership.user_id == ALICE).exists()


def test_the_invite_modal_shows_seat_use(running):
    set_up(running, seats=5)
    running.command("")
    view = running.delivered(lambda: list(running.slack.views.values()))[0]
    assert "Seats: 1 of 5 used, 4 free." in json.dumps(view["blocks"])
