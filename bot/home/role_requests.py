"""Role requests on the App Home: the person's own, and those they may decide."""

from dataclasses import dataclass
from datetime import datetime

from bot.access import Actor
from bot.teams.membership import role_book, roles_of
from storage.models import Membership, RoleRequest, Team

SHOWN = 5  # role requests to decide shown on the Home; the rest are counted


@dataclass(frozen=True)
class RoleAsk:
    request_id: int
    team: str
    requester: str
    role: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class RoleRequestsOnHome:
    mine: list[RoleAsk]
    to_decide: list[RoleAsk]  # the first SHOWN
    more_to_decide: int


def role_requests_on_home(*, actor: Actor, now: datetime) -> RoleRequestsOnHome:
    """Open role requests of the teams the person belongs to: theirs, and those whose role
    they may grant (the same rule that routes the copies)."""
    their_teams = Membership.select(Membership.team).where(
        Membership.workspace_id == actor.workspace_id, Membership.user_id == actor.user_id
    )
    query = (
        RoleRequest.open(now)
        .select(RoleRequest, Team)
        .join(Team)
        .where(RoleRequest.team.in_(their_teams))
        .order_by(RoleRequest.created_at, RoleRequest.id)
    )
    mine, to_decide, deciding = [], [], {}
    for request in query:
        if request.requester_user_id == actor.user_id:
            mine.append(_ask(request))
            continue
        team = request.team
        if team.id not in deciding:
            deciding[team.id] = (role_book(team), roles_of(team, actor.user_id))
        book, roles = deciding[team.id]
        if book.may_decide_grant(roles, request.role):
            to_decide.append(_ask(request))
    return RoleRequestsOnHome(mine, to_decide[:SHOWN], max(len(to_decide) - SHOWN, 0))


def _ask(request: RoleRequest) -> RoleAsk:
    return RoleAsk(
        request.id,
        request.team.name,
        request.requester_user_id,
        request.role,
        request.note,
        request.created_at,
    )
