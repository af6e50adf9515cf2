import json
from datetime import datetime

import pytest

from bot.invitations.service import InviteResult
from bot.invitations.targets import Outcome
from bot.teams.service import LinkResult, TeamSummary
from handlers.blocks import help as help_blocks
from handlers.blocks import invitations
from handlers.blocks import teams as teams_blocks
from tests.support.blockkit import assert_valid_message_blocks, assert_valid_view

EXPIRES = datetime(2026, 11, 30, 9, 0, 0)
HOSTILE = "<!channel> a & b <c>"
ESCAPED = "&lt;!channel&gt; a &amp; b &lt;c&gt;"


def assert_valid_message(message):
    assert message["text"]
    assert_valid_message_blocks(message["blocks"])


def rendered(message):
    return json.dumps(message, ensure_ascii=False)


def invitation_dm(personal_message):
    return invitations.invitation_dm(
        invitation_id=7,
        generation=1,
        team="Design",
        inviter="UADMIN",
        roles=["member", "lead"],
        personal_message=personal_message,
        expires_at=EXPIRES,
    )


def outcome(status, i):
    if status in ("invited", "already_member", "already_invited"):
        return Outcome(target=f"UPERSON{i:02d}", status=status, user_id=f"UPERSON{i:02d}")
    if status == "invalid_email":
        return Outcome(target=f"person{i}@", status=status, reason="no domain")
    return Outcome(target=f"person{i}@example.com", status=status, code=f"CODE{i:04d}")


STATUSES = ["invited", "already_member", "already_invited", "invalid_email", "waiting_for_account"]


@pytest.mark.parametrize("personal_message", [None, "See you there!\nBring snacks."])
def test_an_invitation_dm_is_valid_with_and_without_a_personal_message(personal_message):
    message = invitation_dm(personal_message)
    assert_valid_message(message)
    (buttons,) = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in buttons["elements"]] == ["7:1", "7:1"]
    quoted = "> See you there!\n> Bring snacks."
    texts = [block["text"]["text"] for block in message["blocks"] if block["type"] == "section"]
    assert (quoted in texts) == bool(personal_message)


def test_a_personal_message_is_escaped():
    text = rendered(invitation_dm(HOSTILE))
    assert ESCAPED in text
    assert "<!channel>" not in text


@pytest.mark.parametrize("status", sorted(invitations.CLOSED_HEADLINES))
def test_a_closed_invitation_is_valid_for_each_status_and_has_no_buttons(status):
    message = invitations.invitation_closed(team="Design", status=status)
    assert_valid_message(message)
    assert all(block["type"] != "actions" for block in message["blocks"])


@pytest.mark.parametrize("teams", [["Design"], ["Design", "Research", "Ops"]])
def test_the_invite_modal_is_valid_with_one_team_and_with_several(teams):
    view = invitations.invite_modal(
        teams=teams, roles=["member", "lead"], default_role="member", seat_lines=["Seats: 1 used"]
    )
    assert_valid_view(view)
    assert view["blocks"][0]["elements"][0]["text"] == "Seats: 1 used"
    block_ids = [block.get("block_id") for block in view["blocks"]]
    assert ("team" in block_ids) == (len(teams) > 1)
    assert view.get("private_metadata") == (teams[0] if len(teams) == 1 else None)


def test_the_help_message_is_valid():
    message = help_blocks.help_message("/invite")
    assert_valid_message(message)
    assert "`/invite`" in message["text"]


def test_small_replies_are_valid_and_escape_user_text():
    for message in [teams_blocks.team_created(HOSTILE), teams_blocks.team_created("Design")]:
        assert_valid_message(message)
    assert ESCAPED in rendered(teams_blocks.team_created(HOSTILE))


@pytest.mark.parametrize(
    "summaries",
    [
        [],
        [
            TeamSummary("Design", None, 1, ["C1"], ["S1"]),
            TeamSummary("UX", "Design", 12, [], []),
        ],
    ],
    ids=["no_teams", "teams"],
)
def test_the_teams_list_is_valid(summaries):
    assert_valid_message(teams_blocks.teams_list(summaries))


def test_the_members_list_is_valid():
    message = teams_blocks.members_list("Design", {"UADMIN": ["owner"], "UIVY": ["member", "lead"]})
    assert_valid_message(message)
    assert "2 members" in message["text"]


def test_a_link_result_is_valid_and_escapes_labels():
    result = LinkResult(
        team="Design",
        linked=["#design", HOSTILE],
        already_linked=["@design-team"],
        bot_must_be_added_to=["#secret"],
    )
    message = teams_blocks.link_result(result)
    assert_valid_message(message)
    assert ESCAPED in message["text"] and "<!channel>" not in message["text"]


@pytest.mark.parametrize("status", STATUSES)
def test_an_invite_summary_is_valid_for_each_outcome(status):
    result = InviteResult(team="Design", roles=["member"], outcomes=[outcome(status, 1)])
    assert_valid_message(invitations.invite_summary(result))


def test_an_invite_summary_with_no_outcomes_says_no_one_was_invited():
    message = invitations.invite_summary(InviteResult(team="Design", roles=["member"], outcomes=[]))
    assert_valid_message(message)
    assert message["text"] == "No one was invited."


def test_an_invite_summary_escapes_names_emails_and_reasons():
    outcomes = [
        Outcome(target=HOSTILE, status="invalid_email", reason=HOSTILE),
        Outcome(target=HOSTILE, status="waiting_for_account", code="CODE1"),
        Outcome(target=HOSTILE, status="already_invited"),
    ]
    result = InviteResult(team="Design", roles=["member"], outcomes=outcomes)
    message = invitations.invite_summary(result, unknown_names=[HOSTILE])
    text = rendered(message["blocks"])
    assert text.count(ESCAPED) == 5
    assert "<!channel>" not in text


def test_an_invite_summary_for_fifty_mixed_targets_stays_within_fifty_blocks():
    outcomes = [outcome(STATUSES[i % len(STATUSES)], i) for i in range(50)]
    result = InviteResult(team="Design", roles=["member"], outcomes=outcomes)
    message = invitations.invite_summary(result, unknown_names=[f"someone{i}" for i in range(10)])
    assert_valid_message(message)
    assert len(message["blocks"]) <= 50


def test_a_long_message_is_split_at_line_ends_and_never_cuts_a_mention():
    from handlers.blocks.common import message

    text = "\n".join(f"<@U{i:08}> — Member, Viewer" for i in range(400))
    built = message(text)
    assert_valid_message_blocks(built["blocks"])
    sections = [block["text"]["text"] for block in built["blocks"]]
    assert all(len(s) <= 3000 for s in sections) and len(sections) > 1
    assert "\n".join(sections) == text
