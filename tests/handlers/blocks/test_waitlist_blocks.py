"""The waitlist's messages: valid Block Kit, the buttons they carry, escaped team names."""

import json
from datetime import datetime

import pytest

from bot import errors
from bot.links.cards import CardFacts
from bot.outbox import waitlist_notices as wn
from bot.seats.waiting import Place, Queue, Waiter
from handlers.blocks import links, waitlist
from handlers.blocks.refusals import describe
from handlers.listeners.answers import answer_refusal
from tests.support.blockkit import assert_valid_message_blocks

SINCE = datetime(2026, 11, 23, 9, 0, 0)
HOSTILE = "a&b"


def buttons(message):
    return [
        (element["action_id"], element["value"])
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def assert_valid(message):
    assert message["text"]
    assert_valid_message_blocks(message["blocks"])


def test_a_refusal_for_seats_offers_join_the_waitlist():
    offer = waitlist.offer("Design has no free seat.", 7)
    assert_valid(offer)
    assert offer["text"].startswith("Design has no free seat.")
    assert buttons(offer) == [(waitlist.JOIN_WAITLIST, "7")]


def test_the_place_in_the_queue_carries_leave_the_waitlist():
    place = waitlist.on_waitlist(Place(team=HOSTILE, team_id=7, position=2, since=SINCE))
    assert_valid(place)
    assert "number 2" in place["text"] and "a&amp;b" in place["text"]
    assert buttons(place) == [(waitlist.LEAVE_WAITLIST, "7")]


def test_the_queue_lists_position_person_and_since():
    queue = waitlist.queue(Queue("Design", [Waiter(1, "UW1", SINCE), Waiter(2, "UW2", SINCE)]))
    assert_valid(queue)
    text = json.dumps(queue)
    assert "1. <@UW1>" in text and "2. <@UW2>" in text and "<!date^" in text
    assert "Nobody" in waitlist.queue(Queue("Design", []))["text"]


def test_the_promotion_dm_says_what_became_of_the_seat():
    admitted = wn.WaitlistPromoted(team="Design", user="UW", outcome=wn.ADMITTED, roles=["member"])
    requested = wn.WaitlistPromoted(team="Design", user="UW", outcome=wn.REQUESTED, roles=[])
    assert "in, as Member" in waitlist.promoted(admitted)["text"]
    assert "approvers" in waitlist.promoted(requested)["text"]
    for notice in (admitted, requested):
        assert_valid(waitlist.promoted(notice))


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            errors.AlreadyWaiting(HOSTILE, 2, SINCE),
            "already on the waitlist for *a&amp;b*, number 2",
        ),
        (errors.NotWaiting(HOSTILE), "aren't on the waitlist for *a&amp;b*"),
        (errors.SeatsAvailable(HOSTILE), "*a&amp;b* has a free seat"),
        (errors.InvitationWaiting(HOSTILE), "pending invitation to *a&amp;b*"),
        (errors.OutsideLinkDomains(HOSTILE), "`/invite request a&amp;b`"),
        (errors.TeamDeleted(), "no longer exists"),
    ],
)
def test_each_waitlist_refusal_is_worded(error, said):
    assert said in describe(error)


def full(waitlist_team_id=None):
    return errors.NoSeatsLeft("Design", 2, 2, 1, 0, ["UOWNER"], waitlist_team_id)


def test_only_a_link_join_refused_for_seats_is_answered_with_the_offer():
    answers = []

    def respond(**reply):
        answers.append(reply)

    answer_refusal(respond, full(waitlist_team_id=7))
    answer_refusal(respond, full())
    offered, plain = answers
    assert buttons(offered) == [(waitlist.JOIN_WAITLIST, "7")]
    assert "has no free seat" in offered["text"] and offered["response_type"] == "ephemeral"
    assert "blocks" not in plain and "has no free seat" in plain["text"]


@pytest.mark.parametrize("waitlist_open", [True, False])
def test_a_full_join_card_offers_the_waitlist_only_when_it_is_open(waitlist_open):
    card = CardFacts(
        team_id=7,
        team="Design",
        code="abc",
        joinable=False,
        seats_line="5 of 5 seats used",
        waitlist=waitlist_open,
    )
    message = links.join_card(card)
    assert_valid_message_blocks(message["blocks"])
    offered = (waitlist.JOIN_WAITLIST, "7") in buttons(message)
    assert offered is waitlist_open
    assert ("join the waitlist" in json.dumps(message)) is waitlist_open
