"""Link joins limited to email domains: others are turned into join requests."""

import pytest

from bot.errors import InvalidDomain, LinkJoinsDisabled, NotAllowed
from storage.models import JoinRequest, Membership, Team
from tests.conftest import actor

ADMIN = actor("UADMIN")


@pytest.fixture
def design(lobby, directory):
    directory.emails.update({"ann@acme.com": "UANN", "ian@ACME.IO": "UIAN", "eve@evil.com": "UEVE"})
    team = lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    lobby.links.set_domains(actor=ADMIN, team_name=None, domains=["acme.com", "Acme.io"])
    return team


def join(lobby, directory, user_id):
    code = lobby.links.show(actor=ADMIN, team_name=None).code
    return lobby.links.join_with_code(actor=actor(user_id), code=code, directory=directory)


def test_people_with_an_email_in_the_domains_join(lobby, directory, design):
    assert join(lobby, directory, "UANN").requested is False
    joined = lobby.links.join_from_card(actor=actor("UIAN"), team_id=design.id, directory=directory)
    assert joined.requested is False
    assert Membership.find(design, "UIAN") is not None


def test_people_outside_the_domains_become_join_requests(lobby, directory, design):
    joined = join(lobby, directory, "UEVE")
    assert joined.requested is True and Membership.find(design, "UEVE") is None
    assert JoinRequest.get().requester_user_id == "UEVE"


def test_people_with_no_email_visible_are_outside(lobby, directory, design):
    assert join(lobby, directory, "UNOEMAIL").requested is True
    assert "email-of?UNOEMAIL" in directory.lookups


def test_outside_the_domains_with_link_joins_off_is_refused(lobby, directory, design):
    Team.update(link_policy="disabled").execute()
    with pytest.raises(LinkJoinsDisabled):
        join(lobby, directory, "UEVE")
    assert not JoinRequest.select().exists()


def test_any_lifts_the_limit_and_the_link_shows_the_domains(lobby, directory, design):
    assert lobby.links.show(actor=ADMIN, team_name=None).domains == ["acme.com", "acme.io"]
    info = lobby.links.set_domains(actor=ADMIN, team_name=None, domains=None)
    assert info.domains is None
    assert join(lobby, directory, "UEVE").requested is False


def test_without_domains_no_email_is_looked_up(lobby, directory, design):
    lobby.links.set_domains(actor=ADMIN, team_name=None, domains=None)
    join(lobby, directory, "UEVE")
    assert not [lookup for lookup in directory.lookups if lookup.startswith("email-of")]


@pytest.mark.parametrize("bad", ["acme", "acme..com", "-acme.com", "a b.com", "acme.com/x"])
def test_a_malformed_domain_is_refused_naming_it(lobby, design, bad):
    with pytest.raises(InvalidDomain) as refused:
        lobby.links.set_domains(actor=ADMIN, team_name=None, domains=["ok.com", bad])
    assert refused.value.domain == bad
    assert lobby.links.show(actor=ADMIN, team_name=None).domains == ["acme.com", "acme.io"]


def test_only_admins_set_the_domains(lobby, directory, design):
    join(lobby, directory, "UANN")
    with pytest.raises(NotAllowed):
        lobby.links.set_domains(actor=actor("UANN"), team_name=None, domains=None)
