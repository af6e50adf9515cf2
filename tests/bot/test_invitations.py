from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.errors import (
    CannotGrantRole,
    InvitationClosed,
    InvitationNotFound,
    NotAllowed,
    NoTargets,
    NotYourInvitation,
    TooManyTargets,
    UnknownRole,
)
from bot.invitations.tokens import hash_token
from bot.ports import ChannelFacts, UserGroupFacts
from bot.teams.service import ChannelRef, UserGroupRef
from storage.db import db
from storage.models import AuditEntry, Invitation, Membership, Notice
from tests.conftest import actor
from tests.support.outbox import payloads

ADMIN = actor("UADMIN")


@pytest.fixture
def design(lobby, directory):
    directory.channels["C1"] = ChannelFacts("C1", "design", is_private=False, bot_is_member=True)
    directory.usergroups["S1"] = UserGroupFacts("S1", "design-team")
    team = lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    lobby.teams.link(
        actor=ADMIN,
        team_name="Design",
        channels=[ChannelRef("C1")],
        usergroups=[UserGroupRef("S1")],
        directory=directory,
    )
    Notice.delete().execute()
    return team


def invite(lobby, directory, *users, emails=(), roles=(), who=ADMIN, message=None):
    return lobby.invitations.invite(
        actor=who,
        team_name="Design",
        user_ids=list(users),
        emails=list(emails),
        roles=list(roles),
        message=message,
        directory=directory,
    )


def make_member(lobby, directory, user_id, role):
    invite(lobby, directory, user_id, roles=[role])
    invitation = Invitation.get(Invitation.invitee_user_id == user_id)
    lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)
    Notice.delete().execute()


def test_invite_records_an_invitation_and_a_dm_notice(lobby, directory, design, clock):
    result = invite(lobby, directory, "UALICE", "UBOB", message="welcome aboard")
    assert [o.status for o in result.outcomes] == ["invited", "invited"]
    assert result.roles == ["member"]
    sent = payloads("invitation_sent")
    assert [n["invitee"] for n in sent] == ["UALICE", "UBOB"]
    assert sent[0]["message"] == "welcome aboard" and sent[0]["inviter"] == "UADMIN"
    invitation = Invitation.get(Invitation.invitee_user_id == "UALICE")
    assert (invitation.expires_at - clock.now()).days == 7
    assert len(invitation.token_hash) == 64
    assert AuditEntry.select().where(AuditEntry.action == "invitation.sent").count() == 2


def test_inviting_members_or_invitees_again_says_so_per_person(lobby, directory, design):
    invite(lobby, directory, "UALICE")
    result = invite(lobby, directory, "UALICE", "UADMIN", "UCAROL")
    statuses = {o.target: o.status for o in result.outcomes}
    assert statuses == {
        "UALICE": "already_invited",
        "UADMIN": "already_member",
        "UCAROL": "invited",
    }
    assert Invitation.select().count() == 2


def test_more_than_fifty_targets_are_refused_and_nothing_is_sent(lobby, directory, design):
    users = [f"U{i:03}" for i in range(40)]
    emails = [f"p{i}@example.com" for i in range(11)]
    with pytest.raises(TooManyTargets) as refused:
        invite(lobby, directory, *users, emails=emails)
    assert refused.value.count == 51
    assert Invitation.select().count() == 0 and directory.lookups[-1:] != ["email?p0@example.com"]
    with pytest.raises(NoTargets):
        invite(lobby, directory)


def test_exactly_fifty_targets_are_invited(lobby, directory, design):
    result = invite(lobby, directory, *[f"U{i:03}" for i in range(50)])
    assert len(result.with_status("invited")) == 50


def test_email_of_a_slack_user_becomes_a_user_invitation(lobby, directory, design):
    directory.emails["alice@example.com"] = "UALICE"
    result = invite(lobby, directory, emails=["Alice@Example.com", "nobody@example.com", "bad@"])
    by_status = {o.status: o for o in result.outcomes}
    assert by_status["invited"].user_id == "UALICE"
    assert by_status["invalid_email"].target == "bad@"
    waiting = by_status["waiting_for_account"]
    stored = Invitation.get(Invitation.invitee_email == "nobody@example.com")
    assert stored.token_hash == hash_token(waiting.code) != waiting.code


def test_without_invite_permission_nothing_happens(lobby, directory, design):
    make_member(lobby, directory, "UVIEW", "viewer")
    with pytest.raises(NotAllowed):
        invite(lobby, directory, "UALICE", emails=["a@example.com"], who=actor("UVIEW"))
    assert Invitation.select().where(Invitation.status == "pending").count() == 0
    assert "email?a@example.com" not in directory.lookups


def test_no_escalation_a_manager_cannot_invite_an_admin(lobby, directory, design):
    make_member(lobby, directory, "UMGR", "manager")
    with pytest.raises(CannotGrantRole):
        invite(lobby, directory, "UALICE", roles=["admin"], who=actor("UMGR"))
    invite(lobby, directory, "UALICE", roles=["viewer"], who=actor("UMGR"))
    with pytest.raises(UnknownRole):
        invite(lobby, directory, "UBOB", roles=["wizard"])


def test_accept_makes_a_member_syncs_and_tells_people(lobby, directory, design):
    make_member(lobby, directory, "UADMIN2", "admin")
    invite(lobby, directory, "UALICE", roles=["manager", "viewer"], who=actor("UADMIN2"))
    invitation = Invitation.get(Invitation.invitee_user_id == "UALICE")
    lobby.invitations.accept(actor=actor("UALICE"), invitation_id=invitation.id)
    _, members = lobby.teams.members(actor=ADMIN, team_name="Design")
    assert members["UALICE"] == ["manager", "viewer"]
    assert payloads("add_to_channel")[0]["channel_id"] == "C1"
    assert payloads("add_to_usergroup")[0]["usergroup_id"] == "S1"
    assert payloads("welcome")[0]["user"] == "UALICE"
    assert payloads("invitation_accepted")[0]["inviter"] == "UADMIN2"
    # The other admin hears of the new member; the inviter already has.
    assert [n["recipient"] for n in payloads("new_member")] == ["UADMIN"]
    assert payloads("invitation_closed")[0]["status"] == "accepted"


def test_second_click_on_accept_changes_nothing_and_says_why(lobby, directory, design, clock):
    invite(lobby, directory, "UALICE")
    invitation = Invitation.get(Invitation.invitee_user_id == "UALICE")
    lobby.invitations.accept(actor=actor("UALICE"), invitation_id=invitation.id)
    before = Notice.select().count()
    for action in (lobby.invitations.accept, lobby.invitations.decline):
        with pytest.raises(InvitationClosed) as refused:
            action(actor=actor("UALICE"), invitation_id=invitation.id)
        assert refused.value.status == "accepted"
    assert Notice.select().count() == before
    assert Membership.select().count() == 2


def test_decline_tells_the_inviter_and_closes_the_invitation(lobby, directory, design):
    invite(lobby, directory, "UALICE")
    invitation = Invitation.get(Invitation.invitee_user_id == "UALICE")
    lobby.invitations.decline(actor=actor("UALICE"), invitation_id=invitation.id)
    assert payloads("invitation_declined")[0]["inviter"] == "UADMIN"
    assert Invitation.get_by_id(invitation.id).status == "declined"
    with pytest.raises(InvitationClosed) as refused:
        lobby.invitations.accept(actor=actor("UALICE"), invitation_id=invitation.id)
    assert refused.value.status == "declined"
    assert Membership.find(design, "UALICE") is None


def test_an_expired_invitation_is_refused_from_its_stored_time(lobby, directory, design, clock):
    invite(lobby, directory, "UALICE")
    invitation = Invitation.get(Invitation.invitee_user_id == "UALICE")
    clock.advance(days=7)
    with pytest.raises(InvitationClosed) as refused:
        lobby.invitations.accept(actor=actor("UALICE"), invitation_id=invitation.id)
    assert refused.value.status == "expired" and refused.value.at == invitation.expires_at
    assert Membership.find(design, "UALICE") is None


def test_only_the_invitee_may_answer(lobby, directory, design):
    invite(lobby, directory, "UALICE")
    invitation = Invitation.get(Invitation.invitee_user_id == "UALICE")
    with pytest.raises(NotYourInvitation):
        lobby.invitations.accept(actor=actor("UMALLORY"), invitation_id=invitation.id)
    with pytest.raises(InvitationNotFound):
        lobby.invitations.accept(actor=actor("UALICE", "T0OTHER"), invitation_id=invitation.id)
    assert Invitation.get_by_id(invitation.id).status == "pending"


def test_concurrent_accepts_make_one_member(lobby, directory, design, database):
    invite(lobby, directory, "UALICE")
    invitation = Invitation.get(Invitation.invitee_user_id == "UALICE")
    db.close()

    def click(_):
        with db.connection_context():
            try:
                lobby.invitations.accept(actor=actor("UALICE"), invitation_id=invitation.id)
                return "accepted"
            except InvitationClosed:
                return "refused"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(click, range(8)))
    db.connect(reuse_if_open=True)
    assert results.count("accepted") == 1
    assert Notice.select().where(Notice.kind == "welcome").count() == 1
