"""Targeted invitations: invite people by Slack user or email; accept; decline."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import audit
from bot.access import Actor, require, resolve_root_team
from bot.clock import Clock
from bot.errors import (
    DailyInviteLimitReached,
    InvitationNotFound,
    InvitationReplaced,
    NoTargets,
    NotYourInvitation,
    TooManyTargets,
)
from bot.home.refresh import refresh_homes
from bot.invitations.closing import close_live
from bot.invitations.targets import Outcome, resolve_targets, split_already_in_or_invited
from bot.invitations.tokens import hash_token, new_token
from bot.links.cards import refresh_cards
from bot.outbox import notices
from bot.ports import Directory
from bot.roles.permissions import Action
from bot.seats.admission import seat_admission
from bot.seats.use import (
    SeatUse,
    check_seats_free,
    lock_team,
    lock_team_for_inviting,
    seat_use,
)
from bot.seats.waitlist import fill_freed_seats
from bot.teams.access_term import AccessTerm, check_term
from bot.teams.membership import role_book, roles_of
from bot.vocabulary import MAX_TARGETS
from storage.db import db
from storage.models import Invitation, Team
from storage.statuses import InvitationStatus

DAY = timedelta(hours=24)


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

    def check_invite(
        self,
        *,
        actor: Actor,
        team_name: str | None,
        roles: list[str],
        term: AccessTerm | None = None,
    ) -> Team:
        """Refuse early (before any Slack call) when the actor may not invite as `roles`,
        or for `term`."""
        team = resolve_root_team(actor.workspace_id, team_name)
        roles = roles or [team.default_role]
        check_may_give(actor, team, roles)
        check_term(term, roles, team.name, self.clock.now())
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
        term: AccessTerm | None = None,
    ) -> InviteResult:
        """Invite Slack users and email addresses to a root team, each once; with a `term`,
        for a time counted from joining."""
        count = len(set(user_ids)) + len(set(emails))
        if count == 0:
            raise NoTargets()
        if count > MAX_TARGETS:
            raise TooManyTargets(count=count, limit=MAX_TARGETS)
        team = self.check_invite(actor=actor, team_name=team_name, roles=roles, term=term)
        self._check_daily_limit(actor, team, count)
        roles = roles or [team.default_role]
        term = term or AccessTerm()
        outcomes, by_user, waiting_emails = resolve_targets(user_ids, emails, directory)
        targets = by_user + [(address, None) for address in waiting_emails]
        now = self.clock.now()
        with db.atomic():
            lock_team_for_inviting(team, [user_id or target for target, user_id in targets], now)
            skipped, fresh = split_already_in_or_invited(team, targets, now)
            check_seats_free(team, len(fresh), now)  # N targets, K free seats: none are sent
            created = self._create(actor, team, roles, message, fresh, now, term)
            outcomes += skipped + created
            refresh_cards(team, now)
        return InviteResult(team=team.name, roles=roles, outcomes=outcomes)

    def _create(self, actor, team, roles, message, fresh, now, term) -> list[Outcome]:
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
                **term.columns(),
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
        refresh_homes(team, now)  # the admins' lists; each invitee's Home follows its DM
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
                    **({} if term.permanent else term.columns()),
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
        term = AccessTerm.stored(invitation.access_days, invitation.access_until)
        with seat_admission(team, now) as seats:
            close_live(invitation, InvitationStatus.ACCEPTED, actor.user_id, now)
            seats.admit(
                user_id=actor.user_id,
                roles=invitation.role_names,
                via="invitation",
                added_by=invitation.inviter_user_id,
                ends_at=term.end_from(now),
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
            close_live(invitation, InvitationStatus.DECLINED, actor.user_id, now)
            news = notices.InvitationDeclined(
                team=invitation.team.name,
                inviter=invitation.inviter_user_id,
                invitee=actor.user_id,
            )
            notices.record(actor.workspace_id, news, now)
            refresh_cards(invitation.team, now)
            fill_freed_seats(invitation.team, now)
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


def check_may_give(actor: Actor, team: Team, roles: list[str]) -> None:
    """The actor may invite to `team`, and give each of `roles` (no escalation)."""
    book = role_book(team)
    book.check_grants(require(actor, team, Action.INVITE, book), roles)
