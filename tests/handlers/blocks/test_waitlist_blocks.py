"""The waitlist's messages: valid Block Kit, the buttons they carry, escaped team names."""

import json
from datetime import datetime

from bot.outbox import waitlist_notices as wn
from bot.seats.waiting import Place, Queue, Waiter
from handlers.blocks import waitlist
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
