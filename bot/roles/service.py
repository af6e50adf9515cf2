"""Roles on a team: custom roles, setting a member's roles, handing over ownership."""

import re
from dataclasses import dataclass

from bot import audit
from bot.access import Actor, require, resolve_team
from bot.clock import Clock
from bot.errors import (
    InvalidRoleName,
    NotAllowed,
    NotAMember,
    OwnerNotForATime,
    RoleExists,
    RoleInUse,
    UnknownPermission,
    UnknownRole,
)
from bot.roles.permissions import BUILTIN_ROLES, OWNER, Action, Permission
from bot.teams.membership import add_roles, role_book, roles_of, root_of
from bot.teams.removal import check_keeps_an_owner
from storage.db import db
from storage.models import CustomRole, Invitation, MemberRole, Membership, Team

ROLE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


@dataclass(frozen=True)
class RoleInfo:
    name: str
    permissions: list[str]
    builtin: bool


class Roles:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def overview(self, *, actor: Actor, team_name: str | None) -> tuple[str, list[RoleInfo]]:
        team = root_of(resolve_team(actor.workspace_id, team_name))
        require(actor, team, Action.VIEW)
        book = role_book(team)
        roles = [
            RoleInfo(name, sorted(p.value for p in book.granted_by(name)), name in BUILTIN_ROLES)
            for name in book.names()
        ]
        return team.name, roles

    def create(
        self, *, actor: Actor, team_name: str | None, name: str, permissions: list[str]
    ) -> RoleInfo:
        """Owners add a custom role with a chosen set of permissions."""
        team = root_of(resolve_team(actor.workspace_id, team_name))
        require(actor, team, Action.MANAGE_CUSTOM_ROLES)
        if not ROLE_NAME.match(name) or name in BUILTIN_ROLES:
            reason = "use a lower-case word of letters, digits and hyphens, not a built-in role"
            raise InvalidRoleName(name=name, reason=reason)
        known = [p.value for p in Permission]
        for permission in permissions:
            if permission not in known:
                raise UnknownPermission(permission=permission, known=known)
        if role_book(team).exists(name):
            raise RoleExists(role=name)
        now = self.clock.now()
        chosen = sorted(set(permissions))
        with db.atomic():
            CustomRole.create(
                workspace_id=team.workspace_id,
                team=team,
                name=name,
                permissions=",".join(chosen),
                created_at=now,
            )
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="role.created",
                actor=actor.user_id,
                team=team,
                target=name,
                permissions=chosen,
            )
        return RoleInfo(name, chosen, False)

    def delete(self, *, actor: Actor, team_name: str | None, name: str) -> None:
        """Owners delete a custom role nobody holds and no pending invitation gives."""
        team = root_of(resolve_team(actor.workspace_id, team_name))
        require(actor, team, Action.MANAGE_CUSTOM_ROLES)
        role = CustomRole.get_or_none(CustomRole.team == team, CustomRole.name == name)
        if role is None:
            raise UnknownRole(role=name, known=role_book(team).names())
        holders = (
            MemberRole.select()
            .join(Membership)
            .where(Membership.team == team, MemberRole.role == name)
            .count()
        )
        live = Invitation.live(self.clock.now()).where(Invitation.team == team)
        pending = [i for i in live if name in i.role_names]
        if holders or pending:
            raise RoleInUse(role=name, holders=holders + len(pending))
        now = self.clock.now()
        with db.atomic():
            role.delete_instance()
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="role.deleted",
                actor=actor.user_id,
                team=team,
                target=name,
            )

    def set_roles(
        self, *, actor: Actor, team_name: str | None, user_id: str, roles: list[str]
    ) -> list[str]:
        """Replace a member's roles: no escalation, Owners only touch Owners, and the
        last Owner is not demoted."""
        team = root_of(resolve_team(actor.workspace_id, team_name))
        book = role_book(team)
        actor_roles = roles_of(team, actor.user_id)
        membership = Membership.find(team, user_id)
        if membership is None:
            raise NotAMember(user=user_id, team=team.name)
        current = roles_of(team, user_id)
        if not book.may_change_roles_of(actor_roles, current):
            raise NotAllowed(action="change roles", team=team.name)
        book.check_grants(actor_roles, roles)
        check_owner_is_permanent(membership, roles, team.name)
        now = self.clock.now()
        with db.atomic():
            check_keeps_an_owner(team, user_id, roles)
            _replace_roles(membership, roles)
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="member.roles_changed",
                actor=actor.user_id,
                team=team,
                target=user_id,
                before=sorted(current),
                after=sorted(roles),
            )
        return sorted(roles)

    def check_owner(self, *, actor: Actor, team_name: str) -> str:
        """The team's name, or a refusal when the actor may not delete it (asked before
        the confirm dialog)."""
        team = resolve_team(actor.workspace_id, team_name)
        require(actor, team, Action.DELETE_TEAM)
        return team.name

    def transfer(self, *, actor: Actor, team_name: str, user_id: str) -> Team:
        """An Owner hands ownership to another member and becomes an Admin."""
        team = root_of(resolve_team(actor.workspace_id, team_name))
        require(actor, team, Action.TRANSFER_OWNERSHIP)
        heir = Membership.find(team, user_id)
        if heir is None:
            raise NotAMember(user=user_id, team=team.name)
        check_owner_is_permanent(heir, [OWNER], team.name)
        now = self.clock.now()
        with db.atomic():
            add_roles(heir, [OWNER])
            mine = Membership.find(team, actor.user_id)
            MemberRole.delete().where(
                MemberRole.membership == mine, MemberRole.role == OWNER
            ).execute()
            add_roles(mine, ["admin"])
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="team.ownership_transferred",
                actor=actor.user_id,
                team=team,
                target=user_id,
            )
        return team


def _replace_roles(membership: Membership, roles: list[str]) -> None:
    MemberRole.delete().where(MemberRole.membership == membership).execute()
    add_roles(membership, roles)


def check_owner_is_permanent(membership: Membership, roles: list[str], team: str) -> None:
    """Owner is never held for a time: make a time-bound member's access permanent first."""
    if membership.ends_at is not None and OWNER in roles:
        raise OwnerNotForATime(team=team)
