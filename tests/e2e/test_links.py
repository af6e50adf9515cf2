"""Invite links and join cards end to end."""

from storage.models import Membership, Team
from tests.e2e.conftest import ALICE, BOB, CAROL

LOUNGE = "C0LOUNGE1"


def code_in(reply: str) -> str:
    return reply.split("`")[1]


def set_up(running):
    running.slack.add_channel(LOUNGE, "lounge", bot_is_member=True)
    running.reply_to(running.command("team create Design"))


def post_card(running):
    reply = running.reply_to(running.command("card", channel_id=LOUNGE))
    assert "Posted a join card for *Design*" in reply
    return running.slack.messages_to(LOUNGE)[-1]


def test_link_shows_the_code_uses_and_the_permalink_of_the_latest_card(running):
    set_up(running)
    before = running.reply_to(running.command("link"))
    assert "0 uses, never expires" in before and "No join card yet" in before
    post_card(running)
    after = running.reply_to(running.command("link"))
    assert "Link: http" in after
    assert running.slack.calls_to("chat.getPermalink")


def test_join_with_the_code_and_with_the_cards_join_button(running):
    set_up(running)
    code = code_in(running.reply_to(running.command("link")))
    joined = running.reply_to(running.command(f"join {code}", user_id=ALICE))
    assert "You joined *Design* as Member" in joined
    card = post_card(running)
    running.requests.click(card, "card_join", user_id=BOB)
    running.delivered(lambda: Membership.select().where(Membership.user_id == BOB).exists())
    again = running.reply_to(running.command(f"join {code}", user_id=ALICE))
    assert "already a member" in again


def test_reset_kills_the_old_code_and_rerenders_the_card(running):
    set_up(running)
    old = code_in(running.reply_to(running.command("link")))
    post_card(running)
    reset = running.reply_to(running.command("link reset"))
    new = reset.split("Invite code for *Design*: `")[1].split("`")[0]
    assert new != old and "old code no longer works" in reset
    updated = running.delivered(lambda: running.slack.calls_to("chat.update"))
    assert new in str(updated[0].args["blocks"])
    refused = running.reply_to(running.command(f"join {old}", user_id=ALICE))
    assert "was reset" in refused and "Ask <@" in refused
    assert not Membership.select().where(Membership.user_id == ALICE).exists()


def test_wrong_and_used_up_codes_are_refused_with_which(running):
    set_up(running)
    assert "doesn't exist" in running.reply_to(running.command("join nope", user_id=ALICE))
    limited = running.reply_to(running.command("link limit uses 1"))
    assert "0 uses of 1" in limited
    code = code_in(limited)
    running.reply_to(running.command(f"join {code}", user_id=ALICE))
    refused = running.reply_to(running.command(f"join {code}", user_id=BOB))
    assert "used as many times as allowed" in refused


def test_an_expired_code_is_refused(running):
    set_up(running)
    code = code_in(running.reply_to(running.command("link limit expires 1")))
    running.clock.advance(days=2)
    assert "has expired" in running.reply_to(running.command(f"join {code}", user_id=ALICE))


def test_disabled_link_joins_show_no_join_button_and_refuse_codes(running):
    set_up(running)
    Team.update(link_policy="disabled").execute()
    card = post_card(running)
    actions = [e["action_id"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["card_request"]
    code = code_in(running.reply_to(running.command("link")))
    refused = running.reply_to(running.command(f"join {code}", user_id=CAROL))
    assert "Joining *Design* with a link is turned off" in refused


def test_a_card_in_a_channel_the_bot_is_not_in_says_so(running):
    set_up(running)
    reply = running.reply_to(running.command("card"))  # C0GENERAL: the bot is not a member
    assert "I'm not in this channel" in reply


def test_only_people_who_may_invite_see_or_post_the_link(running):
    set_up(running)
    assert "don't have permission" in running.reply_to(running.command("link", user_id=ALICE))
    reply = running.reply_to(running.command("link reset", user_id=ALICE))
    assert "don't have permission" in reply
