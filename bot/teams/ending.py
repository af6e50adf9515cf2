"""Access that ends: change when, warn before, and remove at the end (as `remove` does).

The scheduler's two jobs work from `Membership.ends_at`: each warning has a dedupe key
naming the end it warns of, and each removal re-reads the membership under the team's
lock, so several instances, or a run after downtime, warn and remove each member once.
"""

from datetime import datetime, timedelta

from bot import audit
from bot.access import Actor, require, resolve_root_team
from bot.clock import Clock
from bot.errors import AccessAlreadyChanged, LastOwner, NotAllowed, NotAMember
from bot.outbox import access_notices as an
from bot.outbox import notices
from bot.roles.permissions import OWNER, Action, Permission
from bot.seats.use import lock_team
from bot.teams.access_term import AccessTerm, check_no_timed_owner
from bot.teams.membership import admin_recipients, holders_of, role_book, roles_of
from bot.teams.removal import check_keeps_an_owner, leave
from bot.teams.sponsors import ACCESS_ENDED
from bot.vocabulary import ACCESS_WARNING_DAYS
from storage.db import db
from storage.installations import Departure
from storage.models import Membership, Team

KEEP = object()  # extend without checking which end the actor saw


class AccessEnds:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def extend(
        self,
        *,
        actor: Actor,
        team_name: str | None,
        user_id: str,
        term: AccessTerm,
        seen_end: datetime | None | object = KEEP,
    ) -> Membership:
        """`extend @alice N days|until DATE|permanent`: N days count from the current end
        (from now for permanent access). From a button, `seen_end` is the end it was shown
        for: when another admin changed it meanwhile, nothing changes."""
        team = resolve_root_team(actor.workspace_id, team_name)
        return self.extend_on(actor=actor, team=team, user_id=user_id, term=term, seen=seen_end)

    def extend_by_team_id(self, *, actor: Actor, team_id: int, **kwargs) -> Membership:
        """The Extend and Make permanent buttons carry the team's id."""
        team = Team.get_or_none(Team.id == team_id, Team.workspace_id == actor.workspace_id)
        if team is None:
            raise NotAMember(user=kwargs["user_id"], team="")
        return self.extend_on(actor=actor, team=team, **kwargs)

    def extend_on(self, *, actor, team, user_id, term, seen=KEEP) -> Membership:
        actor_roles = require(actor, team, Action.MANAGE_MEMBERS)
        now = self.clock.now()
        term.check(now)
        with db.atomic():
            lock_team(team)
            membership = Membership.find(team, user_id)
            if membership is None:
                raise NotAMember(user=user_id, team=team.name)
            target_roles = roles_of(team, user_id)
            if not role_book(team).may_remove(actor_roles, target_roles):
                raise NotAllowed(action="change when access ends", team=team.name)
            check_no_timed_owner(term, sorted(target_roles), team.name)
            if seen is not KEEP and seen != membership.ends_at:
                raise AccessAlreadyChanged(user=user_id, team=team.name, ends_at=membership.ends_at)
            ends_at = _new_end(membership.ends_at, term, now)
            Membership.update(ends_at=ends_at).where(Membership.id == membership.id).execute()
            changed = an.AccessChanged(
                membership_id=membership.id,
                team=team.name,
                user=user_id,
                ends_at=ends_at.isoformat() if ends_at else None,
                by=actor.user_id,
            )
            notices.record(team.workspace_id, changed, now)
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="access.extended",
                actor=actor.user_id,
                team=team,
                target=user_id,
                ends_at=ends_at,
            )
        return Membership.get_by_id(membership.id)

    def warn_ending(self) -> int:
        """Three days before the end: the member and the team's admins are told, once per
        end (an extension warns again before the new one)."""
        now = self.clock.now()
        soon = Membership.ending_within(now, timedelta(days=ACCESS_WARNING_DAYS)).where(
            Departure.still_here(Membership.workspace_id)
        )
        sent = 0
        with db.atomic():
            for membership in soon.select(Membership, Team).join(Team):
                sent += _warn(membership, now)
        return sent

    def end_due(self) -> int:
        """Remove every member whose access ended, as `remove` does; each once."""
        now = self.clock.now()
        due = Membership.select(Membership.id).where(
            Membership.is_ending(now), Departure.still_here(Membership.workspace_id)
        )
        ended = 0
        for (membership_id,) in list(due.tuples()):
            ended += self._end(membership_id, now)
        return ended

    def _end(self, membership_id: int, now: datetime) -> int:
        with db.atomic():
            found = Membership.get_or_none(Membership.id == membership_id)
            if found is None:
                return 0
            team = found.team
            lock_team(team)
            # Re-read under the lock: another instance may have ended it, or an admin
            # extended it, since the list was read.
            membership = Membership.get_or_none(
                Membership.id == membership_id, Membership.is_ending(now)
            )
            if membership is None:
                return 0
            try:
                check_keeps_an_owner(team, membership.user_id, None)
            except LastOwner:
                return 0  # never timed in the first place; kept rather than left ownerless
            user_id = membership.user_id
            admins = holders_of(team, Permission.MANAGE_MEMBERS)
            told = an.AccessEnded(team=team.name, user=user_id)
            leave(team, user_id, now, by=None, action="access.ended", told=told, how=ACCESS_ENDED)
            for recipient in admin_recipients(team, admins, exclude={user_id}):
                news = an.AccessEndedNews(team=team.name, recipient=recipient, user=user_id)
                notices.record(team.workspace_id, news, now)
        return 1


def _new_end(current: datetime | None, term: AccessTerm, now: datetime) -> datetime | None:
    if term.days is not None:
        return max(current or now, now) + timedelta(days=term.days)
    return term.end_from(now)


def _warn(membership: Membership, now: datetime) -> int:
    team, user_id = membership.team, membership.user_id
    if OWNER in roles_of(team, user_id):
        return 0
    ends_at = membership.ends_at.isoformat()
    key = f"access-ending:{membership.id}:{ends_at}"
    if not notices.record(
        team.workspace_id,
        an.AccessEndingSoon(team=team.name, user=user_id, ends_at=ends_at),
        now,
        dedupe_key=key,
    ):
        return 0
    admins = holders_of(team, Permission.MANAGE_MEMBERS)
    for recipient in admin_recipients(team, admins, exclude={user_id}):
        copy = an.AccessEndingForAdmin(
            membership_id=membership.id,
            team_id=team.id,
            team=team.name,
            recipient=recipient,
            user=user_id,
            ends_at=ends_at,
        )
        notices.record(team.workspace_id, copy, now)
    return 1
