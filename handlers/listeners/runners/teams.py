"""`/invite` runners for teams: help, create, link, list, members, delete."""

from handlers import command_language as cl
from handlers.blocks import help as help_blocks
from handlers.blocks import teams as teams_blocks
from handlers.slack.context import Request


def _help(request: Request, command: cl.Help) -> dict:
    return help_blocks.help_message(request.command_name)


def _create_team(request: Request, command: cl.CreateTeam) -> dict:
    if command.parent:
        team = request.lobby.teams.create_sub_team(
            actor=request.actor, name=command.name, parent_name=command.parent
        )
    else:
        team = request.lobby.teams.create(
            actor=request.actor, name=command.name, directory=request.directory
        )
    return teams_blocks.team_created(team.name)


def _link_team(request: Request, command: cl.LinkTeam) -> dict:
    result = request.lobby.teams.link(
        actor=request.actor,
        team_name=command.team,
        channels=list(command.channels),
        usergroups=list(command.usergroups),
        directory=request.directory,
    )
    return teams_blocks.link_result(result)


def _list_teams(request: Request, command: cl.ListTeams) -> dict:
    return teams_blocks.teams_list(request.lobby.teams.list(actor=request.actor))


def _members(request: Request, command: cl.Members) -> dict:
    listed = request.lobby.teams.member_list(actor=request.actor, team_name=command.team)
    return teams_blocks.members_list(listed.team.name, listed.roles, listed.ends, listed.brought_in)


def _delete_team(request: Request, command: cl.DeleteTeam) -> dict:
    """Only asks: the confirm button does the deletion."""
    team = request.lobby.roles.check_owner(actor=request.actor, team_name=command.team)
    return teams_blocks.delete_team_confirmation(team)


RUNNERS = {
    cl.Help: _help,
    cl.CreateTeam: _create_team,
    cl.LinkTeam: _link_team,
    cl.ListTeams: _list_teams,
    cl.Members: _members,
    cl.DeleteTeam: _delete_team,
}
