"""Targeted invitations: invite people by Slack user or email; accept; decline."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email

from bot import audit
from bot.access import Actor, require, resolve_root_team
from bot.clock import Clock
from bot.errors import (
    DailyInviteLimitReached,
    InvitationClosed,
    InvitationNotFound,
    InvitationReplaced,
    NoTargets,
    NotYourInvitation,
    TooManyTargets,
)
from bot.links.cards import refresh_cards
from bot.outbox import notices
from bot.ports import Directory
from bot.roles.permissions import Action
from bot.seats.admission import seat_admission
from bot.seats.use import SeatUse, claim_seats, lock_team, seat_use
from bot.teams.membership import role_book, roles_of
from bot.vocabulary import MAX_TARGETS
from storage.db import db
from storage.models import Invitation, Membership, Team
from storage.statuses import InvitationStatus

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


def announcement(
    invitation: Invitation, token: str, *, email_enabled: bool
) -> notices.Notice | None:
    """What tells the invitee: a DM, an email (with the code), or nothing (no SMTP)."""
    team = invitation.team
    if invitation.invitee_user_id:
        return notices.InvitationSent(
            invitation_id=invitation.id,
            generation=invitation.generation,
            team=team.name,
            invitee=invitation.invitee_user_id,
            inviter=invitation.inviter_user_id,
            roles=invitation.role_names,
            message=invitation.message,
            expires_at=invitation.expires_at.isoformat(),
        )
    if email_enabled:
        return notices.EmailInvitation(
            invitation_id=invitation.id,
            email=invitation.invitee_email,
            team=team.name,
            inviter=invitation.inviter_user_id,
            roles=invitation.role_names,
            message=invitation.message,
            code=token,
            expires_at=invitation.expires_at.isoformat(),
        )
    return None


def announce(invitation: Invitation, token: str, now: datetime, *, email_enabled: bool) -> bool:
    """Record what tells the invitee; True when something was recorded."""
    notice = announcement(invitation, token, email_enabled=email_enabled)
    if notice is not None:
        notices.record(invitation.workspace_id, notice, now)
    return notice is not None


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
                grantable = book.grantable(roles)
                seats = seat_use(team, self.clock.now())
                found.append(InviteOption(team.name, grantable, team.default_role, seats))
        return found

    def check_invite(self, *, actor: Actor, team_name: str | None, roles: list[str]) -> Team:
        """Refuse early (before any Slack call) when the actor may not invite as `roles`."""
        team = resolve_root_team(actor.workspace_id, team_name)
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
            skipped, fresh = _split_already_in_or_invited(team, targets, now)
            claim_seats(team, len(fresh), now)  # N targets, K free seats: none are sent
            outcomes += skipped + self._create(actor, team, roles, message, fresh, now)
            refresh_cards(team, now)
        return InviteResult(team=team.name, roles=roles, outcomes=outcomes)

    def _create(self, actor, team, roles, message, fresh, now) -> list[Outcome]:
        """Every new invitation, its notice and its audit entry, in three statements."""
        if not fresh:
            return []
        tokens = {target: new_token() for target, _ in fresh}
        expires_at = now + timedelta(days=team.invitation_expiry_days)
        rows = [
            {
                "workspace_id": actor.workspace_id,
                "team": team.id,
                "invitee_user_id": user_id,
                "invitee_email": None if user_id else target,
                "inviter_user_id": actor.user_id,
                "roles": ",".join(roles),
                "message": message,
                "token_hash": tokens[target][1],
                "created_at": now,
                "last_sent_at": now,
                "expires_at": expires_at,
            }
            for target, user_id in fresh
        ]
        created = list(Invitation.insert_many(rows).returning(Invitation).execute())
        for invitation in created:
            invitation.team = team
        token_of = {hash_: token for token, hash_ in tokens.values()}
        told = [
            (actor.workspace_id, notice)
            for invitation in created
            if (notice := self._announcement(invitation, token_of))
        ]
        notices.record_many(told, now)
        audit.record_many(
            [
                audit.entry(
                    workspace_id=actor.workspace_id,
                    now=now,
                    action="invitation.sent",
                    actor=actor.user_id,
                    team=team,
                    target=i.invitee_user_id or i.invitee_email,
                    invitation=i.id,
                    roles=roles,
                )
                for i in created
            ]
        )
        return [self._outcome(i, token_of[i.token_hash]) for i in created]

    def _announcement(self, invitation, token_of):
        return announcement(
            invitation, token_of[invitation.token_hash], email_enabled=self.email_enabled
        )

    def _outcome(self, invitation: Invitation, token: str) -> Outcome:
        if invitation.invitee_user_id:
            user_id = invitation.invitee_user_id
            return Outcome(target=user_id, status="invited", user_id=user_id)
        if self.email_enabled:
            return Outcome(target=invitation.invitee_email, status="emailed")
        return Outcome(target=invitation.invitee_email, status="waiting_for_account", code=token)

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

    def accept(self, *, actor: Actor, invitation_id: int, generation: int | None = None):
        """The invitee accepts: they become a member with the invited roles."""
        invitation = self._answerable(actor, invitation_id, generation)
        return self._accept(actor, invitation)

    def accept_code(self, *, actor: Actor, code: str) -> Invitation | None:
        """Redeem an email invitation code as the Slack user who typed it; None if unknown."""
        invitation = Invitation.get_or_none(
            Invitation.token_hash == hash_token(code),
            Invitation.workspace_id == actor.workspace_id,
        )
        if invitation is None:
            return None
        if invitation.invitee_user_id is None:
            invitation.invitee_user_id = actor.user_id  # claimed by the accept, or by nobody
        elif invitation.invitee_user_id != actor.user_id:
            raise NotYourInvitation(invitee=invitation.invitee_user_id)
        return self._accept(actor, invitation)

    def _accept(self, actor: Actor, invitation: Invitation) -> Invitation:
        """The seat the invitation held becomes the member's: with it closed, the accept
        is refused only if use would then be above the limit (after a downgrade)."""
        team, now = invitation.team, self.clock.now()
        with seat_admission(team, now) as seats:
            _close(invitation, InvitationStatus.ACCEPTED, actor.user_id, now)
            seats.admit(
                user_id=actor.user_id,
                roles=invitation.role_names,
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
        return invitation

    def decline(self, *, actor: Actor, invitation_id: int, generation: int | None = None):
        """The invitee declines; the inviter is told."""
        invitation = self._answerable(actor, invitation_id, generation)
        now = self.clock.now()
        with db.atomic():
            lock_team(invitation.team)  # the same lock order as inviting: team first
            _close(invitation, InvitationStatus.DECLINED, actor.user_id, now)
            news = notices.InvitationDeclined(
                team=invitation.team.name,
                inviter=invitation.inviter_user_id,
                invitee=actor.user_id,
            )
            notices.record(actor.workspace_id, news, now)
            refresh_cards(invitation.team, now)
        return invitation

    def _answerable(self, actor: Actor, invitation_id: int, generation: int | None) -> Invitation:
        """The actor's own invitation, from the DM they clicked (not one a resend replaced)."""
        invitation = Invitation.get_or_none(
            Invitation.id == invitation_id, Invitation.workspace_id == actor.workspace_id
        )
        if invitation is None:
            raise InvitationNotFound()
        if invitation.invitee_user_id != actor.user_id:
            raise NotYourInvitation(invitee=invitation.invitee_user_id or "")
        if generation is not None and generation != invitation.generation:
            raise InvitationReplaced(team=invitation.team.name)
        return invitation


def _close(invitation: Invitation, status: InvitationStatus, by: str, now: datetime) -> None:
    """Move a live invitation to `status`, exactly once (a conditional UPDATE)."""
    changes = {"status": status, "decided_at": now, "invitee_user_id": invitation.invitee_user_id}
    changed = (
        Invitation.update(**changes)
        .where(
            Invitation.id == invitation.id,
            Invitation.generation == invitation.generation,
            Invitation.is_live(now),
        )
        .execute()
    )
    if not changed:
        raise closed_error(Invitation.get_by_id(invitation.id), now)
    record_closed(invitation, status, by, now)


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


def _split_already_in_or_invited(team, targets, now) -> tuple[list[Outcome], list]:
    """Targets already members or with a live pending invitation (said per person), and
    the rest. A due invitation no longer blocks a new one: it is marked expired here."""
    user_ids = [user_id for _, user_id in targets if user_id]
    emails = [target for target, user_id in targets if not user_id]
    person = Invitation.invitee_user_id.in_(user_ids) | Invitation.invitee_email.in_(emails)
    Invitation.update(status=InvitationStatus.EXPIRED).where(
        Invitation.team == team, person, Invitation.is_due(now)
    ).execute()
    members = {
        m.user_id
        for m in Membership.select(Membership.user_id).where(
            Membership.team == team, Membership.user_id.in_(user_ids)
        )
    }
    invited = set()
    for row in Invitation.select(Invitation.invitee_user_id, Invitation.invitee_email).where(
        Invitation.team == team, person, Invitation.is_live(now)
    ):
        invited.add(row.invitee_user_id or row.invitee_email)
    skipped, fresh = [], []
    for target, user_id in targets:
        if user_id in members:
            skipped.append(Outcome(target=target, status="already_member", user_id=user_id))
        elif (user_id or target) in invited:
            skipped.append(Outcome(target=target, status="already_invited", user_id=user_id))
        else:
            fresh.append((target, user_id))
    return skipped, fresh


def closed_error(invitation: Invitation, now: datetime) -> InvitationClosed:
    """Why an invitation cannot be acted on."""
    status = invitation.status_at(now)
    expired = status == InvitationStatus.EXPIRED
    return InvitationClosed(
        status=status,
        at=invitation.expires_at if expired else invitation.decided_at,
        team=invitation.team.name,
        inviter_user_id=invitation.inviter_user_id,
    )


def check_may_give(actor: Actor, team: Team, roles: list[str]) -> None:
    """The actor may invite to `team`, and give each of `roles` (no escalation)."""
    actor_roles = require(actor, team, Action.INVITE)
    role_book(team).check_grants(actor_roles, roles)


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
