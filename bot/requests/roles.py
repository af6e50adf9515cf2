"""Role requests: a member asks for another role; whoever may grant it decides, first
decision wins; they expire and are reminded like join requests."""

from datetime import datetime, timedelta

from peewee import IntegrityError

from bot import audit
from bot.access import Actor, resolve_team
from bot.clock import Clock
from bot.errors import (
    CannotGrantRole,
    NotAllowed,
    NotAMember,
    OwnerNotRequestable,
    RequestAlreadyDecided,
    RequestNotFound,
    RoleAlreadyHeld,
    RoleRequestPending,
    UnknownRole,
)
from bot.home.refresh import queue_homes, refresh_homes
from bot.outbox import notices
from bot.outbox import role_request_notices as rn
from bot.requests.notes import check_note
from bot.requests.waiting import waiting_by_team
from bot.roles.permissions import OWNER, Action, RoleBook
from bot.teams.membership import add_roles, role_book, roles_by_member, roles_of, root_of
from storage.db import db
from storage.installations import Departure
from storage.models import Membership, RoleRequest, Team
from storage.statuses import RequestStatus


class RoleRequests:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def ask(
        self, *, actor: Actor, role: str, team_name: str | None, note: str | None
    ) -> RoleRequest:
        """`/invite request role ROLE [in TEAM] [note…]`: one pending per person per team."""
        team = root_of(resolve_team(actor.workspace_id, team_name))
        if Membership.find(team, actor.user_id) is None:
            raise NotAMember(user=actor.user_id, team=team.name)
        check_requestable(role_book(team), roles_of(team, actor.user_id), role, team.name)
        check_note(team, note, role)
        now = self.clock.now()
        try:
            with db.atomic():
                self._expire(now, requester=actor.user_id)
                request = RoleRequest.create(
                    workspace_id=actor.workspace_id,
                    team=team,
                    requester_user_id=actor.user_id,
                    role=role,
                    note=note,
                    created_at=now,
                    expires_at=now + timedelta(days=team.request_expiry_days),
                )
                self._send_copies(team, request, now)
                queue_homes(team.workspace_id, [actor.user_id], now)
                audit.record(
                    workspace_id=actor.workspace_id,
                    now=now,
                    action="role_request.created",
                    actor=actor.user_id,
                    team=team,
                    target=actor.user_id,
                    request=request.id,
                    role=role,
                )
        except IntegrityError as exc:
            pending = RoleRequest.get(
                RoleRequest.team == team,
                RoleRequest.requester_user_id == actor.user_id,
                RoleRequest.status == RequestStatus.PENDING,
            )
            raise RoleRequestPending(team.name, pending.role, pending.created_at) from exc
        return request

    def _send_copies(self, team: Team, request: RoleRequest, now: datetime) -> None:
        """A DM for each person who may decide, never the notification channel: not everyone
        there may grant the role."""
        for recipient in deciders(team, request.role, exclude={request.requester_user_id}):
            copy = rn.RoleRequestForApproval(
                request_id=request.id,
                team=team.name,
                requester=request.requester_user_id,
                role=request.role,
                note=request.note,
                recipient=recipient,
            )
            notices.record(team.workspace_id, copy, now)

    def approve(self, *, actor: Actor, request_id: int) -> RoleRequest:
        """The first decision wins: the role is added to the requester's roles."""
        request = self._for_decider(actor, request_id)
        now = self.clock.now()
        with db.atomic():
            if request.status_at(now) != RequestStatus.PENDING:  # withdrawn, decided, expired
                raise already_decided(request, now)
            membership = Membership.find(request.team, request.requester_user_id)
            if membership is None:
                raise NotAMember(user=request.requester_user_id, team=request.team.name)
            self._decide(request, actor.user_id, RequestStatus.APPROVED, now)
            add_roles(membership, [request.role])
        return RoleRequest.get_by_id(request.id)

    def deny(self, *, actor: Actor, request_id: int) -> RoleRequest:
        request = self._for_decider(actor, request_id)
        now = self.clock.now()
        with db.atomic():
            self._decide(request, actor.user_id, RequestStatus.DENIED, now)
        return RoleRequest.get_by_id(request.id)

    def _for_decider(self, actor: Actor, request_id: int) -> RoleRequest:
        request = RoleRequest.get_or_none(
            RoleRequest.id == request_id, RoleRequest.workspace_id == actor.workspace_id
        )
        if request is None:
            raise RequestNotFound()
        roles = roles_of(request.team, actor.user_id)
        book = role_book(request.team)
        if not book.may_decide_grant(roles, request.role):
            if not book.may(roles, Action.APPROVE_REQUESTS):
                raise NotAllowed(action=Action.APPROVE_REQUESTS.value, team=request.team.name)
            raise CannotGrantRole(role=request.role)
        return request

    def _decide(self, request: RoleRequest, decided_by: str, status, now: datetime) -> None:
        """Conditional update: only one decision can move a pending request."""
        changed = (
            RoleRequest.update(status=status, decided_at=now, decided_by=decided_by)
            .where(RoleRequest.id == request.id, RoleRequest.is_open(now))
            .execute()
        )
        if not changed:
            raise already_decided(RoleRequest.get_by_id(request.id), now)
        self._record_outcome(request, status, decided_by, now)

    def _record_outcome(self, request, status, decided_by, now, *, refresh=True) -> None:
        team, workspace_id = request.team, request.workspace_id
        facts = dict(
            team=team.name,
            requester=request.requester_user_id,
            role=request.role,
            status=status,
            decided_by=decided_by,
        )
        notices.record(workspace_id, rn.RoleRequestDecided(request_id=request.id, **facts), now)
        notices.record(workspace_id, rn.RoleRequestAnswered(**facts), now)
        if refresh:
            refresh_homes(team, now, request.requester_user_id)
        audit.record(
            workspace_id=workspace_id,
            now=now,
            action=f"role_request.{status}",
            actor=decided_by,
            team=team,
            target=request.requester_user_id,
            request=request.id,
            role=request.role,
        )

    def expire_due(self) -> int:
        """Expire every role request past its time, telling each requester once."""
        with db.atomic():
            return self._expire(self.clock.now())

    def _expire(self, now: datetime, *, requester: str | None = None) -> int:
        """One conditional UPDATE claims the due requests (all, or one person's), so each
        requester is told once, by the sweep or by their next ask."""
        due = RoleRequest.is_due(now) & Departure.still_here(RoleRequest.workspace_id)
        if requester is not None:
            due &= RoleRequest.requester_user_id == requester
        expired = (
            RoleRequest.update(status=RequestStatus.EXPIRED, decided_at=RoleRequest.expires_at)
            .where(due)
            .returning(RoleRequest.id)
            .tuples()
            .execute()
        )
        ids = [row[0] for row in expired]
        people: dict[int, set[str]] = {}
        for request in RoleRequest.select().where(RoleRequest.id.in_(ids)):
            self._record_outcome(request, RequestStatus.EXPIRED, None, now, refresh=False)
            people.setdefault(request.team_id, set()).add(request.requester_user_id)
        for team in Team.select().where(Team.id.in_(list(people))):
            refresh_homes(team, now, *people[team.id])  # once per team, not per row
        return len(ids)

    def remind_deciders(self) -> int:
        """One reminder a day per decider, listing the role requests waiting over 24 hours
        that they may decide."""
        now = self.clock.now()
        sent = 0
        with db.atomic():
            for requests in waiting_by_team(RoleRequest, now):
                sent += self._remind(requests[0].team, requests, now)
        return sent

    def _remind(self, team: Team, requests: list[RoleRequest], now: datetime) -> int:
        waiting_for: dict[str, list[list[str]]] = {}
        for request in requests:
            for decider in deciders(team, request.role, exclude={request.requester_user_id}):
                waiting_for.setdefault(decider, []).append(
                    [request.requester_user_id, request.role]
                )
        sent = 0
        for recipient, waiting in waiting_for.items():
            reminder = rn.RoleRequestReminder(team=team.name, recipient=recipient, waiting=waiting)
            key = f"role-request-reminder:{team.id}:{recipient}:{now.date().isoformat()}"
            sent += notices.record(team.workspace_id, reminder, now, dedupe_key=key)
        return sent


def withdraw_role_requests(team: Team, user_id: str, now: datetime) -> None:
    """A member who leaves the team withdraws their pending role requests: every copy says
    so and loses its buttons. In the departure's transaction."""
    withdrawn = list(
        RoleRequest.update(status=RequestStatus.CANCELLED, decided_at=now)
        .where(
            RoleRequest.team == team,
            RoleRequest.requester_user_id == user_id,
            RoleRequest.is_open(now),
        )
        .returning(RoleRequest)
        .execute()
    )
    for request in withdrawn:
        facts = dict(team=team.name, requester=user_id, role=request.role, decided_by=None)
        decided = rn.RoleRequestDecided(
            request_id=request.id, status=RequestStatus.CANCELLED, **facts
        )
        notices.record(team.workspace_id, decided, now)
        audit.record(
            workspace_id=team.workspace_id,
            now=now,
            action="role_request.cancelled",
            actor=None,
            team=team,
            target=user_id,
            request=request.id,
            role=request.role,
        )


def check_requestable(book: RoleBook, held: set[str], role: str, team: str) -> None:
    """A role one may ask for: it exists, is not held yet, and is not Owner."""
    if not book.exists(role):
        raise UnknownRole(role=role, known=book.names())
    if role in held:
        raise RoleAlreadyHeld(role=role, team=team)
    if role == OWNER:
        raise OwnerNotRequestable(team=team)


def deciders(team: Team, role: str, *, exclude: set[str]) -> list[str]:
    """The members who may decide a request for `role`, in joining order."""
    book = role_book(team)
    return [
        user_id
        for user_id, roles in roles_by_member(team).items()
        if user_id not in exclude and book.may_decide_grant(roles, role)
    ]


def already_decided(request: RoleRequest, now: datetime) -> RequestAlreadyDecided:
    status = request.status_at(now)
    expired = status == RequestStatus.EXPIRED and request.status == RequestStatus.PENDING
    return RequestAlreadyDecided(
        status=status,
        decided_by=request.decided_by,
        at=request.expires_at if expired else request.decided_at,
        roles=[request.role] if status == RequestStatus.APPROVED else [],
    )
