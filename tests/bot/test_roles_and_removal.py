"""Custom roles, role changes, ownership, removal, sub-teams, settings, audit, tenancy."""

import pytest

from bot.errors import (
    CannotGrantRole,
    InvalidSetting,
    InvitationNotFound,
    LastOwner,
    NotAllowed,
    NotAMember,
    RequestNotFound,
    RoleInUse,
    TeamNotFound,
    UnknownPermission,
)
from bot.ports import ChannelFacts, UserGroupFacts
from bot.teams.service import ChannelRef, UserGroupRef
from storage.models import AuditEntry, Invitation, Membership, Notice, SyncGrant, Team
from tests.conftest import actor
from tests.support.outbox import payloads

OWNER = actor("UOWNER")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    directory.channels["C1"] = ChannelFacts("C1", "design", is_private=False, bot_is_member=True)
    directory.channels["C2"] = ChannelFacts("C2", "shared", is_private=False, bot_is_member=True)
    directory.usergroups["S1"] = UserGroupFacts("S1", "design-team")
    team = lobby.teams.create(actor=OWNER, name="Design", directory=directory)
    lobby.teams.link(
        actor=OWNER,
        team_name="Design",
        channels=[ChannelRef("C1"), ChannelRef("C2")],
        usergroups=[UserGroupRef("S1")],
        directory=directory,
    )
    return team


def join(lobby, directory, user_id, role="member", team="Design"):
    lobby.invitations.invite(
        actor=OWNER,
        team_name=team,
        user_ids=[user_id],
        emails=[],
        roles=[role],
        message=None,
        directory=directory,
    )
    invitation = Invitation.get(
        Invitation.invitee_user_id == user_id, Invitation.status == "pending"
    )
    lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)


def grant(user_id, kind, resource_id):
    SyncGrant.create(
        workspace_id="T0LOBBY",
        user_id=user_id,
        kind=kind,
        resource_id=resource_id,
        granted_at=Team.get().created_at,
    )


def test_owners_create_custom_roles_and_delete_unused_ones(lobby, directory, design):
    lobby.roles.create(
        actor=OWNER, team_name=None, name="contributor", permissions=["invite", "view"]
    )
    _, roles = lobby.roles.overview(actor=OWNER, team_name=None)
    assert ("contributor", ["invite", "view"]) in [(r.name, r.permissions) for r in roles]
    with pytest.raises(UnknownPermission):
        lobby.roles.create(actor=OWNER, team_name=None, name="x", permissions=["fly"])
    join(lobby, directory, "UA", role="contributor")
    with pytest.raises(RoleInUse):
        lobby.roles.delete(actor=OWNER, team_name=None, name="contributor")
    lobby.roles.set_roles(actor=OWNER, team_name=None, user_id="UA", roles=["member"])
    lobby.roles.delete(actor=OWNER, team_name=None, name="contributor")


def test_admins_cannot_create_custom_roles(lobby, directory, design):
    join(lobby, directory, "UADMIN", role="admin")
    with pytest.raises(NotAllowed):
        lobby.roles.create(actor=actor("UADMIN"), team_name=None, name="x", permissions=["view"])


def test_setting_roles_follows_no_escalation_and_keeps_an_owner(lobby, directory, design):
    join(lobby, directory, "UADMIN", role="admin")
    join(lobby, directory, "UA")
    assert lobby.roles.set_roles(
        actor=actor("UADMIN"), team_name=None, user_id="UA", roles=["manager", "viewer"]
    ) == ["manager", "viewer"]
    with pytest.raises(CannotGrantRole):  # worded as on every other path that grants
        lobby.roles.set_roles(actor=actor("UADMIN"), team_name=None, user_id="UA", roles=["owner"])
    with pytest.raises(NotAllowed):
        lobby.roles.set_roles(
            actor=actor("UADMIN"), team_name=None, user_id="UOWNER", roles=["member"]
        )
    with pytest.raises(LastOwner):
        lobby.roles.set_roles(actor=OWNER, team_name=None, user_id="UOWNER", roles=["admin"])
    with pytest.raises(NotAMember):
        lobby.roles.set_roles(actor=OWNER, team_name=None, user_id="UNOBODY", roles=["member"])


def test_transfer_hands_over_ownership(lobby, directory, design):
    join(lobby, directory, "UB")
    lobby.roles.transfer(actor=OWNER, team_name="Design", user_id="UB")
    _, members = lobby.teams.members(actor=OWNER, team_name=None)
    assert "owner" in members["UB"] and members["UOWNER"] == ["admin"]
    with pytest.raises(NotAllowed):
        lobby.roles.transfer(actor=OWNER, team_name="Design", user_id="UB")


def test_removal_takes_away_only_what_lobby_added_and_no_other_team_links(lobby, directory, design):
    other = lobby.teams.create(actor=OWNER, name="Ops", directory=directory)
    lobby.teams.link(
        actor=OWNER,
        team_name="Ops",
        channels=[ChannelRef("C2")],
        usergroups=[],
        directory=directory,
    )
    join(lobby, directory, "UA")
    join(lobby, directory, "UA", team="Ops")
    grant("UA", "channel", "C1")  # Lobby added UA to C1 and C2 and S1
    grant("UA", "channel", "C2")
    grant("UA", "usergroup", "S1")
    Notice.delete().execute()
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name="Design")
    assert Membership.find(design, "UA") is None and Membership.find(other, "UA") is not None
    assert [p["channel_id"] for p in payloads("remove_from_channel")] == ["C1"]  # Ops links C2
    assert [p["usergroup_id"] for p in payloads("remove_from_usergroup")] == ["S1"]
    assert payloads("removed")[0]["user"] == "UA"


def test_joins_made_by_hand_are_left_alone(lobby, directory, design):
    join(lobby, directory, "UA")  # no grant: they were in the channels already
    Notice.delete().execute()
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    assert payloads("remove_from_channel") == [] and payloads("remove_from_usergroup") == []


def test_removal_needs_manage_members_and_spares_the_last_owner(lobby, directory, design):
    join(lobby, directory, "UMGR", role="manager")
    join(lobby, directory, "UA")
    with pytest.raises(NotAllowed):
        lobby.removal.remove(actor=actor("UMGR"), user_id="UA", team_name=None)
    with pytest.raises(LastOwner):
        lobby.removal.remove(actor=OWNER, user_id="UOWNER", team_name=None)


def test_their_invitations_as_inviter_stay_valid(lobby, directory, design):
    join(lobby, directory, "UADMIN", role="admin")
    lobby.invitations.invite(
        actor=actor("UADMIN"),
        team_name=None,
        user_ids=["UX"],
        emails=[],
        roles=[],
        message=None,
        directory=directory,
    )
    lobby.removal.remove(actor=OWNER, user_id="UADMIN", team_name=None)
    assert Invitation.get(Invitation.invitee_user_id == "UX").status == "pending"


def test_leaving_slack_removes_them_everywhere_and_frees_seats(lobby, directory, design):
    lobby.seats.set_limit(actor=OWNER, team_name=None, plan=None, seats=3)
    join(lobby, directory, "UA")
    lobby.teams.create(actor=OWNER, name="Ops", directory=directory)
    join(lobby, directory, "UA", team="Ops")
    assert lobby.removal.left_workspace(workspace_id="T0LOBBY", user_id="UA") == 2
    assert not Membership.select().where(Membership.user_id == "UA").exists()
    assert lobby.seats.show(actor=OWNER, team_name="Design").free == 2


def test_sub_teams_share_the_roots_members_and_sync_its_links(lobby, directory, design):
    join(lobby, directory, "UA")
    sub = lobby.teams.create_sub_team(actor=OWNER, name="Research", parent_name="Design")
    assert sub.parent_id == design.id
    _, members = lobby.teams.members(actor=OWNER, team_name="Research")
    assert set(members) == {"UOWNER", "UA"}
    Notice.delete().execute()
    directory.channels["C3"] = ChannelFacts("C3", "research", is_private=False, bot_is_member=True)
    lobby.teams.link(
        actor=OWNER,
        team_name="Research",
        channels=[ChannelRef("C3")],
        usergroups=[],
        directory=directory,
    )
    assert {p["user"] for p in payloads("add_to_channel")} == {"UOWNER", "UA"}
    with pytest.raises(Exception) as refused:
        lobby.invitations.check_invite(actor=OWNER, team_name="Research", roles=[])
    assert type(refused.value).__name__ == "NotARootTeam"


def test_deleting_a_team_cancels_and_revokes(lobby, directory, design):
    join(lobby, directory, "UA")
    grant("UA", "channel", "C1")
    lobby.invitations.invite(
        actor=OWNER,
        team_name=None,
        user_ids=["UX"],
        emails=[],
        roles=[],
        message=None,
        directory=directory,
    )
    lobby.requests.ask(actor=actor("UR"), team_name=None, note=None)
    Notice.delete().execute()
    with pytest.raises(NotAllowed):
        lobby.removal.delete_team(actor=actor("UA"), team_name="Design")
    lobby.removal.delete_team(actor=OWNER, team_name="Design")
    assert Team.select().count() == 0 and Invitation.select().count() == 0
    assert [p["status"] for p in payloads("invitation_closed")] == ["cancelled"]
    assert [p["channel_id"] for p in payloads("remove_from_channel")] == ["C1"]
    assert AuditEntry.select().where(AuditEntry.action == "team.deleted").count() == 1


def test_settings_are_validated_before_anything_is_stored(lobby, directory, design):
    with pytest.raises(InvalidSetting) as refused:
        lobby.settings.update(actor=OWNER, team_name=None, changes={"invitation_expiry_days": 0})
    assert refused.value.field == "invitation_expiry_days"
    with pytest.raises(InvalidSetting):
        lobby.settings.update(actor=OWNER, team_name=None, changes={"default_role": "owner"})
    updated = lobby.settings.update(
        actor=OWNER,
        team_name=None,
        changes={"invite_policy": "members", "digest_enabled": True, "default_role": "viewer"},
    )
    assert updated.invite_policy == "members" and updated.digest_enabled
    assert AuditEntry.select().where(AuditEntry.action == "settings.changed").count() == 1


def test_the_audit_log_records_every_change_newest_first(lobby, directory, design):
    join(lobby, directory, "UA")
    lobby.roles.set_roles(actor=OWNER, team_name=None, user_id="UA", roles=["viewer"])
    entries = lobby.audit.latest(actor=OWNER, team_name=None)
    assert entries[0].action == "member.roles_changed" and entries[0].target == "UA"
    actions = {e.action for e in lobby.audit.everything(actor=OWNER, team_name=None)}
    assert {
        "team.created",
        "team.linked_channel",
        "invitation.sent",
        "invitation.accepted",
        "member.joined",
        "member.roles_changed",
    } <= actions
    with pytest.raises(NotAllowed):
        lobby.audit.latest(actor=actor("UA"), team_name=None)


def test_a_second_workspace_can_neither_see_nor_change_the_first(lobby, directory, design):
    join(lobby, directory, "UA")
    invitation = Invitation.get()
    request = lobby.requests.ask(actor=actor("UR"), team_name=None, note=None)
    intruder = actor("UOWNER", workspace_id="T0OTHER")
    assert lobby.teams.list(actor=intruder) == []
    for attempt in (
        lambda: lobby.teams.members(actor=intruder, team_name="Design"),
        lambda: lobby.removal.remove(actor=intruder, user_id="UA", team_name="Design"),
        lambda: lobby.links.show(actor=intruder, team_name="Design"),
        lambda: lobby.audit.latest(actor=intruder, team_name="Design"),
    ):
        with pytest.raises(TeamNotFound):
            attempt()
    with pytest.raises(InvitationNotFound):
        lobby.invitation_admin.cancel(actor=intruder, invitation_id=invitation.id)
    with pytest.raises(RequestNotFound):
        lobby.requests.approve(actor=intruder, request_id=request.id)
    with pytest.raises(RequestNotFound):
        lobby.requests.ask_by_team_id(actor=intruder, team_id=design.id, note=None)
    assert Membership.select().count() == 2
