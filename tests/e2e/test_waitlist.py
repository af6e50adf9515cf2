"""The waitlist end to end: a full team offers it, a freed seat admits the longest waiting
and DMs them, admins list the queue, and people leave it."""

from storage.models import Membership, WaitlistEntry
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL
from tests.support.slack_standin import Message

LOUNGE = "C0LOUNGE1"


def full_team(running):
    """Design with two seats, held by its Owner and Alice."""
    running.slack.add_channel(LOUNGE, "lounge", bot_is_member=True)
    running.reply_to(running.command("team create Design"))
    code = running.reply_to(running.command("link")).split("`")[1]
    running.reply_to(running.command(f"join {code}", user_id=ALICE))
    running.reply_to(running.command("seats Design 2"))
    return code


def answer(running) -> dict:
    """The answer to the last command or click, posted to its response_url."""
    url = running.requests.last_payload["response_url"]
    return running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload


def clickable(running, payload) -> Message:
    """An ephemeral answer as a message to click (Slack sends its blocks back with a click)."""
    return Message(
        channel="C0GENERAL",
        ts="1.0",
        text="",
        blocks=payload["blocks"],
        user=running.slack.bot_user_id,
    )


def test_join_the_waitlist_from_a_refusal_then_a_removal_admits_and_dms(running):
    code = full_team(running)
    running.command(f"join {code}", user_id=BOB)
    refusal = answer(running)
    assert "has no free seat" in refusal["text"]
    running.requests.click(clickable(running, refusal), "waitlist_join", user_id=BOB)
    placed = answer(running)
    assert "on the waitlist for *Design*, number 1" in placed["text"]
    running.requests.click(clickable(running, refusal), "waitlist_join", user_id=BOB)
    assert "already on the waitlist" in answer(running)["text"]

    running.reply_to(running.command(f"remove <@{ALICE}>"))
    dm = running.delivered(
        lambda: [m for m in running.slack.messages_to(BOB) if "off the waitlist" in m.text]
    )
    assert "you're off the waitlist and in, as Member" in dm[0].text
    assert Membership.get(Membership.user_id == BOB).joined_via == "waitlist"
    assert not WaitlistEntry.select().where(WaitlistEntry.status == "waiting").exists()


def test_admins_list_the_queue_and_others_are_refused(running):
    full_team(running)
    running.reply_to(running.command("waitlist join", user_id=BOB))
    running.clock.advance(minutes=5)
    running.reply_to(running.command("waitlist join Design", user_id=CAROL))
    queue = running.reply_to(running.command("waitlist"))
    assert f"1. <@{BOB}>" in queue and f"2. <@{CAROL}>" in queue and "since" in queue
    refused = running.reply_to(running.command("waitlist", user_id=ALICE))
    assert "don't have permission to see the waitlist" in refused


def test_leave_the_waitlist_with_its_button_and_by_command(running):
    full_team(running)
    running.command("waitlist join", user_id=BOB)
    placed = answer(running)
    running.requests.click(clickable(running, placed), "waitlist_leave", user_id=BOB)
    assert "You left the waitlist for *Design*" in answer(running)["text"]
    running.reply_to(running.command("waitlist join", user_id=CAROL))
    assert "You left" in running.reply_to(running.command("waitlist leave", user_id=CAROL))
    again = running.reply_to(running.command("waitlist leave", user_id=CAROL))
    assert "aren't on the waitlist" in again
    assert "Nobody is waiting" in running.reply_to(running.command("waitlist", user_id=ADMIN))
    running.reply_to(running.command(f"remove <@{ALICE}>"))
    running.settled()
    assert not any("waitlist" in (m.text or "") for m in running.slack.messages_to(BOB))
    assert not Membership.select().where(Membership.user_id.in_([BOB, CAROL])).exists()
