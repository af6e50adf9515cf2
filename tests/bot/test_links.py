"""Invite codes: show, reset, limits, joining by code or card, and the link policy."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.errors import AlreadyMember, CodeRefused, LinkJoinsDisabled, NotAllowed
from storage.db import db
from storage.models import InviteCode, Membership, Notice
from tests.conftest import actor

ADMIN = actor("UADMIN")


@pytest.fixture
def design(lobby, directory):
    return lobby.teams.create(actor=ADMIN, name="Design", directory=directory)


def code_of(lobby):
    return lobby.links.show(actor=ADMIN, team_name=None).code


def test_every_root_team_gets_a_random_code_of_128_bits(lobby, design):
    info = lobby.links.show(actor=ADMIN, team_name=None)
    assert len(info.code) >= 22 and info.uses == 0 and info.max_uses is None
    assert info.expires_at is None and info.latest_card is None


def test_joining_with_the_code_gives_the_default_role(lobby, design):
    joined = lobby.links.join_with_code(actor=actor("UALICE"), code=code_of(lobby))
    assert joined.roles == ["member"]
    assert Membership.find(design, "UALICE") is not None
    assert lobby.links.show(actor=ADMIN, team_name=None).uses == 1
    kinds = {n.kind for n in Notice.select()}
    assert {"welcome", "new_member"} <= kinds


def test_a_member_joining_again_is_told_they_are_in(lobby, design):
    code = code_of(lobby)
    lobby.links.join_with_code(actor=actor("UALICE"), code=code)
    with pytest.raises(AlreadyMember):
        lobby.links.join_with_code(actor=actor("UALICE"), code=code)
    assert lobby.links.show(actor=ADMIN, team_name=None).uses == 1


def test_reset_kills_the_old_code_at_once(lobby, design):
    old = code_of(lobby)
    new = lobby.links.reset(actor=ADMIN, team_name=None).code
    assert new != old
    with pytest.raises(CodeRefused) as refused:
        lobby.links.join_with_code(actor=actor("UALICE"), code=old)
    assert refused.value.reason == "reset" and refused.value.ask == "UADMIN"
    lobby.links.join_with_code(actor=actor("UALICE"), code=new)


def test_reset_rerenders_the_teams_join_cards(lobby, design):
    lobby.links.remember_card(actor=ADMIN, team_id=design.id, channel="C1", ts="1.1")
    new = lobby.links.reset(actor=ADMIN, team_name=None).code
    render = json.loads(Notice.get(Notice.kind == "render_join_cards").payload)
    assert render["code"] == new and render["joinable"] is True
    assert lobby.links.show(actor=ADMIN, team_name=None).latest_card == ("C1", "1.1")


def test_a_wrong_code_is_refused_and_nothing_changes(lobby, design):
    with pytest.raises(CodeRefused) as refused:
        lobby.links.join_with_code(actor=actor("UALICE"), code="not-a-code")
    assert refused.value.reason == "unknown"
    assert Membership.select().count() == 1


def test_a_used_up_code_is_refused(lobby, design):
    lobby.links.limit(
        actor=ADMIN, team_name=None, max_uses=1, expires_days=None, never_expires=False
    )
    code = code_of(lobby)
    lobby.links.join_with_code(actor=actor("UALICE"), code=code)
    with pytest.raises(CodeRefused) as refused:
        lobby.links.join_with_code(actor=actor("UBOB"), code=code)
    assert refused.value.reason == "used_up"


def test_an_expired_code_is_refused_from_its_stored_time(lobby, design, clock):
    lobby.links.limit(
        actor=ADMIN, team_name=None, max_uses=None, expires_days=2, never_expires=False
    )
    code = code_of(lobby)
    clock.advance(days=2)
    with pytest.raises(CodeRefused) as refused:
        lobby.links.join_with_code(actor=actor("UALICE"), code=code)
    assert refused.value.reason == "expired"
    lobby.links.limit(
        actor=ADMIN, team_name=None, max_uses=None, expires_days=None, never_expires=True
    )
    lobby.links.join_with_code(actor=actor("UALICE"), code=code)


def test_disabled_link_joins_are_refused(lobby, design):
    design.link_policy = "disabled"
    design.save()
    with pytest.raises(LinkJoinsDisabled):
        lobby.links.join_with_code(actor=actor("UALICE"), code=code_of(lobby))
    assert lobby.links.card(actor=ADMIN, team_name=None).joinable is False


def test_only_those_who_may_invite_see_the_code_and_only_admins_reset_it(lobby, design):
    lobby.links.join_with_code(actor=actor("UALICE"), code=code_of(lobby))
    with pytest.raises(NotAllowed):
        lobby.links.show(actor=actor("UALICE"), team_name=None)
    with pytest.raises(NotAllowed):
        lobby.links.reset(actor=actor("UALICE"), team_name=None)
    with pytest.raises(NotAllowed):
        lobby.links.card(actor=actor("UALICE"), team_name=None)


def test_a_card_join_uses_the_current_code(lobby, design):
    lobby.links.reset(actor=ADMIN, team_name=None)
    lobby.links.join_from_card(actor=actor("UALICE"), team_id=design.id)
    assert InviteCode.current(design).uses == 1


def test_concurrent_joins_never_exceed_max_uses(lobby, design, database):
    lobby.links.limit(
        actor=ADMIN, team_name=None, max_uses=3, expires_days=None, never_expires=False
    )
    code = code_of(lobby)
    db.close()

    def join(i):
        with db.connection_context():
            try:
                lobby.links.join_with_code(actor=actor(f"U{i:03}"), code=code)
                return "joined"
            except CodeRefused as refused:
                return refused.reason

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(join, range(12)))
    db.connect(reuse_if_open=True)
    assert results.count("joined") == 3 and results.count("used_up") == 9
    assert Membership.select().count() == 4
