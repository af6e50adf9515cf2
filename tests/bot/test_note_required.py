"""Notes on requests: the team setting makes a note required on join and role requests."""

import pytest

from bot.errors import InvalidSetting, NoteRequired
from storage.models import Invitation, JoinRequest, Notice, RoleRequest
from tests.conftest import actor

OWNER = actor("UOWNER")
ALICE = actor("UALICE")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    team = lobby.teams.create(actor=OWNER, name="Design", directory=directory)
    lobby.invitations.invite(
        actor=OWNER,
        team_name="Design",
        user_ids=["UBOB"],
        emails=[],
        roles=["member"],
        message=None,
        directory=directory,
    )
    lobby.invitations.accept(actor=actor("UBOB"), invitation_id=Invitation.get().id)
    Notice.delete().execute()
    return team


def require_notes(lobby) -> None:
    lobby.settings.update(actor=OWNER, team_name=None, changes={"note_required": True})


def test_the_setting_is_off_by_default_and_owners_turn_it_on(lobby, design):
    assert lobby.settings.show(actor=OWNER, team_name=None)[1].note_required is False
    require_notes(lobby)
    assert lobby.settings.show(actor=OWNER, team_name=None)[1].note_required is True
    with pytest.raises(InvalidSetting):
        lobby.settings.update(actor=OWNER, team_name=None, changes={"note_required": "yes"})


def test_a_bare_join_request_is_refused_naming_the_setting(lobby, design):
    require_notes(lobby)
    for note in (None, "   "):
        with pytest.raises(NoteRequired) as refused:
            lobby.requests.ask(actor=ALICE, team_name=None, note=note)
        assert refused.value.setting == "note_required" and refused.value.team == "Design"
    with pytest.raises(NoteRequired):
        lobby.requests.ask_in_words(actor=ALICE, text="Design")
    assert JoinRequest.select().count() == 0 and Notice.select().count() == 0
    lobby.requests.ask_in_words(actor=ALICE, text="Design I draw")
    assert JoinRequest.get().note == "I draw"


def test_a_bare_role_request_is_refused_naming_the_setting(lobby, design):
    require_notes(lobby)
    with pytest.raises(NoteRequired):
        lobby.role_requests.ask(actor=actor("UBOB"), role="viewer", team_name=None, note=None)
    assert RoleRequest.select().count() == 0 and Notice.select().count() == 0
    lobby.role_requests.ask(actor=actor("UBOB"), role="viewer", team_name=None, note="please")


def test_bare_requests_are_taken_when_the_setting_is_off(lobby, design):
    lobby.requests.ask(actor=ALICE, team_name=None, note=None)
    lobby.role_requests.ask(actor=actor("UBOB"), role="viewer", team_name=None, note=None)


def test_the_request_modal_learns_which_teams_need_a_note(lobby, design):
    assert lobby.requests.teams_needing_note(actor=ALICE, team_names=["Design"]) == set()
    require_notes(lobby)
    assert lobby.requests.teams_needing_note(actor=ALICE, team_names=["Design"]) == {"Design"}
    with pytest.raises(NoteRequired):
        lobby.requests.check_note_given(actor=ALICE, team_name="Design", note="")
    lobby.requests.check_note_given(actor=ALICE, team_name="Design", note="hi")


def test_a_link_join_turned_request_needs_a_note_too(lobby, design):
    design.link_policy = "approval"
    design.save()
    require_notes(lobby)
    code = lobby.links.show(actor=OWNER, team_name=None).code
    with pytest.raises(NoteRequired):
        lobby.links.join_with_code(actor=ALICE, code=code)
    assert JoinRequest.select().count() == 0
