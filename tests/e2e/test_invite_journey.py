"""The spine's journey end to end: real HTTP, real signatures, the Slack stand-in."""

import copy
import json

import pytest

from storage.models import Invitation, Membership
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL

DESIGN_CHANNEL, SECRET_CHANNEL, DESIGN_GROUP = "C0DESIGN1", "G0SECRET1", "S0DESIGN1"


def set_up_design(running) -> None:
    slack = running.slack
    slack.add_channel(DESIGN_CHANNEL, "design")
    slack.add_usergroup(DESIGN_GROUP, "design-team", users=[CAROL])
    running.reply_to(running.command("team create Design"))
    reply = running.reply_to(
        running.command(
            f"team link Design <#{DESIGN_CHANNEL}|design> <!subteam^{DESIGN_GROUP}|@design-team>"
        )
    )
    assert "Linked" in reply
    running.settled()
    assert ADMIN in slack.channel_members(DESIGN_CHANNEL)


def invitation_dm(running, user_id):
    calls = running.delivered(
        lambda: [
            c for c in running.slack.calls_to("chat.postMessage") if c.args["channel"] == user_id
        ]
    )
    return calls[0]


def all_text(call) -> str:
    return json.dumps(call.args.get("blocks")) + str(call.args.get("text"))


def test_admin_creates_a_team_links_a_channel_and_group_and_lists_teams(running):
    reply = running.reply_to(running.command("team create Design"))
    assert "Created *Design*" in reply
    running.slack.add_channel(DESIGN_CHANNEL, "design")
    running.slack.add_usergroup(DESIGN_GROUP, "design-team")
    running.command("team link Design #design @design-team")  # plain-text forms
    running.delivered(lambda: running.slack.calls_to("conversations.join"))
    running.delivered(lambda: ADMIN in running.slack.usergroup_users(DESIGN_GROUP))
    listing = running.reply_to(running.command("teams"))
    assert "*Design*" in listing and f"<#{DESIGN_CHANNEL}>" in listing
    assert f"<!subteam^{DESIGN_GROUP}>" in listing


def test_a_private_channel_the_bot_is_not_in_is_flagged(running):
    running.slack.add_channel(SECRET_CHANNEL, "secret", is_private=True)
    running.reply_to(running.command("team create Design"))
    reply = running.reply_to(running.command("team link Design #secret"))
    assert "private and I'm not in it" in reply or "can't find the channel" in reply


def test_invite_accept_decline_journey(running):
    set_up_design(running)
    slack = running.slack
    reply = running.reply_to(
        running.command(f'<@{ALICE}|alice> <@{BOB}|bob> as member message "welcome aboard"')
    )
    assert f"Invited <@{ALICE}>, <@{BOB}> to *Design* as Member." in reply

    dm = invitation_dm(running, ALICE)
    assert f"<@{ADMIN}> invited you to join *Design* as *Member*" in all_text(dm)
    assert "welcome aboard" in all_text(dm)

    as_first_shown = copy.deepcopy(slack.message(dm.response["channel"], dm.response["ts"]))
    running.requests.click(dm, "invitation_accept", user_id=ALICE)
    running.delivered(lambda: ALICE in slack.channel_members(DESIGN_CHANNEL))
    running.delivered(lambda: set(slack.usergroup_users(DESIGN_GROUP)) >= {ALICE, CAROL})
    welcome = running.delivered(
        lambda: [m for m in slack.messages_to(ALICE) if "Welcome to *Design*" in (m.text or "")]
    )
    assert welcome
    running.delivered(
        lambda: [m for m in slack.messages_to(ADMIN) if "accepted your invitation" in m.text]
    )
    updated = running.delivered(lambda: slack.calls_to("chat.update"))
    assert "actions" not in json.dumps(updated[0].args["blocks"])
    assert "You accepted" in updated[0].args["text"]

    # A second click, on the message as it was first shown (a double-click).
    running.requests.click(as_first_shown, "invitation_accept", user_id=ALICE)
    again = running.delivered(
        lambda: slack.responses_to(running.requests.last_payload["response_url"])
    )
    assert "You already accepted this invitation" in again[0].payload["text"]
    assert Membership.select().where(Membership.user_id == ALICE).count() == 1

    bob_dm = invitation_dm(running, BOB)
    running.requests.click(bob_dm, "invitation_decline", user_id=BOB)
    running.delivered(
        lambda: [m for m in slack.messages_to(ADMIN) if "declined your invitation" in m.text]
    )
    assert Invitation.get(Invitation.invitee_user_id == BOB).status == "declined"


def test_inviting_by_email_looks_the_person_up(running):
    set_up_design(running)
    running.command("<mailto:alice@example.com|alice@example.com>")
    running.delivered(lambda: running.slack.calls_to("users.lookupByEmail"))
    invitation_dm(running, ALICE)


def test_members_and_already_invited_are_reported_per_person(running):
    set_up_design(running)
    running.reply_to(running.command(f"<@{ALICE}>"))
    reply = running.reply_to(running.command(f"<@{ALICE}> <@{ADMIN}> <@{BOB}>"))
    assert f"Already invited (still pending): <@{ALICE}>." in reply
    assert f"Already a member: <@{ADMIN}>." in reply
    members = running.reply_to(running.command("members"))
    assert f"<@{ADMIN}> — Owner" in members


def test_more_than_fifty_people_are_refused_and_nothing_is_sent(running):
    set_up_design(running)
    before = len(running.slack.calls)
    text = " ".join(f"user{i}@example.com" for i in range(51))
    reply = running.reply_to(running.command(text))
    assert "at most 50 people at once" in reply
    assert len(running.slack.calls) == before
    assert Invitation.select().count() == 0


def test_without_invite_permission_nothing_happens(running):
    set_up_design(running)
    before = len(running.slack.calls)
    reply = running.reply_to(running.command(f"<@{BOB}>", user_id=CAROL))
    assert "don't have permission to invite" in reply
    # Only reads: Carol's first-use email lookup (for waiting email invitations), and
    # perhaps the App Home refresh that follows the set-up's deliveries.
    made = {c.method for c in running.slack.calls[before:]}
    assert made <= {"users.info", "views.publish"} and "users.info" in made
    assert Invitation.select().count() == 0


def test_user_text_cannot_notify_the_channel(running):
    set_up_design(running)
    running.command(f"<@{ALICE}> message <!channel> &lt;!everyone&gt; &amp; tea")
    text = all_text(invitation_dm(running, ALICE))
    assert "<!channel>" not in text and "<!everyone>" not in text
    assert "&lt;!everyone&gt;" in text and "&amp; tea" in text


def test_lobby_answers_like_invite(running):
    reply = running.reply_to(running.command("help", command="/lobby"))
    assert "/lobby team create NAME" in reply


def test_a_command_from_another_workspace_is_refused(running):
    set_up_design(running)
    before = len(running.slack.calls)
    response = running.command("teams", team_id="T0OTHER")
    assert response.json["text"] == "Lobby isn't installed in this Slack workspace."
    assert running.slack.calls[before:] == []


@pytest.mark.http_only
def test_a_bad_signature_gets_401_and_changes_nothing(running):
    response = running.command("team create Design", signature="v0=deadbeef")
    assert response.status == 401
    assert running.slack.calls_to("users.info") == []


def test_healthz_answers_when_the_database_is_up(running):
    from urllib.request import urlopen

    with urlopen(running.url + "/healthz") as response:
        assert response.status == 200


def test_a_rate_limited_email_lookup_is_retried_and_the_invitation_goes_out(running):
    set_up_design(running)
    running.slack.fail("users.lookupByEmail", status=429, retry_after=1)
    running.command("alice@example.com")
    invitation_dm(running, ALICE)
    lookups = running.slack.calls_to("users.lookupByEmail")
    assert [c.status for c in lookups] == [429, 200]


def test_a_failing_slack_call_changes_nothing_and_says_so(running):
    running.slack.fail("users.info", status=500)
    reply = running.reply_to(running.command("team create Design"))
    assert "Slack didn't answer my request" in reply and "changed nothing" in reply
    assert running.reply_to(running.command("teams")).startswith("There are no teams yet")


def test_a_plain_name_without_a_slack_id_is_explained_and_nothing_is_sent(running):
    set_up_design(running)
    reply = running.reply_to(running.command("@alice"))
    assert "I can't tell who “@alice” is" in reply
    assert Invitation.select().count() == 0
