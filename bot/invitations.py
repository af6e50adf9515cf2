"""Targeted invitations: invite people by Slack user or email; accept; decline."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from peewee import IntegrityError

from bot import audit, notices
from bot.access import Actor, require, resolve_team
from bot.cards import refresh_cards
from bot.clock import Clock
from bot.errors import (
    CannotGrantRole,
    DailyInviteLimitReached,
    InvitationClosed,
    InvitationNotFound,
    InvitationReplaced,
    NoTargets,
    NotARootTeam,
    NotYourInvitation,
    TooManyTargets,
    UnknownRole,
)
from bot.membership import admit, role_book, roles_of, root_of
from bot.permissions import Action, RoleBook
from bot.ports import Directory
from bot.seats import SeatUse, claim_seats, lock_team, seat_use
from storage.db import db
from storage.models import Invitation, Membership, Team

MAX_TARGETS = 50
TOKEN_BYTES = 24  # 192 bits
DAY = timedelta(hours=24)


def normalize_email(raw: str) -> tuple[str | None, str | None]:
    """(address, None) for a valid address, lower-cased; (None, reason) otherwise."""
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower(), None
    except EmailNotValidError as exc:
        return None, str(exc)


def new_token() -> tuple[str, str]:
    """A random single-use token and the hash that is stored instead of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What happened to one target of an invite command."""

    target: str  # a user id, or an email address
    # invited | emailed | waiting_for_account | already_member | already_invited | invalid_email
    status: str
    user_id: str | None = None
    code: str | None = None  # an email invitation's code, when no email is sent
    reason: str | None = None


@dataclass(frozen=True)
class InviteResult:
    team: str
    roles: list[str]
    outcomes: list[Outcome]

    def with_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]


@dataclass(frozen=True)
class InviteOption:
    """A team the actor may invite to, with the roles they may give there."""

    team: str
    roles: list[str]
    default_role: str
    seats: SeatUse


def announce(invitation: Invitation, token: str, now: datetime, *, email_enabled: bool) -> bool:
    """Record what tells the invitee (a DM, or an email); True when something was recorded."""
    team = invitation.team
    if invitation.invitee_user_id:
        notice = notices.InvitationSent(
            invitation_id=invitation.id,
            generation=invitation.generation,
            team=team.name,
            invitee=invitation.invitee_user_id,
            inviter=invitation.inviter_user_id,
            roles=invitation.role_names,
            message=invitation.message,
            expires_at=invitation.expires_at.isoformat(),
        )
    elif email_enabled:
        notice = notices.EmailInvitation(
            invitation_id=invitation.id,
            email=invitation.invitee_email,
            team=team.name,
            inviter=invitation.inviter_user_id,
            roles=invitation.role_names,
            message=invitation.message,
            code=token,
            expires_at=invitation.expires_at.isoformat(),
        )
    else:
        return False
    notices.record(invitation.workspace_id, notice, now)
    return True


class Invitations:
    def __init__(self, *, clock: Clock, email_enabled: bool = False):
        self.clock = clock
        self.email_enabled = email_enabled

    def options(self, *, actor: Actor) -> list[InviteOption]:
        """What the invite form offers this actor; empty when they may invite nowhere."""
        found = []
        for team in Team.in_workspace(actor.workspace_id).where(Team.parent.is_null()):
            roles, book = roles_of(team, actor.user_id), role_book(team)
            if book.may(roles, Action.INVITE):
                grantable = [role for role in book.names() if book.may_grant(roles, role)]
                seats = seat_use(team, self.clock.now())
                found.append(InviteOption(team.name, grantable, team.default_role, seats))
        return found

    def check_invite(self, *, actor: Actor, team_name: str | None, roles: list[str]) -> Team:
        """Refuse early (before any Slack call) when the actor may not invite as `roles`."""
        team = resolve_team(actor.workspace_id, team_name)
        if team.parent_id is not None:
            raise NotARootTeam(team=team.name, root=root_of(team).name)
        check_may_give(actor, team, roles or [team.default_role])
        return team

    def invite(
        self,
        *,
        actor: Actor,
        team_name: str | None,
        user_ids: list[str],
        emails: list[str],
        roles: list[str],
        message: str | None,
        directory: Directory,
    ) -> InviteResult:
        """Invite Slack users and email addresses to a root team, each once."""
        count = len(set(user_ids)) + len(set(emails))
        if count == 0:
            raise NoTargets()
        if count > MAX_TARGETS:
            raise TooManyTargets(count=count, limit=MAX_TARGETS)
        team = self.check_invite(actor=actor, team_name=team_name, roles=roles)
        self._check_daily_limit(actor, team, count)
        roles = roles or [team.default_role]
        outcomes, by_user, waiting_emails = _resolve_targets(user_ids, emails, directory)
        targets = by_user + [(address, None) for address in waiting_emails]
        now = self.clock.now()
        with db.atomic():
            lock_team(team)
            fresh = []
            for target, user_id in targets:
                skipped = _already_in_or_invited(team, target, user_id, now)
                if skipped:
                    outcomes.append(skipped)
                else:
                    fresh.append((target, user_id))
            claim_seats(team, len(fresh), now)  # N targets, K free seats: none are sent
            for target, user_id in fresh:
                outcomes.append(self._invite_one(actor, team, roles, message, target, user_id))
            refresh_cards(team, now)
        return InviteResult(team=team.name, roles=roles, outcomes=outcomes)

    def _check_daily_limit(self, actor: Actor, team: Team, requested: int) -> None:
        """At most the team's daily limit of invitations per inviter in any 24 hours.

        A count on an index; the send times are read only to say when, once refused."""
        now = self.clock.now()
        sent_today = Invitation.select().where(
            Invitation.team == team,
            Invitation.inviter_user_id == actor.user_id,
            Invitation.created_at > now - DAY,
        )
        sent = sent_today.count()
        limit = team.daily_invite_limit
        if sent + requested <= limit:
            return
        must_age_out = sent + requested - limit
        next_at = None
        if must_age_out <= sent:
            oldest = sent_today.order_by(Invitation.created_at).offset(must_age_out - 1).first()
            next_at = oldest.created_at + DAY
        raise DailyInviteLimitReached(
            limit=limit, remaining=max(limit - sent, 0), requested=requested, next_at=next_at
        )

    def _invite_one(self, actor, team, roles, message, target, user_id) -> Outcome:
        now = self.clock.now()
        token, token_hash = new_token()
        try:
            with db.atomic():  # a savepoint: a duplicate rolls back only this target
                _expire_due_for(team, user_id, target, now)
                invitation = Invitation.create(
                    workspace_id=actor.workspace_id,
                    team=team,
                    invitee_user_id=user_id,
                    invitee_email=None if user_id else target,
                    inviter_user_id=actor.user_id,
                    roles=",".join(roles),
                    message=message,
                    token_hash=token_hash,
                    created_at=now,
                    last_sent_at=now,
                    expires_at=now + timedelta(days=team.invitation_expiry_days),
                )
        except IntegrityError:
            return Outcome(target=target, status="already_invited", user_id=user_id)
        emailed = announce(invitation, token, now, email_enabled=self.email_enabled)
        audit.record(
            workspace_id=actor.workspace_id,
            now=now,
            action="invitation.sent",
            actor=actor.user_id,
            team=team,
            target=user_id or target,
            invitation=invitation.id,
            roles=roles,
        )
        if user_id:
            return Outcome(target=target, status="invited", user_id=user_id)
        if emailed:
            return Outcome(target=target, status="emailed")
        return Outcome(target=target, status="waiting_for_account", code=token)

    def accept(self, *, actor: Actor, invitation_id: int, generation: int | None = None):
        """The invitee accepts: they become a member with the invited roles."""
        with db.atomic():
            invitation, now = self._close(actor, invitation_id, generation, "accepted")
            self._admit(actor, invitation, now)
        return invitation

    def accept_code(self, *, actor: Actor, code: str) -> Invitation | None:
        """Redeem an email invitation code as the Slack user who typed it; None if unknown."""
        invitation = Invitation.get_or_none(
            Invitation.token_hash == hash_token(code),
            Invitation.workspace_id == actor.workspace_id,
        )
        if invitation is None:
            return None
        with db.atomic():
            if invitation.invitee_user_id is None:
                Invitation.update(invitee_user_id=actor.user_id).where(
                    Invitation.id == invitation.id, Invitation.invitee_user_id.is_null()
                ).execute()
            invitation, now = self._close(actor, invitation.id, None, "accepted")
            self._admit(actor, invitation, now)
        return invitation

    def _admit(self, actor: Actor, invitation: Invitation, now: datetime) -> None:
        """The seat the invitation held becomes the member's: with it closed, the accept
        is refused only if use would then be above the limit (after a downgrade)."""
        team = invitation.team
        claim_seats(team, 1, now)
        admit(
            team=team,
            user_id=actor.user_id,
            roles=invitation.role_names,
            now=now,
            via="invitation",
            added_by=invitation.inviter_user_id,
        )
        news = notices.InvitationAccepted(
            team=team.name,
            inviter=invitation.inviter_user_id,
            invitee=actor.user_id,
            roles=invitation.role_names,
        )
        notices.record(actor.workspace_id, news, now)
        refresh_cards(team, now)

    def decline(self, *, actor: Actor, invitation_id: int, generation: int | None = None):
        """The invitee declines; the inviter is told."""
        with db.atomic():
            invitation, now = self._close(actor, invitation_id, generation, "declined")
            news = notices.InvitationDeclined(
                team=invitation.team.name,
                inviter=invitation.inviter_user_id,
                invitee=actor.user_id,
            )
            notices.record(actor.workspace_id, news, now)
            refresh_cards(invitation.team, now)
        return invitation

    def _close(self, actor, invitation_id, generation, status) -> tuple[Invitation, datetime]:
        """Move a pending, unexpired invitation of the actor's to `status`, exactly once."""
        invitation = Invitation.get_or_none(
            Invitation.id == invitation_id, Invitation.workspace_id == actor.workspace_id
        )
        if invitation is None:
            raise InvitationNotFound()
        if invitation.invitee_user_id != actor.user_id:
            raise NotYourInvitation(invitee=invitation.invitee_user_id or "")
        if generation is not None and generation != invitation.generation:
            raise InvitationReplaced(team=invitation.team.name)
        lock_team(invitation.team)  # the same lock order as inviting: team first
        now = self.clock.now()
        changed = (
            Invitation.update(status=status, decided_at=now)
            .where(
                Invitation.id == invitation.id,
                Invitation.generation == invitation.generation,
                Invitation.status == "pending",
                Invitation.expires_at > now,
            )
            .execute()
        )
        if not changed:
            raise closed_error(Invitation.get_by_id(invitation.id), now)
        record_closed(invitation, status, actor.user_id, now)
        return invitation, now


def record_closed(invitation: Invitation, status: str, by: str | None, now: datetime) -> None:
    """The notice that updates the invitee's DM, and the audit entry, for a closed invitation."""
    notices.record(
        invitation.workspace_id,
        notices.InvitationClosed(
            invitation_id=invitation.id,
            generation=invitation.generation,
            team=invitation.team.name,
            status=status,
            decided_by=by,
        ),
        now,
    )
    audit.record(
        workspace_id=invitation.workspace_id,
        now=now,
        action=f"invitation.{status}",
        actor=by,
        team=invitation.team,
        target=invitation.invitee_user_id or invitation.invitee_email,
        invitation=invitation.id,
    )


def _already_in_or_invited(team, target, user_id, now) -> Outcome | None:
    """Why a target gets no new invitation: already a member, or a live one is pending."""
    if user_id and Membership.find(team, user_id):
        return Outcome(target=target, status="already_member", user_id=user_id)
    person = (
        Invitation.invitee_user_id == user_id if user_id else Invitation.invitee_email == target
    )
    pending = Invitation.select().where(
        Invitation.team == team,
        person,
        Invitation.status == "pending",
        Invitation.expires_at > now,
    )
    if pending.exists():
        return Outcome(target=target, status="already_invited", user_id=user_id)
    return None


def _expire_due_for(team: Team, user_id: str | None, email: str, now: datetime) -> None:
    """Mark the person's due invitation expired, so it no longer blocks a new one."""
    person = Invitation.invitee_user_id == user_id if user_id else Invitation.invitee_email == email
    Invitation.update(status="expired").where(
        Invitation.team == team,
        person,
        Invitation.status == "pending",
        Invitation.expires_at <= now,
    ).execute()


def effective_status(invitation: Invitation, now: datetime) -> str:
    """The status, with expiry decided from the stored time even if no job has run."""
    if invitation.status == "pending" and invitation.expires_at <= now:
        return "expired"
    return invitation.status


def closed_error(invitation: Invitation, now: datetime) -> InvitationClosed:
    """Why an invitation cannot be acted on."""
    status = effective_status(invitation, now)
    expired = status == "expired"
    return InvitationClosed(
        status=status,
        at=invitation.expires_at if expired else invitation.decided_at,
        team=invitation.team.name,
        inviter_user_id=invitation.inviter_user_id,
    )


def check_may_give(actor: Actor, team: Team, roles: list[str]) -> None:
    """The actor may invite to `team`, and give each of `roles` (no escalation)."""
    actor_roles = require(actor, team, Action.INVITE)
    book = role_book(team)
    for role in roles:
        _check_grantable(book, actor_roles, role)


def _check_grantable(book: RoleBook, actor_roles: set[str], role: str) -> None:
    if not book.exists(role):
        raise UnknownRole(role=role, known=book.names())
    if not book.may_grant(actor_roles, role):
        raise CannotGrantRole(role=role)


def _resolve_targets(user_ids, emails, directory: Directory):
    """Turn emails into Slack users where the workspace has one (outside any transaction)."""
    outcomes: list[Outcome] = []
    by_user: list[tuple[str, str]] = [(u, u) for u in dict.fromkeys(user_ids)]
    waiting: list[str] = []
    for raw in dict.fromkeys(emails):
        address, reason = normalize_email(raw)
        if address is None:
            outcomes.append(Outcome(target=raw, status="invalid_email", reason=reason))
            continue
        user_id = directory.user_for_email(address)
        if user_id is None:
            waiting.append(address)
        elif user_id not in dict(by_user).values():
            by_user.append((address, user_id))
    return outcomes, by_user, waiting
