"""Sponsor review end to end: `members` says who brought each person in; when that person
leaves, the admins get one review with Keep / Remove, and a second click is answered
where it was made."""

import copy

from storage.models import Membership
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL
from tests.e2e.test_access_ends import DESIGN, join_for, set_up
from tests.e2e.test_links import code_in


def member(user_id: str) -> bool:
    return Membership.select().where(Membership.user_id == user_id).exists()


def review_dms(running, user_id):
    return [m for m in running.slack.messages_to(user_id) if "They brought in" in (m.text or "")]


def alice_brought_in_bob(running):
    """Alice (an Admin) invites Bob; Carol joins by link."""
    set_up(running)
    join_for(running, ALICE, "as admin")
    reply = running.reply_to(running.command(f"<@{BOB}>", user_id=ALICE))
    assert "nvited" in reply, reply
    bob_dm = running.delivered(lambda: running.slack.messages_to(BOB))[0]
    running.requests.click(bob_dm, "invitation_accept", user_id=BOB)
    running.delivered(lambda: member(BOB))
    code = code_in(running.reply_to(running.command("link")))
    assert "Welcome" in running.reply_to(running.command(f"join {code}", user_id=CAROL))
    running.settled()


def test_members_says_who_brought_each_person_in(running):
    alice_brought_in_bob(running)
    listed = running.reply_to(running.command("members"))
    assert f"<@{ADMIN}> — Owner · created the team" in listed
    assert f"<@{ALICE}> — Admin · invited by <@{ADMIN}>" in listed
    assert f"<@{BOB}> — Member · invited by <@{ALICE}>" in listed
    assert f"<@{CAROL}> — Member · joined by link" in listed


def test_a_removal_sends_one_review_and_remove_takes_the_member_out(running):
    alice_brought_in_bob(running)
    assert BOB in running.slack.channel_members(DESIGN)
    assert "Removed" in running.reply_to(running.command(f"remove <@{ALICE}>"))
    dm = running.delivered(lambda: review_dms(running, ADMIN) or None)[0]
    assert f"<@{BOB}>" in str(dm.blocks) and f"<@{CAROL}>" not in str(dm.blocks)
    running.settled()
    assert len(review_dms(running, ADMIN)) == 1 and member(BOB)
    stale = copy.deepcopy(dm)  # as a second click sees it, before the update arrives
    running.requests.click(dm, "sponsor_remove", user_id=ADMIN)
    running.delivered(lambda: not member(BOB))
    running.delivered(lambda: "removed by" in str(running.slack.message(dm.channel, dm.ts).blocks))
    running.settled()
    assert BOB not in running.slack.channel_members(DESIGN)
    running.requests.click(stale, "sponsor_keep", user_id=ADMIN)
    url = running.requests.last_payload["response_url"]
    answer = running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload
    assert f"<@{BOB}> was already removed on *Design* by <@{ADMIN}>" in answer["text"]
    running.settled()
    assert not member(BOB) and len(review_dms(running, ADMIN)) == 1
