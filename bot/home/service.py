"""The App Home: what a person sees of their teams, and what waits for them as an admin.

`home_for` answers in a fixed number of queries whatever the number of teams,
members, invitations or requests: each admin list is cut to `SHOWN` rows per
team inside the database (window functions), and carries its full count so the
view can say "and N more". The "show all" modal pages through one list.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from peewee import JOIN, fn

from bot.access import Actor, require, resolve_team
from bot.home.refresh import is_home_admin
from bot.roles.permissions import Action, Permission, RoleBook
from bot.seats.use import SeatUse, counted_seat_use
from bot.teams.membership import role_book, root_of
from storage.models import CustomRole, Invitation, JoinRequest, MemberRole, Membership, Team

SHOWN = 5  # rows of each admin list on the Home tab
PAGE_SIZE = 20  # rows of a "show all" page
RECENT = timedelta(days=7)
REQUESTS = "requests"
INVITATIONS = "invitations"
T = TypeVar("T")


@dataclass(frozen=True)
class TeamRoles:
    team: str
    roles: list[str]
    sub_teams: list[str]
    ends_at: datetime | None = None  # their access is for a time: when it ends


@dataclass(frozen=True)
class MyInvitation:
    invitation_id: int
    generation: int
    team: str
    inviter: str
    roles: list[str]
    expires_at: datetime


@dataclass(frozen=True)
class MyRequest:
    request_id: int
    team: str
    created_at: datetime


@dataclass(frozen=True)
class PendingRequest:
    request_id: int
    requester: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class PendingInvitation:
    invitation_id: int
    invitee_user_id: str | None
    invitee_email: str | None
    inviter: str
    roles: list[str]
    expires_at: datetime


@dataclass(frozen=True)
class RecentJoin:
    user_id: str
    joined_at: datetime
    via: str


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first rows of a list, and how many there are in all."""

    shown: list[T]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.shown), 0)


@dataclass(frozen=True)
class AdminTeam:
    """A team the person may approve requests for or invite to."""

    team: str
    seats: SeatUse
    grantable_roles: list[str]  # what they may give when approving
    default_role: str
    requests: Capped[PendingRequest] | None  # None: they may not approve requests
    invitations: Capped[PendingInvitation] | None  # None: they may not invite
    recent_joins: Capped[RecentJoin]


@dataclass(frozen=True)
class Home:
    user_id: str
    teams: list[TeamRoles]
    invitations: list[MyInvitation]
    requests: list[MyRequest]
    admin_teams: list[AdminTeam]
    askable: list[tuple[int, str]]  # (id, name) of root teams they may ask to join


@dataclass(frozen=True)
class ShowAllPage:
    """One page of a team's pending requests or invitations, for the "show all" modal."""

    kind: str  # REQUESTS | INVITATIONS
    team: str
    page: int
    pages: int
    total: int
    rows: list[PendingRequest] | list[PendingInvitation]
    grantable_roles: list[str]  # for requests: what the viewer may give
    default_role: str


def home_for(*, actor: Actor, now: datetime) -> Home:
    """Everything the person's Home tab shows, in nine queries whatever the sizes."""
    teams = {team.id: team for team in Team.in_workspace(actor.workspace_id)}
    mine, ends = _my_memberships(actor)
    books = _role_books(teams, {_root(teams, team_id) for team_id in mine})
    team_roles, admin = [], []
    for team in teams.values():
        if team.id not in mine:
            continue
        roles = mine[team.id]
        subs = [t.name for t in teams.values() if t.parent_id == team.id]
        team_roles.append(TeamRoles(team.name, roles, subs, ends.get(team.id)))
        book = books[_root(teams, team.id)]
        if team.parent_id is None and _is_admin(book, roles):
            admin.append(team)
    requests = _my_requests(actor, teams, now)
    asked = {request.team for request in requests}
    return Home(
        user_id=actor.user_id,
        teams=team_roles,
        invitations=_my_invitations(actor, teams, now),
        requests=requests,
        admin_teams=_admin_teams(admin, mine, books, now),
        askable=[
            (team.id, team.name)
            for team in teams.values()
            if team.parent_id is None and team.id not in mine and team.name not in asked
        ],
    )


def all_pending_requests(*, actor: Actor, team_name: str, page: int, now: datetime) -> ShowAllPage:
    """A page of a team's pending requests, for someone who may approve them."""
    team = root_of(resolve_team(actor.workspace_id, team_name))
    roles = require(actor, team, Action.APPROVE_REQUESTS)
    book = role_book(team)
    query = JoinRequest.select().where(JoinRequest.team == team, JoinRequest.is_open(now))
    total = query.count()
    page, pages = _page_bounds(page, total)
    rows = query.order_by(JoinRequest.created_at, JoinRequest.id).paginate(page, PAGE_SIZE)
    return ShowAllPage(
        kind=REQUESTS,
        team=team.name,
        page=page,
        pages=pages,
        total=total,
        rows=[_pending_request(row) for row in rows],
        grantable_roles=book.grantable(roles),
        default_role=team.default_role,
    )


def all_pending_invitations(
    *, actor: Actor, team_name: str, page: int, now: datetime
) -> ShowAllPage:
    """A page of a team's pending invitations, for someone who may invite."""
    team = root_of(resolve_team(actor.workspace_id, team_name))
    require(actor, team, Action.INVITE)
    query = Invitation.select().where(Invitation.team == team, Invitation.is_live(now))
    total = query.count()
    page, pages = _page_bounds(page, total)
    rows = query.order_by(Invitation.created_at.desc(), Invitation.id.desc()).paginate(
        page, PAGE_SIZE
    )
    return ShowAllPage(
        kind=INVITATIONS,
        team=team.name,
        page=page,
        pages=pages,
        total=total,
        rows=[_pending_invitation(row) for row in rows],
        grantable_roles=[],
        default_role=team.default_role,
    )


def all_pending(*, actor: Actor, kind: str, team_name: str, page: int, now: datetime):
    """Either list by its kind, as the "show all" button names it."""
    if kind == REQUESTS:
        return all_pending_requests(actor=actor, team_name=team_name, page=page, now=now)
    if kind == INVITATIONS:
        return all_pending_invitations(actor=actor, team_name=team_name, page=page, now=now)
    raise ValueError(f"unknown list {kind!r}")


def _page_bounds(page: int, total: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 1), pages), pages


def _root(teams: dict[int, Team], team_id: int) -> int:
    while teams[team_id].parent_id is not None:
        team_id = teams[team_id].parent_id
    return team_id


def _is_admin(book: RoleBook, roles: list[str]) -> bool:
    return is_home_admin(book, roles)


def _my_memberships(actor: Actor) -> tuple[dict[int, list[str]], dict[int, datetime]]:
    """The person's roles per team, and when access ends where it is for a time."""
    query = (
        Membership.select(Membership.team, MemberRole.role, Membership.ends_at)
        .join(MemberRole, JOIN.LEFT_OUTER)
        .where(Membership.workspace_id == actor.workspace_id, Membership.user_id == actor.user_id)
        .order_by(MemberRole.role)
        .tuples()
    )
    roles: dict[int, list[str]] = {}
    ends: dict[int, datetime] = {}
    for team_id, role, ends_at in query:
        roles.setdefault(team_id, [])
        if role:
            roles[team_id].append(role)
        if ends_at is not None:
            ends[team_id] = ends_at
    return roles, ends


def _role_books(teams: dict[int, Team], root_ids: set[int]) -> dict[int, RoleBook]:
    """Each root team's roles, as `bot.membership.role_book` reads them, in one query."""
    custom: dict[int, dict[str, frozenset[Permission]]] = {root: {} for root in root_ids}
    for row in CustomRole.select().where(CustomRole.team.in_(list(root_ids))):
        permissions = frozenset(Permission(p) for p in row.permissions.split(",") if p)
        custom[row.team_id][row.name] = permissions
    return {
        root: RoleBook(custom_roles=custom[root], invite_policy=teams[root].invite_policy)
        for root in root_ids
    }


def _my_invitations(actor: Actor, teams: dict[int, Team], now: datetime) -> list[MyInvitation]:
    query = Invitation.select().where(
        Invitation.workspace_id == actor.workspace_id,
        Invitation.invitee_user_id == actor.user_id,
        Invitation.is_live(now),
    )
    return [
        MyInvitation(
            row.id,
            row.generation,
            teams[row.team_id].name,
            row.inviter_user_id,
            row.role_names,
            row.expires_at,
        )
        for row in query.order_by(Invitation.created_at, Invitation.id)
    ]


def _my_requests(actor: Actor, teams: dict[int, Team], now: datetime) -> list[MyRequest]:
    query = JoinRequest.select().where(
        JoinRequest.workspace_id == actor.workspace_id,
        JoinRequest.requester_user_id == actor.user_id,
        JoinRequest.is_open(now),
    )
    return [
        MyRequest(row.id, teams[row.team_id].name, row.created_at)
        for row in query.order_by(JoinRequest.created_at, JoinRequest.id)
    ]


def _admin_teams(teams: list[Team], mine, books, now: datetime) -> list[AdminTeam]:
    if not teams:
        return []
    ids = [team.id for team in teams]
    members = dict(
        Membership.select(Membership.team, fn.COUNT(Membership.id))
        .where(Membership.team.in_(ids))
        .group_by(Membership.team)
        .tuples()
    )
    requests = _first_per_team(
        JoinRequest, JoinRequest.is_open(now), [JoinRequest.created_at, JoinRequest.id], ids
    )
    newest_first = [Invitation.created_at.desc(), Invitation.id.desc()]
    invitations = _first_per_team(Invitation, Invitation.is_live(now), newest_first, ids)
    joined = Membership.joined_at > now - RECENT
    newest_members = [Membership.joined_at.desc(), Membership.id.desc()]
    joins = _first_per_team(Membership, joined, newest_members, ids)
    found = []
    for team in teams:
        roles, book = mine[team.id], books[team.id]
        held = invitations.get(team.id, Capped([], 0))
        members_now = members.get(team.id, 0)
        seats = counted_seat_use(team, now, members=members_now, pending=held.total)
        asked = requests.get(team.id, Capped([], 0))
        found.append(
            AdminTeam(
                team=team.name,
                seats=seats,
                grantable_roles=book.grantable(roles),
                default_role=team.default_role,
                requests=_mapped(asked, _pending_request)
                if book.may(roles, Action.APPROVE_REQUESTS)
                else None,
                invitations=_mapped(held, _pending_invitation)
                if book.may(roles, Action.INVITE)
                else None,
                recent_joins=_mapped(
                    joins.get(team.id, Capped([], 0)),
                    lambda m: RecentJoin(m.user_id, m.joined_at, m.joined_via),
                ),
            )
        )
    return found


def _first_per_team(model, condition, order, team_ids) -> dict[int, Capped]:
    """The first `SHOWN` rows of `model` per team, each team with its total: one query."""
    ranked = (
        model.select(
            model.id.alias("ranked_id"),
            fn.ROW_NUMBER().over(partition_by=[model.team], order_by=order).alias("place"),
            fn.COUNT(model.id).over(partition_by=[model.team]).alias("total"),
        )
        .where(model.team.in_(team_ids), condition)
        .alias("ranked")
    )
    query = (
        model.select(model, ranked.c.place, ranked.c.total)
        .join(ranked, on=(model.id == ranked.c.ranked_id))
        .where(ranked.c.place <= SHOWN)
        .order_by(model.team, ranked.c.place)
        .objects()
    )
    found: dict[int, Capped] = {}
    for row in query:
        capped = found.setdefault(row.team_id, Capped([], row.total))
        capped.shown.append(row)
    return found


def _mapped(capped: Capped, convert) -> Capped:
    return Capped([convert(row) for row in capped.shown], capped.total)


def _pending_request(row: JoinRequest) -> PendingRequest:
    return PendingRequest(row.id, row.requester_user_id, row.note, row.created_at)


def _pending_invitation(row: Invitation) -> PendingInvitation:
    return PendingInvitation(
        row.id,
        row.invitee_user_id,
        row.invitee_email,
        row.inviter_user_id,
        row.role_names,
        row.expires_at,
    )
