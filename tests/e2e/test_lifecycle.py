"""Issue 3 end to end: listing, resend, cancel, expiry, email invitations."""

import copy
import json

from storage.models import Invitation, Membership, Team
from tests.e2e.conftest import ADMIN, ALICE, BOB
from tests.e2e.test_invite_journey import all_text, invitation_dm

NEWBIE = "U0NEWBIE1"


def create_team(running):
    running.reply_to(running.command("team create Design"))


def list_message(running, text="list"):
    running.command(text)
    url = running.requests.last_payload["response_url"]
    return running.slack.wait_for(lambda: running.slack.responses_to(url))[0]


def buttons(payload) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for block in payload["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
    ]


def response_to_last_click(running):
    url = running.requests.last_payload["response_url"]
    return running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload


def test_list_shows_pending_invitations_with_resend_and_cancel(running):
    create_team(running)
    running.reply_to(running.command(f"<@{ALICE}> <@{BOB}>"))
    post = list_message(running)
    text = json.dumps(post.payload)
    assert f"<@{ALICE}>" in text and f"<@{ADMIN}>" in text and "pending" in text
    ids = {b[0] for b in buttons(post.payload)}
    assert ids == {"invitation_resend", "invitation_cancel"}


def test_cancel_updates_the_invitees_dm_and_refuses_the_old_buttons(running):
    create_team(running)
    running.reply_to(running.command(f"<@{ALICE}>"))
    dm = as_shown(running, invitation_dm(running, ALICE))
    post = list_message(running)
    cancel_value = dict(buttons(post.payload))["invitation_cancel"]
    message = {"channel": "C0GENERAL", "ts": "1.0", "blocks": post.payload["blocks"]}
    running.requests.click(_as_message(running, message), "invitation_cancel", user_id=ADMIN)
    assert "Cancelled the invitation" in response_to_last_click(running)["text"]
    updated = running.delivered(lambda: running.slack.calls_to("chat.update"))
    assert "was cancelled" in updated[0].args["text"]
    assert Invitation.get_by_id(int(cancel_value)).status == "cancelled"
    running.requests.click(dm, "invitation_accept", user_id=ALICE)
    refused = response_to_last_click(running)["text"]
    assert "was cancelled" in refused and f"Ask <@{ADMIN}>" in refused


def test_an_expired_invitation_says_when_and_whom_to_ask_and_is_resent_in_one_click(running):
    create_team(running)
    running.reply_to(running.command(f"<@{ALICE}>"))
    first_dm = as_shown(running, invitation_dm(running, ALICE))
    running.clock.advance(days=8)
    running.requests.click(first_dm, "invitation_accept", user_id=ALICE)
    refused = response_to_last_click(running)["text"]
    assert "This invitation expired on" in refused and f"Ask <@{ADMIN}>" in refused

    post = list_message(running, "list expired")
    assert [b[0] for b in buttons(post.payload)] == ["invitation_resend"]
    message = {"channel": "C0GENERAL", "ts": "1.0", "blocks": post.payload["blocks"]}
    running.requests.click(_as_message(running, message), "invitation_resend", user_id=ADMIN)
    assert "again" in response_to_last_click(running)["text"]
    second = running.delivered(lambda: _dms_with_buttons(running, ALICE)[1:])[0]
    running.delivered(
        lambda: [c for c in running.slack.calls_to("chat.update") if "sent again" in str(c.args)]
    )
    running.requests.click(first_dm, "invitation_accept", user_id=ALICE)
    assert "sent again: use the newest message" in response_to_last_click(running)["text"]
    running.requests.click(second, "invitation_accept", user_id=ALICE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == ALICE).exists())


def test_the_invitation_list_is_paginated(running):
    create_team(running)
    running.reply_to(running.command(" ".join(f"<@U0PAGE{i:03}>" for i in range(20))))
    post = list_message(running)
    assert [b[0] for b in buttons(post.payload)][-1] == "invitations_page_next"
    message = {"channel": "C0GENERAL", "ts": "1.0", "blocks": post.payload["blocks"]}
    running.requests.click(_as_message(running, message), "invitations_page_next", user_id=ADMIN)
    page_two = response_to_last_click(running)
    assert page_two["replace_original"] is True
    assert "invitations_page_previous" in [b[0] for b in buttons(page_two)]


def test_without_smtp_the_admin_gets_the_code_and_the_newcomer_joins_with_it(running):
    create_team(running)
    reply = running.reply_to(running.command("newbie@example.com"))
    code = reply.split("Their invite code: `")[1].split("`")[0]
    running.slack.add_user(NEWBIE, "newbie", email="someone-else@example.com")
    joined = running.reply_to(running.command(f"join {code}", user_id=NEWBIE))
    assert "You joined *Design*" in joined
    again = running.reply_to(running.command(f"join {code}", user_id=NEWBIE))
    assert "You already accepted this invitation" in again


def test_with_smtp_the_invitation_is_emailed_then_offered_when_the_person_joins_slack(
    start_app, smtp
):
    smtp_url, inbox = smtp
    running = start_app(smtp_url=smtp_url, join_url="https://lobby-test.slack.com/join/xyz")
    create_team(running)
    reply = running.reply_to(running.command('newbie@example.com message "hi & welcome"'))
    assert "Emailed an invitation to newbie@example.com" in reply
    mail = running.slack.wait_for(lambda: inbox.messages)[0]
    body = mail.get_body().get_content()
    assert mail["To"] == "newbie@example.com" and "Design" in mail["Subject"]
    assert "https://lobby-test.slack.com/join/xyz" in body and "/invite join " in body
    assert "hi & welcome" in body

    running.slack.add_user(NEWBIE, "newbie", email="newbie@example.com")
    running.requests.event(
        {"type": "team_join", "user": {"id": NEWBIE, "profile": {"email": "newbie@example.com"}}}
    )
    dm = invitation_dm(running, NEWBIE)
    assert "invited you to join *Design*" in all_text(dm)
    running.requests.click(dm, "invitation_accept", user_id=NEWBIE)
    running.delivered(lambda: Membership.select().where(Membership.user_id == NEWBIE).exists())


def test_first_use_of_the_app_offers_a_waiting_email_invitation(running):
    create_team(running)
    running.reply_to(running.command("newbie@example.com"))
    running.slack.add_user(NEWBIE, "newbie", email="newbie@example.com")
    running.reply_to(running.command("help", user_id=NEWBIE))
    invitation_dm(running, NEWBIE)


def test_the_daily_limit_refuses_with_when_to_try_again(running):
    create_team(running)
    Team.update(daily_invite_limit=1).execute()
    running.reply_to(running.command(f"<@{ALICE}>"))
    reply = running.reply_to(running.command(f"<@{BOB}>"))
    assert "at most 1 invitations a day" in reply and "You can invite again" in reply


def as_shown(running, call):
    """The message as the person saw it then, before later updates."""
    return copy.deepcopy(running.slack.message(call.response["channel"], call.response["ts"]))


def _dms_with_buttons(running, user_id):
    return [
        c
        for c in running.slack.calls_to("chat.postMessage")
        if c.args["channel"] == user_id and "invitation_accept" in json.dumps(c.args)
    ]


def _as_message(running, message):
    """An ephemeral reply as a clickable message (Slack sends its blocks back with the click)."""
    from tests.support.slack_standin import Message

    return Message(
        channel=message["channel"],
        ts=message["ts"],
        text="",
        blocks=message["blocks"],
        user=running.slack.bot_user_id,
    )
