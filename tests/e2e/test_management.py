"""Issue 6 end to end: roles, removal with kicks, settings, audit, deletion, sub-teams."""

import csv
import io

from storage.models import AuditEntry, Membership, Team
from tests.e2e.conftest import ADMIN, ALICE, BOB, CAROL
from tests.e2e.test_invite_journey import invitation_dm

DESIGN, RESEARCH, GROUP = "C0DESIGN1", "C0RESRCH1", "S0DESIGN1"


def set_up(running):
    running.slack.add_channel(DESIGN, "design")
    running.slack.add_usergroup(GROUP, "design-team", users=[CAROL])
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"team link Design <#{DESIGN}|design> <!subteam^{GROUP}|@d>"))
    running.settled()


def member(running, user_id, role="member"):
    running.reply_to(running.command(f"<@{user_id}> as {role}"))
    running.requests.click(invitation_dm(running, user_id), "invitation_accept", user_id=user_id)
    running.delivered(lambda: Membership.select().where(Membership.user_id == user_id).exists())
    running.settled()


def last_response(running):
    url = running.requests.last_payload["response_url"]
    return running.slack.wait_for(lambda: running.slack.responses_to(url))[0].payload


def test_custom_roles_and_role_changes(running):
    set_up(running)
    member(running, ALICE)
    created = running.reply_to(running.command("role create contributor invite,view"))
    assert "Created the role *contributor*" in created
    assert "*Contributor* (custom)" in running.reply_to(running.command("roles"))
    changed = running.reply_to(running.command(f"role <@{ALICE}> viewer,contributor"))
    assert f"<@{ALICE}> now has the roles Contributor, Viewer" in changed
    refused = running.reply_to(running.command(f"role <@{ADMIN}> admin"))
    assert "must keep an Owner" in refused
    in_use = running.reply_to(running.command("role delete contributor"))
    assert "still held" in in_use


def test_removal_kicks_from_what_lobby_added_and_reports_refusals(running):
    set_up(running)
    member(running, ALICE)
    member(running, CAROL)  # Carol was in the user group before Lobby
    assert ALICE in running.slack.channel_members(DESIGN)
    running.slack.kicks_restricted = True
    reply = running.reply_to(running.command(f"remove <@{ALICE}>"))
    assert f"Removed <@{ALICE}> from *Design*" in reply
    told = running.delivered(
        lambda: [m for m in running.slack.messages_to(ADMIN) if "refused to remove" in m.text]
    )
    assert "restricted_action" in told[0].text
    running.settled()
    refusal = AuditEntry.get(AuditEntry.action == "channel.kick_refused")
    assert refusal.target == ALICE and "restricted_action" in refusal.details
    assert ALICE not in running.slack.usergroup_users(GROUP)
    running.slack.kicks_restricted = False
    running.reply_to(running.command(f"remove <@{CAROL}>"))
    running.settled()
    assert CAROL in running.slack.usergroup_users(GROUP)  # she was there by hand
    assert CAROL not in running.slack.channel_members(DESIGN)
    removed_dm = running.delivered(
        lambda: [m for m in running.slack.messages_to(CAROL) if "You were removed" in m.text]
    )
    assert removed_dm


def test_the_settings_modal_saves_and_shows_inline_errors(running):
    set_up(running)
    running.command("settings")
    view_id = running.delivered(lambda: list(running.slack.views))[0]
    bad = running.requests.submit_view(
        view_id,
        {"invitation_expiry_days": {"invitation_expiry_days": {"value": "0"}}},
        user_id=ADMIN,
    )
    assert bad.json["response_action"] == "errors"
    assert "from 1 to 90" in bad.json["errors"]["invitation_expiry_days"]
    good = running.requests.submit_view(
        view_id,
        {
            "link_policy": {"link_policy": {"selected_option": {"value": "approval"}}},
            "digest_enabled": {"digest_enabled": {"selected_options": [{"value": "on"}]}},
        },
        user_id=ADMIN,
    )
    assert good.status == 200 and not good.text
    team = Team.get()
    assert team.link_policy == "approval" and team.digest_enabled


def test_audit_lists_changes_and_exports_csv(running):
    set_up(running)
    member(running, ALICE)
    latest = running.reply_to(running.command("audit"))
    assert "`member.joined`" in latest and "`invitation.accepted`" in latest
    sent = running.reply_to(running.command("audit Design csv"))
    assert "as a CSV file" in sent
    upload = next(iter(running.slack.uploads.values()))
    rows = list(csv.reader(io.StringIO(upload.data.decode())))
    assert rows[0] == ["time_utc", "team", "actor", "action", "target", "details"]
    assert {"team.created", "member.joined"} <= {row[3] for row in rows[1:]}
    assert upload.channel.startswith("D")
    refused = running.reply_to(running.command("audit", user_id=ALICE))
    assert "don't have permission" in refused


def test_deleting_a_team_asks_then_cancels_and_revokes(running):
    set_up(running)
    member(running, ALICE)
    running.command("team delete Design")
    confirm = last_response(running)
    button = confirm["blocks"][-1]["elements"][0]
    assert button["confirm"]["confirm"]["text"] == "Delete"
    from tests.e2e.test_lifecycle import _as_message

    message = {"channel": "C0GENERAL", "ts": "1.0", "blocks": confirm["blocks"]}
    running.requests.click(_as_message(running, message), "team_delete", user_id=ADMIN)
    assert "Deleted *Design*" in last_response(running)["text"]
    running.settled()
    assert Team.select().count() == 0
    assert ALICE not in running.slack.channel_members(DESIGN)


def test_sub_teams_sync_the_roots_members_into_their_channels(running):
    set_up(running)
    member(running, ALICE)
    running.slack.add_channel(RESEARCH, "research")
    assert "Created *Research*" in running.reply_to(
        running.command("team create Research parent Design")
    )
    running.reply_to(running.command(f"team link Research <#{RESEARCH}|research>"))
    running.settled()
    assert {ADMIN, ALICE} <= running.slack.channel_members(RESEARCH)
    teams = running.reply_to(running.command("teams"))
    assert "*Research* (in *Design*)" in teams


def test_leaving_slack_removes_them_from_every_team(running):
    set_up(running)
    member(running, BOB)
    running.requests.event({"type": "user_change", "user": {"id": BOB, "deleted": True}})
    running.delivered(lambda: not Membership.select().where(Membership.user_id == BOB).exists())
    assert "1 member" in running.reply_to(running.command("teams"))


def test_a_private_channel_is_joined_and_left_through_lobby(running):
    """Private channels use the groups: scopes (groups:write for invite and kick alike)."""
    private = "G0SECRET1"
    running.slack.add_channel(private, "secret", is_private=True, bot_is_member=True)
    running.reply_to(running.command("team create Design"))
    running.reply_to(running.command(f"team link Design <#{private}|secret>"))
    running.settled()
    member(running, ALICE)
    running.delivered(lambda: ALICE in running.slack.channel_members(private))
    running.reply_to(running.command(f"remove <@{ALICE}>"))
    running.delivered(lambda: ALICE not in running.slack.channel_members(private))
