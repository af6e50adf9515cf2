"""Managing invitations: list them by status, resend, cancel."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import IntegrityError

from bot import audit
from bot.access import Actor, require, resolve_team
from bot.clock import Clock
from bot.errors import InvitationNotFound, InvitationNotResendable
from bot.home.refresh import refresh_homes
from bot.invitations.closing import closed_error, record_closed
from bot.invitations.service import announce, check_may_give
from bot.invitations.tokens import new_token
from bot.links.cards import refresh_cards
from bot.outbox import notices
from bot.roles.permissions import Action
from bot.seats.use import claim_seats, lock_team
from bot.seats.waitlist import fill_freed_seats
from bot.vocabulary import ALL
from storage.db import db
from storage.models import Invitation
from storage.statuses import InvitationStatus

PAGE_SIZE = 15


@dataclass(frozen=True)
class InvitationRow:
    invitation_id: int
    invitee_user_id: str | None
    invitee_email: str | None
    inviter_user_id: str
    roles: list[str]
    sent_at: datetime
    expires_at: datetime
    status: str


@dataclass(frozen=True)
class InvitationPage:
    team: str
    status: str
    rows: list[InvitationRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Resent:
    invitation: Invitation
    code: str | None  # the new code of an email invitation that was not emailed


class InvitationAdmin:
    def __init__(self, *, clock: Clock, email_enabled: bool = False):
        self.clock = clock
        self.email_enabled = email_enabled

    def list(
        self,
        *,
        actor: Actor,
        team_name: str | None,
        status: str = InvitationStatus.PENDING,
        page: int = 1,
    ) -> InvitationPage:
        """A page of a team's invitations with one status; expiry is read from stored times."""
        team = resolve_team(actor.workspace_id, team_name)
        require(actor, team, Action.INVITE)
        now = self.clock.now()
        query = Invitation.select().where(Invitation.team == team)
        query = query.where(_status_condition(status, now))
        total = query.count()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        rows = query.order_by(Invitation.created_at.desc(), Invitation.id.desc()).paginate(
            page, PAGE_SIZE
        )
        return InvitationPage(
            team=team.name,
            status=status,
            rows=[_row(invitation, now) for invitation in rows],
            page=page,
            pages=pages,
            total=total,
        )

    def resend(self, *, actor: Actor, invitation_id: int) -> Resent:
        """Renew a pending or expired invitation: new token, new expiry, sent again."""
        invitation = self._managed(actor, invitation_id)
        now = self.clock.now()
        status = invitation.status_at(now)
        if status not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
            raise InvitationNotResendable(status=status)
        token, token_hash = new_token()
        with db.atomic():
            lock_team(invitation.team)
            if status == InvitationStatus.EXPIRED:  # a pending one holds its seat already
                claim_seats(invitation.team, 1, now)
            try:
                changed = (
                    Invitation.update(
                        status=InvitationStatus.PENDING,
                        token_hash=token_hash,
                        generation=Invitation.generation + 1,
                        last_sent_at=now,
                        expires_at=now + timedelta(days=invitation.team.invitation_expiry_days),
                    )
                    .where(
                        Invitation.id == invitation.id,
                        Invitation.generation == invitation.generation,
                        Invitation.status.in_([InvitationStatus.PENDING, InvitationStatus.EXPIRED]),
                    )
                    .execute()
                )
            except IntegrityError as exc:  # the person has another pending invitation
                raise InvitationNotResendable(status="duplicate") from exc
            if not changed:
                raise closed_error(Invitation.get_by_id(invitation.id), now)
            self._record_resent(actor, invitation, now)
            renewed = Invitation.get_by_id(invitation.id)
            emailed = announce(renewed, token, now, email_enabled=self.email_enabled)
        code = token if renewed.invitee_email and not emailed else None
        return Resent(invitation=renewed, code=code)

    def _record_resent(self, actor: Actor, invitation: Invitation, now: datetime) -> None:
        if invitation.invitee_user_id:
            replaced = notices.InvitationReplaced(
                invitation_id=invitation.id,
                generation=invitation.generation,
                team=invitation.team.name,
            )
            notices.record(actor.workspace_id, replaced, now)
        refresh_homes(invitation.team, now)  # the invitee's Home follows its new DM
        audit.record(
            workspace_id=actor.workspace_id,
            now=now,
            action="invitation.resent",
            actor=actor.user_id,
            team=invitation.team,
            target=invitation.invitee_user_id or invitation.invitee_email,
            invitation=invitation.id,
        )

    def cancel(self, *, actor: Actor, invitation_id: int) -> Invitation:
        """Cancel a pending invitation: its seat is free and the invitee's DM says so."""
        invitation = self._managed(actor, invitation_id)
        now = self.clock.now()
        with db.atomic():
            lock_team(invitation.team)  # its seat goes to the waitlist
            changed = (
                Invitation.update(status=InvitationStatus.CANCELLED, decided_at=now)
                .where(Invitation.id == invitation.id, Invitation.is_live(now))
                .execute()
            )
            if not changed:
                raise closed_error(Invitation.get_by_id(invitation.id), now)
            record_closed(invitation, InvitationStatus.CANCELLED, actor.user_id, now)
            refresh_cards(invitation.team, now)
            fill_freed_seats(invitation.team, now)
        return Invitation.get_by_id(invitation.id)

    def _managed(self, actor: Actor, invitation_id: int) -> Invitation:
        """An invitation of the actor's workspace that they may act on: they may invite
        to its team and give its roles."""
        invitation = Invitation.get_or_none(
            Invitation.id == invitation_id, Invitation.workspace_id == actor.workspace_id
        )
        if invitation is None:
            raise InvitationNotFound()
        check_may_give(actor, invitation.team, invitation.role_names)
        return invitation


def _status_condition(status: str, now: datetime):
    """Invitations with `status` as of now (see Invitation.status_at), or all of them."""
    if status == InvitationStatus.PENDING:
        return Invitation.is_live(now)
    if status == InvitationStatus.EXPIRED:
        return (Invitation.status == InvitationStatus.EXPIRED) | Invitation.is_due(now)
    if status == ALL:
        return Invitation.id.is_null(False)
    return Invitation.status == status


def _row(invitation: Invitation, now: datetime) -> InvitationRow:
    return InvitationRow(
        invitation_id=invitation.id,
        invitee_user_id=invitation.invitee_user_id,
        invitee_email=invitation.invitee_email,
        inviter_user_id=invitation.inviter_user_id,
        roles=invitation.role_names,
        sent_at=invitation.last_sent_at or invitation.created_at,
        expires_at=invitation.expires_at,
        status=invitation.status_at(now),
    )
