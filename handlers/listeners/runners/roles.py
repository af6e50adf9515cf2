"""`/invite` runners for members and roles: roles, role changes, transfer, remove."""

from bot.errors import UnknownPerson
from handlers import command_language as cl
from handlers.blocks import access as access_blocks
from handlers.blocks import roles as roles_blocks
from handlers.blocks import teams as teams_blocks
from handlers.slack.context import Request


def user_id_of(target: cl.UserTarget) -> str:
    """Members are named by mention: a plain @name carries no Slack ID."""
    if not target.user_id:
        raise UnknownPerson(name=target.name or "")
    return target.user_id


def _list_roles(request: Request, command: cl.ListRoles) -> dict:
    return roles_blocks.roles_list(
        *request.lobby.roles.overview(actor=request.actor, team_name=command.team)
    )


def _create_role(request: Request, command: cl.CreateRole) -> dict:
    role = request.lobby.roles.create(
        actor=request.actor,
        team_name=command.team,
        name=command.name,
        permissions=list(command.permissions),
    )
    return roles_blocks.role_created(role)


def _delete_role(request: Request, command: cl.DeleteRole) -> dict:
    request.lobby.roles.delete(actor=request.actor, team_name=command.team, name=command.name)
    return roles_blocks.role_deleted(command.name)


def _set_roles(request: Request, command: cl.SetRoles) -> dict:
    user_id = user_id_of(command.user)
    roles = request.lobby.roles.set_roles(
        actor=request.actor, team_name=command.team, user_id=user_id, roles=list(command.roles)
    )
    return roles_blocks.roles_set(user_id, roles)


def _transfer(request: Request, command: cl.TransferOwnership) -> dict:
    user_id = user_id_of(command.user)
    team = request.lobby.roles.transfer(
        actor=request.actor, team_name=command.team, user_id=user_id
    )
    return roles_blocks.transferred(team.name, user_id)


def _remove(request: Request, command: cl.RemoveMember) -> dict:
    user_id = user_id_of(command.user)
    team = request.lobby.removal.remove(
        actor=request.actor, user_id=user_id, team_name=command.team
    )
    return teams_blocks.removed(team.name, user_id)


def _extend(request: Request, command: cl.ExtendAccess) -> dict:
    user_id = user_id_of(command.user)
    membership = request.lobby.access.extend(
        actor=request.actor, team_name=command.team, user_id=user_id, term=command.term
    )
    return access_blocks.access_changed(membership.team.name, user_id, membership.ends_at)


RUNNERS = {
    cl.ListRoles: _list_roles,
    cl.CreateRole: _create_role,
    cl.DeleteRole: _delete_role,
    cl.SetRoles: _set_roles,
    cl.TransferOwnership: _transfer,
    cl.RemoveMember: _remove,
    cl.ExtendAccess: _extend,
}
