"""Who is asking, which team they mean, and whether they may."""

from dataclasses import dataclass

from bot.errors import NotAllowed, NoTeamsYet, TeamNotFound, TeamRequired
from bot.membership import role_book, roles_of
from bot.permissions import Action
from storage.models import Team


@dataclass(frozen=True)
class Actor:
    """A person acting in one Slack workspace. Every service call is scoped by it."""

    workspace_id: str
    user_id: str


def resolve_team(workspace_id: str, name: str | None) -> Team:
    """The named team, or the only team when the workspace has exactly one."""
    if name:
        team = Team.named(workspace_id, name)
        if team is None:
            raise TeamNotFound(name=name, known=team_names(workspace_id))
        return team
    teams = list(Team.in_workspace(workspace_id).limit(2))
    if not teams:
        raise NoTeamsYet()
    if len(teams) > 1:
        raise TeamRequired(known=team_names(workspace_id))
    return teams[0]


def team_names(workspace_id: str) -> list[str]:
    return [team.name for team in Team.in_workspace(workspace_id)]


def require(actor: Actor, team: Team, action: Action) -> set[str]:
    """The actor's roles on `team`, or NotAllowed when they do not give `action`."""
    roles = roles_of(team, actor.user_id)
    if not role_book(team).may(roles, action):
        raise NotAllowed(action=action.value, team=team.name)
    return roles
