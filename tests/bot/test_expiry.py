"""The expiry sweep: due invitations only, each inviter told once, cards refreshed."""

import pytest

from bot.invitations.expiry import expire_due_invitations
from storage.models import AuditEntry, Invitation, Notice
from tests.conftest import actor
from tests.support.outbox import payloads

OWNER = actor("UOWNER")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    return lobby.teams.create(actor=OWNER, name="Design", directory=directory)


def invite(lobby, directory, *users, emails=()):
    lobby.invitations.invite(
        actor=OWNER,
        team_name="Design",
        user_ids=list(users),
        emails=list(emails),
        roles=[],
        message=None,
        directory=directory,
    )


def test_only_due_invitations_expire_and_each_inviter_is_told_once(lobby, directory, design, clock):
    invite(lobby, directory, "UA", emails=["x@example.com"])
    clock.advance(days=3)
    invite(lobby, directory, "UB")
    clock.advance(days=4)  # the first two are due, UB's is not
    Notice.delete().execute()
    assert expire_due_invitations(clock) == 2
    assert expire_due_invitations(clock) == 0  # running twice does nothing more
    statuses = {i.invitee_user_id or i.invitee_email: i.status for i in Invitation.select()}
    assert statuses == {"UA": "expired", "x@example.com": "expired", "UB": "pending"}
    told = payloads("invitation_expired")
    assert sorted((t["invitee"] or t["email"]) for t in told) == ["UA", "x@example.com"]
    assert {t["inviter"] for t in told} == {"UOWNER"}
    closed = payloads("invitation_closed")
    assert [c["invitation_id"] for c in closed] == [
        Invitation.get(Invitation.invitee_user_id == "UA").id
    ]
    assert AuditEntry.select().where(AuditEntry.action == "invitation.expired").count() == 2


def test_an_expired_invitation_frees_its_seat_and_can_be_resent(lobby, directory, design, clock):
    lobby.seats.set_limit(actor=OWNER, team_name=None, plan=None, seats=2)
    invite(lobby, directory, "UA")
    clock.advance(days=7)
    expire_due_invitations(clock)
    assert lobby.seats.show(actor=OWNER, team_name=None).free == 1
    resent = lobby.invitation_admin.resend(actor=OWNER, invitation_id=Invitation.get().id)
    assert resent.invitation.status == "pending"


def test_expiry_that_frees_a_full_teams_seat_gives_its_cards_join_back(
    lobby, directory, design, clock
):
    lobby.links.remember_card(actor=OWNER, team_id=design.id, channel="C1", ts="1.1")
    lobby.seats.set_limit(actor=OWNER, team_name=None, plan=None, seats=2)
    invite(lobby, directory, "UA")
    clock.advance(days=7)
    Notice.delete().execute()
    expire_due_invitations(clock)
    (render,) = payloads("render_join_cards")
    assert render["joinable"] is True and render["team"] == "Design"


def test_a_card_posted_while_the_team_is_full_gets_join_when_expiry_frees_a_seat(
    lobby, directory, design, clock
):
    lobby.seats.set_limit(actor=OWNER, team_name=None, plan=None, seats=2)
    invite(lobby, directory, "UA")  # full, and no card yet to re-render
    lobby.links.remember_card(actor=OWNER, team_id=design.id, channel="C1", ts="1.1")
    clock.advance(days=7)
    Notice.delete().execute()
    expire_due_invitations(clock)
    (render,) = payloads("render_join_cards")
    assert render["joinable"] is True


def test_notices_built_by_the_database_load_as_the_services_notices(
    lobby, directory, design, clock
):
    from bot.outbox import notices
    from storage.models import Notice

    invite(lobby, directory, "UA")
    clock.advance(days=8)
    Notice.delete().execute()
    expire_due_invitations(clock)
    loaded = {type(notices.load(row)) for row in Notice.select()}
    assert loaded == {notices.InvitationExpired, notices.InvitationClosed, notices.PublishHome}
    row = Notice.get(Notice.kind == "invitation_expired")
    assert row.created_at == clock.now() and row.status == "pending"


def test_thousands_due_at_once_all_expire(lobby, directory, design, clock):
    """More rows than SQLite allows parameters in one statement (a bug the benchmark found)."""
    rows = [
        dict(
            workspace_id="T0LOBBY",
            team=design.id,
            invitee_user_id=f"U{i:05}",
            inviter_user_id="UOWNER",
            roles="member",
            status="pending",
            token_hash=f"h{i}",
            created_at=clock.now(),
            expires_at=clock.now(),
            last_sent_at=clock.now(),
        )
        for i in range(5000)
    ]
    for start in range(0, len(rows), 500):
        Invitation.insert_many(rows[start : start + 500]).execute()
    clock.advance(seconds=1)
    assert expire_due_invitations(clock) == 5000
    assert len(payloads("invitation_expired")) == 5000
