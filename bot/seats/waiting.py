"""The waitlist as people use it: join it when a team is full, leave it, and (admins)
see who waits. Who gets a freed seat is bot/seats/waitlist.py's rule."""

from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError

from bot import audit
from bot.access import Actor, require_root, resolve_root_team
from bot.clock import Clock
from bot.errors import (
    AlreadyMember,
    AlreadyWaiting,
    InvitationWaiting,
    LinkJoinsDisabled,
    NotAllowed,
    NotWaiting,
    OutsideLinkDomains,
    RequestPending,
    SeatsAvailable,
    TeamDeleted,
)
from bot.links.domains import inside
from bot.ports import Directory
from bot.roles.permissions import Action, Permission
from bot.seats.use import lock_team
from bot.seats.waitlist import APPROVAL, DISABLED, places_free
from bot.teams.membership import holders_of, role_book, roles_of
from storage.db import db
from storage.models import Invitation, JoinRequest, Membership, Team, WaitlistEntry
from storage.statuses import WaitlistStatus


@dataclass(frozen=True)
class Place:
    """Where someone stands in a team's queue (1: next)."""

    team: str
    team_id: int
    position: int
    since: datetime


@dataclass(frozen=True)
class Waiter:
    position: int
    user_id: str
    since: datetime


@dataclass(frozen=True)
class Queue:
    team: str
    waiters: list[Waiter]


class Waitlist:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def join(
        self, *, actor: Actor, team_name: str | None, directory: Directory | None = None
    ) -> Place:
        """`waitlist join [TEAM]`: wait for a seat on a full team; with link domains, the
        `directory` tells the person's email."""
        team = resolve_root_team(actor.workspace_id, team_name)
        return self._join(actor, team, directory)

    def join_by_team_id(
        self, *, actor: Actor, team_id: int, directory: Directory | None = None
    ) -> Place:
        """The Join the waitlist button of a refused link join."""
        return self._join(actor, require_root(_team(actor, team_id)), directory)

    def _join(self, actor: Actor, team: Team, directory: Directory | None) -> Place:
        now = self.clock.now()
        _check_may_wait(team, actor.user_id, now, directory)
        try:
            with db.atomic():
                lock_team(team)  # whether the team is full is a seat decision
                _check_not_waiting(team, actor.user_id)
                if places_free(team, now) != 0:
                    raise SeatsAvailable(team=team.name)
                entry = WaitlistEntry.create(
                    workspace_id=team.workspace_id, team=team, user_id=actor.user_id, joined_at=now
                )
                _audit(team, actor.user_id, "waitlist.joined", now)
        except IntegrityError:  # a double click: the other one put them in the queue
            _check_not_waiting(team, actor.user_id)
            raise
        return _place(team, entry)

    def leave(self, *, actor: Actor, team_name: str | None) -> str:
        """`waitlist leave [TEAM]`: out of the queue."""
        return self._leave(actor, resolve_root_team(actor.workspace_id, team_name))

    def leave_by_team_id(self, *, actor: Actor, team_id: int) -> str:
        """The Leave the waitlist button of the confirmation."""
        return self._leave(actor, _team(actor, team_id))

    def _leave(self, actor: Actor, team: Team) -> str:
        now = self.clock.now()
        with db.atomic():
            left = WaitlistEntry.update(status=WaitlistStatus.LEFT, ended_at=now).where(
                WaitlistEntry.team == team,
                WaitlistEntry.user_id == actor.user_id,
                WaitlistEntry.status == WaitlistStatus.WAITING,
            )
            if not left.execute():
                raise NotWaiting(team=team.name)
            _audit(team, actor.user_id, "waitlist.left", now)
        return team.name

    def show(self, *, actor: Actor, team_name: str | None) -> Queue:
        """`waitlist [TEAM]`: the queue, for those who manage members or approve requests."""
        team = resolve_root_team(actor.workspace_id, team_name)
        check_may_see_queue(actor, team)
        waiters = [
            Waiter(position, entry.user_id, entry.joined_at)
            for position, entry in enumerate(WaitlistEntry.queue(team), start=1)
        ]
        return Queue(team=team.name, waiters=waiters)


def check_may_see_queue(actor: Actor, team: Team) -> None:
    """Admins see the queue: `manage_members` or `approve_requests` on the team."""
    roles, book = roles_of(team, actor.user_id), role_book(team)
    if not (book.may(roles, Action.MANAGE_MEMBERS) or book.may(roles, Action.APPROVE_REQUESTS)):
        raise NotAllowed(action="see the waitlist", team=team.name)


def _check_may_wait(team: Team, user_id: str, now: datetime, directory) -> None:
    """Only people with no other way in wait: not members, nor invited, nor asking; and
    only those a link join would let in (a freed seat is given as a link join would be:
    not with link joins off, and with link domains only to people inside them, unless
    every link join is a request anyway)."""
    if team.link_policy == DISABLED:
        holders = holders_of(team, Permission.MANAGE_MEMBERS)
        raise LinkJoinsDisabled(team=team.name, ask=holders[0] if holders else None)
    if team.link_policy != APPROVAL and not inside(team, user_id, directory):
        raise OutsideLinkDomains(team=team.name)
    if Membership.find(team, user_id):
        raise AlreadyMember(team=team.name)
    invited = Invitation.live(now).where(
        Invitation.team == team, Invitation.invitee_user_id == user_id
    )
    if invited.exists():
        raise InvitationWaiting(team=team.name)
    asked = JoinRequest.open(now).where(
        JoinRequest.team == team, JoinRequest.requester_user_id == user_id
    )
    if request := asked.first():
        raise RequestPending(team=team.name, since=request.created_at)


def _check_not_waiting(team: Team, user_id: str) -> None:
    entry = WaitlistEntry.waiting(team, user_id)
    if entry is not None:
        place = _place(team, entry)
        raise AlreadyWaiting(team=team.name, position=place.position, since=entry.joined_at)


def _place(team: Team, entry: WaitlistEntry) -> Place:
    ahead = (
        WaitlistEntry.queue(team)
        .where(
            (WaitlistEntry.joined_at < entry.joined_at)
            | ((WaitlistEntry.joined_at == entry.joined_at) & (WaitlistEntry.id < entry.id))
        )
        .count()
    )
    return Place(team=team.name, team_id=team.id, position=ahead + 1, since=entry.joined_at)


def _team(actor: Actor, team_id: int) -> Team:
    team = Team.get_or_none(Team.id == team_id, Team.workspace_id == actor.workspace_id)
    if team is None:
        raise TeamDeleted()
    return team


def _audit(team: Team, user_id: str, action: str, now: datetime) -> None:
    audit.record(
        workspace_id=team.workspace_id,
        now=now,
        action=action,
        actor=user_id,
        team=team,
        target=user_id,
    )
