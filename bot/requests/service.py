"""Join requests: ask, approve or deny (first decision wins), expire, remind."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import IntegrityError

from bot import audit
from bot.access import Actor, require, require_root, resolve_team, split_team_word
from bot.clock import Clock
from bot.errors import (
    AlreadyMember,
    RequestAlreadyDecided,
    RequestCooldown,
    RequestNotFound,
    RequestPending,
)
from bot.home.refresh import refresh_homes
from bot.outbox import notices
from bot.requests.notes import check_note
from bot.requests.opening import open_request
from bot.requests.waiting import waiting_by_team
from bot.roles.permissions import Action, Permission
from bot.seats.admission import seat_admission
from bot.seats.use import SeatUse, lock_team, seat_use
from bot.seats.waitlist import fill_freed_seats
from bot.teams.access_term import AccessTerm, check_no_timed_owner
from bot.teams.membership import admin_recipients, holders_of, role_book
from storage.db import db
from storage.installations import Departure
from storage.models import JoinRequest, Membership, Team
from storage.statuses import RequestStatus


@dataclass(frozen=True)
class RequestView:
    request_id: int
    team: str
    requester: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class PendingRequests:
    team: str
    roles: list[str]  # what the approver may grant
    default_role: str
    seats: SeatUse
    requests: list[RequestView]


class Requests:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def ask_in_words(self, *, actor: Actor, text: str) -> JoinRequest:
        """`/invite request [TEAM] [note…]`: the first word is a team when it names one."""
        team_name, note = split_team_word(actor.workspace_id, text)
        return self.ask(actor=actor, team_name=team_name, note=note or None)

    def ask(self, *, actor: Actor, team_name: str | None, note: str | None) -> JoinRequest:
        team = resolve_team(actor.workspace_id, team_name)
        return self.ask_team(actor=actor, team=team, note=note)

    def ask_team(self, *, actor: Actor, team: Team, note: str | None) -> JoinRequest:
        """One pending request per person per team; after a denial, a cooldown."""
        require_root(team)
        if Membership.find(team, actor.user_id):
            raise AlreadyMember(team=team.name)
        check_note(team, note)
        now = self.clock.now()
        self._expire_due_for(team, actor.user_id, now)
        self._check_cooldown(team, actor.user_id, now)
        try:
            request = open_request(team, actor.user_id, note, now)
        except IntegrityError as exc:
            pending = JoinRequest.get(
                JoinRequest.team == team,
                JoinRequest.requester_user_id == actor.user_id,
                JoinRequest.status == RequestStatus.PENDING,
            )
            raise RequestPending(team=team.name, since=pending.created_at) from exc
        return request

    def _expire_due_for(self, team: Team, user_id: str, now: datetime) -> None:
        JoinRequest.update(status=RequestStatus.EXPIRED, decided_at=JoinRequest.expires_at).where(
            JoinRequest.team == team,
            JoinRequest.requester_user_id == user_id,
            JoinRequest.is_due(now),
        ).execute()

    def _check_cooldown(self, team: Team, user_id: str, now: datetime) -> None:
        last_denial = (
            JoinRequest.select()
            .where(
                JoinRequest.team == team,
                JoinRequest.requester_user_id == user_id,
                JoinRequest.status == RequestStatus.DENIED,
            )
            .order_by(JoinRequest.decided_at.desc())
            .first()
        )
        if last_denial:
            until = last_denial.decided_at + timedelta(days=team.request_cooldown_days)
            if until > now:
                raise RequestCooldown(team=team.name, until=until)

    def approve(
        self, *, actor: Actor, request_id: int, role: str | None = None, days: int | None = None
    ) -> JoinRequest:
        """The first decision wins: the requester becomes a member, as by an invitation;
        with `days`, for that many days."""
        request, approver_roles = self._for_approver(actor, request_id)
        team = request.team
        role = role or team.default_role
        role_book(team).check_grants(approver_roles, [role])
        now = self.clock.now()
        term = AccessTerm(days=days).check(now)
        check_no_timed_owner(term, [role], team.name)
        with seat_admission(team, now) as seats:
            self._decide(request, actor, RequestStatus.APPROVED, roles=[role])
            seats.admit(
                user_id=request.requester_user_id,
                roles=[role],
                via="request",
                added_by=actor.user_id,
                ends_at=term.end_from(now),
            )
        return JoinRequest.get_by_id(request.id)

    def deny(self, *, actor: Actor, request_id: int, reason: str | None = None) -> JoinRequest:
        request, _ = self._for_approver(actor, request_id)
        with db.atomic():
            lock_team(request.team)
            self._decide(request, actor, RequestStatus.DENIED, roles=[], reason=reason)
            fill_freed_seats(request.team, self.clock.now())  # the seat a waiter's request held
        return JoinRequest.get_by_id(request.id)

    def check_may_decide(self, *, actor: Actor, request_id: int) -> None:
        """Refuse early (before asking for a reason) when the request is closed or not theirs
        to decide."""
        request, _ = self._for_approver(actor, request_id)
        now = self.clock.now()
        if request.status_at(now) != RequestStatus.PENDING:
            raise _already_decided(request, now)

    def _for_approver(self, actor: Actor, request_id: int) -> tuple[JoinRequest, set[str]]:
        """The request, and the actor's roles on its team, which must let them approve."""
        request = JoinRequest.get_or_none(
            JoinRequest.id == request_id, JoinRequest.workspace_id == actor.workspace_id
        )
        if request is None:
            raise RequestNotFound()
        return request, require(actor, request.team, Action.APPROVE_REQUESTS)

    def _decide(self, request, actor, status, *, roles, reason=None) -> datetime:
        """Conditional update: only one decision can move a pending request."""
        now = self.clock.now()
        changed = (
            JoinRequest.update(
                status=status,
                decided_at=now,
                decided_by=actor.user_id,
                granted_roles=",".join(roles) or None,
                deny_reason=reason,
            )
            .where(JoinRequest.id == request.id, JoinRequest.is_open(now))
            .execute()
        )
        if not changed:
            raise _already_decided(JoinRequest.get_by_id(request.id), now)
        self._record_outcome(request, status, actor.user_id, roles, reason, now)
        return now

    def _record_outcome(
        self, request, status, decided_by, roles, reason, now, *, refresh=True
    ) -> None:
        team = request.team
        if refresh:
            refresh_homes(team, now, request.requester_user_id)
        workspace_id = request.workspace_id
        decided = notices.RequestDecided(
            request_id=request.id,
            team=team.name,
            requester=request.requester_user_id,
            status=status,
            decided_by=decided_by,
            roles=roles,
        )
        notices.record(workspace_id, decided, now)
        answered = notices.RequestAnswered(
            team=team.name,
            requester=request.requester_user_id,
            status=status,
            decided_by=decided_by,
            reason=reason,
        )
        notices.record(workspace_id, answered, now)
        audit.record(
            workspace_id=workspace_id,
            now=now,
            action=f"request.{status}",
            actor=decided_by,
            team=team,
            target=request.requester_user_id,
            request=request.id,
            roles=roles,
            reason=reason,
        )

    def pending(self, *, actor: Actor, team_name: str | None) -> "PendingRequests":
        """`/invite requests`: what waits for a decision on a team, and what the actor may give."""
        team = resolve_team(actor.workspace_id, team_name)
        approver_roles = require(actor, team, Action.APPROVE_REQUESTS)
        book = role_book(team)
        now = self.clock.now()
        query = (
            JoinRequest.open(now).where(JoinRequest.team == team).order_by(JoinRequest.created_at)
        )
        return PendingRequests(
            team=team.name,
            roles=book.grantable(approver_roles),
            default_role=team.default_role,
            seats=seat_use(team, now),
            requests=[
                RequestView(r.id, team.name, r.requester_user_id, r.note, r.created_at)
                for r in query
            ],
        )

    def ask_by_team_id(self, *, actor: Actor, team_id: int, note: str | None) -> JoinRequest:
        """The Request to join button of a join card."""
        team = Team.get_or_none(Team.id == team_id, Team.workspace_id == actor.workspace_id)
        if team is None:
            raise RequestNotFound()
        return self.ask_team(actor=actor, team=team, note=note)

    def requestable_teams(self, *, actor: Actor) -> list[str]:
        """Root teams the actor is not a member of, for the request modal."""
        mine = Membership.select(Membership.team).where(
            Membership.workspace_id == actor.workspace_id, Membership.user_id == actor.user_id
        )
        query = Team.in_workspace(actor.workspace_id).where(
            Team.parent.is_null(), Team.id.not_in(mine)
        )
        return [team.name for team in query]

    def teams_needing_note(self, *, actor: Actor, team_names: list[str]) -> set[str]:
        """Which of these teams require a note on requests, for the request modal."""
        query = Team.in_workspace(actor.workspace_id).where(Team.name.in_(team_names))
        return {team.name for team in query if team.note_required}

    def check_note_given(self, *, actor: Actor, team_name: str | None, note: str | None) -> None:
        """The request modal's inline check, before the ask is recorded."""
        check_note(resolve_team(actor.workspace_id, team_name), note)

    def expire_due(self) -> int:
        """Expire every request past its time (one conditional UPDATE), telling each
        requester once."""
        now = self.clock.now()
        with db.atomic():
            expired = list(
                JoinRequest.update(status=RequestStatus.EXPIRED, decided_at=now)
                .where(JoinRequest.is_due(now), Departure.still_here(JoinRequest.workspace_id))
                .returning(JoinRequest.id)
                .tuples()
                .execute()
            )
            ids = [row[0] for row in expired]
            requesters: dict[int, set[str]] = {}
            for request in JoinRequest.select().where(JoinRequest.id.in_(ids)):
                self._record_outcome(
                    request, RequestStatus.EXPIRED, None, [], None, now, refresh=False
                )
                requesters.setdefault(request.team_id, set()).add(request.requester_user_id)
            for team in Team.select().where(Team.id.in_(list(requesters))):
                refresh_homes(team, now, *requesters[team.id])  # once per team, not per row
        for team in Team.select().where(Team.id.in_(list(requesters))):
            with db.atomic():  # a seat promised to a waiter's request is free again
                lock_team(team)
                fill_freed_seats(team, now)
        return len(ids)

    def remind_approvers(self) -> int:
        """One reminder a day per approver, listing requests waiting over 24 hours."""
        now = self.clock.now()
        sent = 0
        with db.atomic():
            for requests in waiting_by_team(JoinRequest, now):
                sent += self._remind(requests[0].team, requests, now)
        return sent

    def _remind(self, team: Team, requests: list[JoinRequest], now: datetime) -> int:
        approvers = holders_of(team, Permission.APPROVE_REQUESTS)
        sent = 0
        for recipient in admin_recipients(team, approvers, exclude=set()):
            reminder = notices.RequestReminder(
                team=team.name,
                recipient=recipient,
                requesters=[r.requester_user_id for r in requests],
            )
            key = f"request-reminder:{team.id}:{recipient}:{now.date().isoformat()}"
            sent += notices.record(team.workspace_id, reminder, now, dedupe_key=key)
        return sent


def _already_decided(request: JoinRequest, now: datetime) -> RequestAlreadyDecided:
    status = request.status_at(now)
    expired = status == RequestStatus.EXPIRED and request.status == RequestStatus.PENDING
    return RequestAlreadyDecided(
        status=status,
        decided_by=request.decided_by,
        at=request.expires_at if expired else request.decided_at,
        roles=request.granted_role_names,
    )
