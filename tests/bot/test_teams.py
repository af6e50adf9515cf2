import pytest

from bot.errors import (
    InvalidTeamName,
    NotAllowed,
    NothingToLink,
    NotWorkspaceAdmin,
    ResourceNotFound,
    TeamNameTaken,
    TeamNotFound,
    TeamRequired,
    UserGroupsUnavailable,
)
from bot.ports import ChannelFacts, UserGroupFacts
from bot.teams.service import ChannelRef, UserGroupRef
from storage.models import AuditEntry, LinkedResource, Membership, Team
from tests.conftest import WORKSPACE, actor
from tests.support.outbox import payloads

ADMIN = actor("UADMIN")


def test_workspace_admin_creates_a_team_and_becomes_its_owner(lobby, directory):
    team = lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    _, members = lobby.teams.members(actor=ADMIN, team_name="design")
    assert members == {"UADMIN": ["owner"]}
    assert team.workspace_id == WORKSPACE
    assert team.invitation_expiry_days == 7 and team.invite_policy == "managers"
    assert team.link_policy == "open" and team.default_role == "member"
    assert team.daily_invite_limit == 100 and team.request_expiry_days == 14
    assert [e.action for e in AuditEntry.select()] == ["team.created", "member.joined"]


def test_a_non_admin_cannot_create_a_team_and_nothing_changes(lobby, directory):
    with pytest.raises(NotWorkspaceAdmin):
        lobby.teams.create(actor=actor("UBOB"), name="Design", directory=directory)
    assert Team.select().count() == 0 and AuditEntry.select().count() == 0


@pytest.mark.parametrize("name", ["two words", "x" * 33, "list", "LINK", "dé", ""])
def test_bad_team_names_are_refused_before_slack_is_asked(lobby, directory, name):
    with pytest.raises(InvalidTeamName):
        lobby.teams.create(actor=ADMIN, name=name, directory=directory)
    assert directory.lookups == []


def test_team_names_are_unique_ignoring_case(lobby, directory):
    lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    with pytest.raises(TeamNameTaken):
        lobby.teams.create(actor=ADMIN, name="DESIGN", directory=directory)
    assert Team.select().count() == 1


def test_the_same_name_is_free_in_another_workspace(lobby, directory):
    lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    lobby.teams.create(actor=actor("UADMIN", "T0OTHER"), name="Design", directory=directory)
    assert [t.name for t in lobby.teams.list(actor=actor("UX", "T0OTHER"))] == ["Design"]


def test_team_may_be_left_out_only_when_there_is_one(lobby, directory):
    lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    assert lobby.teams.members(actor=ADMIN, team_name=None)[0].name == "Design"
    lobby.teams.create(actor=ADMIN, name="Ops", directory=directory)
    with pytest.raises(TeamRequired) as refused:
        lobby.teams.members(actor=ADMIN, team_name=None)
    assert refused.value.known == ["Design", "Ops"]
    with pytest.raises(TeamNotFound):
        lobby.teams.members(actor=ADMIN, team_name="Nope")


@pytest.fixture
def design(lobby, directory):
    directory.channels["C1"] = ChannelFacts("C1", "design", is_private=False, bot_is_member=False)
    directory.channels["C2"] = ChannelFacts("C2", "secret", is_private=True, bot_is_member=False)
    directory.usergroups["S1"] = UserGroupFacts("S1", "design-team")
    return lobby.teams.create(actor=ADMIN, name="Design", directory=directory)


def test_linking_joins_public_channels_and_flags_private_ones(lobby, directory, design):
    result = lobby.teams.link(
        actor=ADMIN,
        team_name="Design",
        channels=[ChannelRef("C1", None), ChannelRef(None, "secret")],
        usergroups=[UserGroupRef(None, "design-team")],
        directory=directory,
    )
    assert result.linked == ["#design", "#secret", "@design-team"]
    assert result.bot_must_be_added_to == ["#secret"]
    assert [n["channel_id"] for n in payloads("join_channel")] == ["C1"]
    # The Owner, already a member, is synced into what was linked.
    assert {n["channel_id"] for n in payloads("add_to_channel")} == {"C1", "C2"}
    assert [n["usergroup_id"] for n in payloads("add_to_usergroup")] == ["S1"]
    summary = lobby.teams.list(actor=ADMIN)[0]
    assert summary.channels == ["C1", "C2"] and summary.usergroups == ["S1"]


def test_linking_twice_says_already_linked_and_adds_nothing(lobby, directory, design):
    link = dict(actor=ADMIN, team_name="Design", channels=[ChannelRef("C1")], usergroups=[])
    lobby.teams.link(**link, directory=directory)
    again = lobby.teams.link(**link, directory=directory)
    assert again.already_linked == ["#design"] and again.linked == []
    assert LinkedResource.select().count() == 1


def test_linking_needs_settings_permission(lobby, directory, design):
    with pytest.raises(NotAllowed):
        lobby.teams.link(
            actor=actor("UBOB"),
            team_name="Design",
            channels=[ChannelRef("C1")],
            usergroups=[],
            directory=directory,
        )
    assert LinkedResource.select().count() == 0


def test_linking_unknown_things_is_refused_whole(lobby, directory, design):
    with pytest.raises(ResourceNotFound) as refused:
        lobby.teams.link(
            actor=ADMIN,
            team_name="Design",
            channels=[ChannelRef("C1"), ChannelRef(None, "nowhere")],
            usergroups=[],
            directory=directory,
        )
    assert refused.value.reference == "nowhere"
    assert LinkedResource.select().count() == 0
    with pytest.raises(NothingToLink):
        lobby.teams.link(
            actor=ADMIN, team_name="Design", channels=[], usergroups=[], directory=directory
        )


def test_user_groups_on_a_free_plan_are_refused(lobby, directory, design):
    directory.usergroups_available = False
    with pytest.raises(UserGroupsUnavailable):
        lobby.teams.link(
            actor=ADMIN,
            team_name="Design",
            channels=[],
            usergroups=[UserGroupRef("S1")],
            directory=directory,
        )


def test_members_need_view_permission(lobby, directory, design):
    with pytest.raises(NotAllowed):
        lobby.teams.members(actor=actor("USTRANGER"), team_name="Design")
    assert Membership.select().count() == 1
