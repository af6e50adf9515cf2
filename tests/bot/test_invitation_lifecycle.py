"""Expiry, resend, cancel, listing, email invitations and the daily limit."""

import json
from datetime import timedelta

import pytest

from bot.errors import (
    CannotGrantRole,
    DailyInviteLimitReached,
    InvitationClosed,
    InvitationNotResendable,
    InvitationReplaced,
    NotAllowed,
    NotYourInvitation,
)
from bot.invitations.admin import PAGE_SIZE
from bot.invitations.tokens import hash_token
from bot.service import Lobby
from storage.models import Invitation, KnownUser, Notice
from tests.conftest import actor

ADMIN = actor("UADMIN")


@pytest.fixture
def design(lobby, directory):
    return lobby.teams.create(actor=ADMIN, name="Design", directory=directory)


def invite(lobby, directory, *users, emails=(), who=ADMIN, roles=()):
    return lobby.invitations.invite(
        actor=who,
        team_name="Design",
        user_ids=list(users),
        emails=list(emails),
        roles=list(roles),
        message=None,
        directory=directory,
    )


def invitation_of(user_id):
    return Invitation.get(Invitation.invitee_user_id == user_id)


def kinds():
    """The notices recorded, oldest first; the queued Home publishes left aside."""
    query = Notice.select().where(Notice.kind != "publish_home").order_by(Notice.id)
    return [n.kind for n in query]


def test_expiry_follows_the_team_setting(lobby, directory, design, clock):
    design.invitation_expiry_days = 3
    design.save()
    invite(lobby, directory, "UALICE")
    assert (invitation_of("UALICE").expires_at - clock.now()).days == 3


def test_an_expired_invitation_no_longer_blocks_a_new_one(lobby, directory, design, clock):
    invite(lobby, directory, "UALICE")
    clock.advance(days=8)
    result = invite(lobby, directory, "UALICE")
    assert result.outcomes[0].status == "invited"
    statuses = sorted(i.status for i in Invitation.select())
    assert statuses == ["expired", "pending"]


def test_listing_reads_expiry_from_stored_times_and_pages(lobby, directory, design, clock):
    invite(lobby, directory, *[f"U{i:03}" for i in range(PAGE_SIZE + 2)])
    clock.advance(days=8)
    invite(lobby, directory, "UNEW")
    pending = lobby.invitation_admin.list(actor=ADMIN, team_name=None, status="pending")
    assert [r.invitee_user_id for r in pending.rows] == ["UNEW"]
    expired = lobby.invitation_admin.list(actor=ADMIN, team_name=None, status="expired")
    assert expired.total == PAGE_SIZE + 2 and expired.pages == 2
    assert len(expired.rows) == PAGE_SIZE and {r.status for r in expired.rows} == {"expired"}
    second = lobby.invitation_admin.list(actor=ADMIN, team_name=None, status="all", page=2)
    assert second.page == 2 and len(second.rows) == 3


def test_listing_needs_invite_permission(lobby, directory, design):
    with pytest.raises(NotAllowed):
        lobby.invitation_admin.list(actor=actor("USTRANGER"), team_name=None)


def test_resend_renews_expiry_and_kills_the_old_dm(lobby, directory, design, clock):
    invite(lobby, directory, "UALICE")
    old = invitation_of("UALICE")
    clock.advance(days=8)
    resent = lobby.invitation_admin.resend(actor=ADMIN, invitation_id=old.id)
    renewed = resent.invitation
    assert renewed.status == "pending" and renewed.generation == old.generation + 1
    assert renewed.expires_at == clock.now() + (old.expires_at - old.created_at)
    assert renewed.token_hash != old.token_hash
    assert kinds()[-2:] == ["invitation_replaced", "invitation_sent"]
    with pytest.raises(InvitationReplaced):
        lobby.invitations.accept(
            actor=actor("UALICE"), invitation_id=old.id, generation=old.generation
        )
    lobby.invitations.accept(
        actor=actor("UALICE"), invitation_id=old.id, generation=renewed.generation
    )


def test_accepted_or_cancelled_invitations_cannot_be_resent(lobby, directory, design):
    invite(lobby, directory, "UALICE")
    invitation = invitation_of("UALICE")
    lobby.invitation_admin.cancel(actor=ADMIN, invitation_id=invitation.id)
    with pytest.raises(InvitationNotResendable) as refused:
        lobby.invitation_admin.resend(actor=ADMIN, invitation_id=invitation.id)
    assert refused.value.status == "cancelled"


def test_cancel_closes_the_invitation_and_updates_the_dm(lobby, directory, design, clock):
    invite(lobby, directory, "UALICE")
    invitation = invitation_of("UALICE")
    lobby.invitation_admin.cancel(actor=ADMIN, invitation_id=invitation.id)
    closed = Notice.select().where(Notice.kind == "invitation_closed").order_by(Notice.id.desc())
    closed = json.loads(closed.first().payload)
    assert closed["status"] == "cancelled" and closed["generation"] == 1
    with pytest.raises(InvitationClosed) as refused:
        lobby.invitations.accept(actor=actor("UALICE"), invitation_id=invitation.id)
    assert refused.value.status == "cancelled" and refused.value.inviter_user_id == "UADMIN"
    with pytest.raises(InvitationClosed):
        lobby.invitation_admin.cancel(actor=ADMIN, invitation_id=invitation.id)


def test_a_manager_cannot_cancel_an_invitation_they_could_not_send(lobby, directory, design):
    invite(lobby, directory, "UMGR", roles=["manager"])
    lobby.invitations.accept(actor=actor("UMGR"), invitation_id=invitation_of("UMGR").id)
    invite(lobby, directory, "UALICE", roles=["admin"])
    with pytest.raises(CannotGrantRole):
        lobby.invitation_admin.cancel(actor=actor("UMGR"), invitation_id=invitation_of("UALICE").id)
    assert invitation_of("UALICE").status == "pending"


def test_without_smtp_an_email_invitation_gives_the_admin_its_code(lobby, directory, design):
    outcome = invite(lobby, directory, emails=["new@example.com"]).outcomes[0]
    assert outcome.status == "waiting_for_account"
    assert Invitation.get().token_hash == hash_token(outcome.code)
    assert "email_invitation" not in kinds()


def test_with_smtp_an_email_notice_carries_the_code(database, clock, directory):
    lobby = Lobby(clock=clock, email_enabled=True)
    lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    outcome = invite(lobby, directory, emails=["new@example.com"]).outcomes[0]
    assert outcome.status == "emailed" and outcome.code is None
    notice = json.loads(Notice.get(Notice.kind == "email_invitation").payload)
    assert Invitation.get().token_hash == hash_token(notice["code"])


def test_a_waiting_email_invitation_is_offered_when_the_person_appears(lobby, directory, design):
    outcome = invite(lobby, directory, emails=["new@example.com"]).outcomes[0]
    offered = lobby.email_claims.user_appeared(actor=actor("UNEW"), email="New@Example.com")
    assert offered == [Invitation.get().id]
    assert kinds()[-1] == "invitation_sent"
    assert lobby.email_claims.is_known(actor("UNEW"))
    assert KnownUser.get().email == "new@example.com"
    lobby.invitations.accept(actor=actor("UNEW"), invitation_id=offered[0])
    with pytest.raises(NotYourInvitation):  # the code is now bound to that person
        lobby.invitations.accept_code(actor=actor("UOTHER"), code=outcome.code)


def test_an_email_code_is_redeemed_once(lobby, directory, design):
    code = invite(lobby, directory, emails=["new@example.com"]).outcomes[0].code
    lobby.invitations.accept_code(actor=actor("UNEW"), code=code)
    with pytest.raises(InvitationClosed) as refused:
        lobby.invitations.accept_code(actor=actor("UNEW"), code=code)
    assert refused.value.status == "accepted"
    assert lobby.invitations.accept_code(actor=actor("UNEW"), code="nonsense") is None


def test_the_daily_limit_refuses_the_whole_batch_and_says_when(lobby, directory, design, clock):
    design.daily_invite_limit = 3
    design.save()
    invite(lobby, directory, "U1", "U2")
    clock.advance(hours=1)
    with pytest.raises(DailyInviteLimitReached) as refused:
        invite(lobby, directory, "U3", "U4")
    assert refused.value.remaining == 1 and refused.value.requested == 2
    assert refused.value.next_at == clock.now() + timedelta(hours=23)
    assert Invitation.select().count() == 2
    clock.advance(hours=23)
    invite(lobby, directory, "U3", "U4")
    assert Invitation.select().count() == 4


def test_resending_an_email_invitation_emails_a_new_code_and_the_old_one_dies(
    database, clock, directory
):
    lobby = Lobby(clock=clock, email_enabled=True)
    lobby.teams.create(actor=ADMIN, name="Design", directory=directory)
    invite(lobby, directory, emails=["new@example.com"])
    first = json.loads(Notice.get(Notice.kind == "email_invitation").payload)["code"]
    lobby.invitation_admin.resend(actor=ADMIN, invitation_id=Invitation.get().id)
    emails = Notice.select().where(Notice.kind == "email_invitation").order_by(Notice.id)
    second = json.loads(list(emails)[-1].payload)["code"]
    assert second != first
    assert lobby.invitations.accept_code(actor=actor("UNEW"), code=first) is None
    assert lobby.invitations.accept_code(actor=actor("UNEW"), code=second) is not None
