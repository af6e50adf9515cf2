"""Who is asking, which team they mean, and whether they may."""

from dataclasses import dataclass

from bot.errors import NotAllowed, NotARootTeam, NoTeamsYet, TeamNotFound, TeamRequired
from bot.roles.permissions import Action, RoleBook
from bot.teams.membership import role_book, roles_of, root_of
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


def resolve_root_team(workspace_id: str, name: str | None) -> Team:
    """As `resolve_team`, for what only a root team has (people join root teams)."""
    return require_root(resolve_team(workspace_id, name))


def require_root(team: Team) -> Team:
    if team.parent_id is not None:
        raise NotARootTeam(team=team.name, root=root_of(team).name)
    return team


def split_team_word(workspace_id: str, text: str) -> tuple[str | None, str]:
    """Free text that may start with a team's name ("Design please add me"): the team
    named by the first word, if it names one, and the rest."""
    first, _, rest = text.strip().partition(" ")
    known = {name.lower() for name in team_names(workspace_id)}
    if first and first.lower() in known:
        return first, rest.strip()
    return None, text.strip()


def team_names(workspace_id: str) -> list[str]:
    return [team.name for team in Team.in_workspace(workspace_id)]


def require(actor: Actor, team: Team, action: Action, book: RoleBook | None = None) -> set[str]:
    """The actor's roles on `team`, or NotAllowed when they do not give `action`
    (`book`: the team's role book, when the caller has it already)."""
    roles = roles_of(team, actor.user_id)
    if not (book or role_book(team)).may(roles, action):
        raise NotAllowed(action=action.value, team=team.name)
    return roles
