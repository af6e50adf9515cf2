"""The permission model: built-in roles, custom roles, the invite policy, no escalation.

Every "may this person do that" question of Lobby is answered here, from role
names alone, so the whole matrix is testable without a database.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import CannotGrantRole, UnknownRole


class Permission(StrEnum):
    INVITE = "invite"
    APPROVE_REQUESTS = "approve_requests"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_ROLES = "manage_roles"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_SEATS = "manage_seats"
    VIEW = "view"


P = Permission
OWNER = "owner"

BUILTIN_ROLES: dict[str, frozenset[Permission]] = {
    OWNER: frozenset(Permission),
    "admin": frozenset(
        {P.VIEW, P.INVITE, P.APPROVE_REQUESTS, P.MANAGE_MEMBERS, P.MANAGE_ROLES, P.MANAGE_SETTINGS}
    ),
    "manager": frozenset({P.VIEW, P.INVITE, P.APPROVE_REQUESTS}),
    "member": frozenset({P.VIEW}),
    "viewer": frozenset({P.VIEW}),
}

# Invite policy: the lowest built-in role that may invite.
INVITE_POLICIES = ("admins", "managers", "members")
_ROLES_ALLOWED_TO_INVITE = {
    "admins": {OWNER, "admin"},
    "managers": {OWNER, "admin", "manager"},
    "members": {OWNER, "admin", "manager", "member"},
}
LINK_POLICIES = ("open", "approval", "disabled")


class Action(StrEnum):
    """Things done to a team that need more than one permission to decide."""

    VIEW = "view"
    INVITE = "invite"
    APPROVE_REQUESTS = "approve_requests"
    MANAGE_MEMBERS = "manage_members"
    CHANGE_SETTINGS = "change_settings"
    RESET_LINK = "reset_link"
    VIEW_AUDIT = "view_audit"
    VIEW_STATS = "view_stats"
    SET_SEATS = "set_seats"
    TRANSFER_OWNERSHIP = "transfer_ownership"
    DELETE_TEAM = "delete_team"
    MANAGE_CUSTOM_ROLES = "manage_custom_roles"


_ACTION_NEEDS: dict[Action, Permission | None] = {
    Action.VIEW: P.VIEW,
    Action.INVITE: P.INVITE,
    Action.APPROVE_REQUESTS: P.APPROVE_REQUESTS,
    Action.MANAGE_MEMBERS: P.MANAGE_MEMBERS,
    Action.CHANGE_SETTINGS: P.MANAGE_SETTINGS,
    Action.RESET_LINK: P.MANAGE_SETTINGS,
    Action.VIEW_AUDIT: P.MANAGE_SETTINGS,
    # Invite analytics read the record the audit shows: the same admins see them.
    Action.VIEW_STATS: P.MANAGE_SETTINGS,
    Action.SET_SEATS: P.MANAGE_SEATS,
    # None: Owners only, whatever permissions a custom role carries.
    Action.TRANSFER_OWNERSHIP: None,
    Action.DELETE_TEAM: None,
    Action.MANAGE_CUSTOM_ROLES: None,
}


@dataclass(frozen=True)
class RoleBook:
    """The roles a team knows: the built-in ones, its custom ones, and its invite policy."""

    custom_roles: Mapping[str, frozenset[Permission]]
    invite_policy: str = "managers"

    def names(self) -> list[str]:
        return [*BUILTIN_ROLES, *sorted(self.custom_roles)]

    def exists(self, role: str) -> bool:
        return role in BUILTIN_ROLES or role in self.custom_roles

    def granted_by(self, role: str) -> frozenset[Permission]:
        """What holding `role` gives, before the invite policy is applied."""
        if role in BUILTIN_ROLES:
            return BUILTIN_ROLES[role]
        return self.custom_roles.get(role, frozenset())

    def effective(self, roles: Iterable[str]) -> frozenset[Permission]:
        """The union of the roles' permissions, with `invite` following the policy."""
        allowed = _ROLES_ALLOWED_TO_INVITE[self.invite_policy]
        permissions: set[Permission] = set()
        for role in roles:
            granted = set(self.granted_by(role))
            if role in BUILTIN_ROLES:
                granted.discard(P.INVITE)
                if role in allowed:
                    granted.add(P.INVITE)
            permissions |= granted
        return frozenset(permissions)

    def may(self, roles: Iterable[str], action: Action) -> bool:
        roles = set(roles)
        if OWNER in roles:
            return True
        needed = _ACTION_NEEDS[action]
        return needed is not None and needed in self.effective(roles)

    def may_grant(self, roles: Iterable[str], role: str) -> bool:
        """No escalation: only Owners grant Owner; a role with more than `view`
        needs `manage_roles` and no permission the granter lacks."""
        roles = set(roles)
        if not self.exists(role):
            return False
        if OWNER in roles:
            return True
        if role == OWNER:
            return False
        granted = self.granted_by(role)
        if granted <= {P.VIEW}:
            return True
        mine = self.effective(roles)
        return P.MANAGE_ROLES in mine and granted <= mine

    def grantable(self, roles: Iterable[str]) -> list[str]:
        """Every role that `roles` may give, in the book's order: what forms offer."""
        roles = set(roles)
        return [role for role in self.names() if self.may_grant(roles, role)]

    def check_grants(self, roles: Iterable[str], granted: Iterable[str]) -> None:
        """The one grant check of every path (invite, approve, set roles): each role
        exists and `roles` may give it, or the refusal names it."""
        roles = set(roles)
        for role in granted:
            if not self.exists(role):
                raise UnknownRole(role=role, known=self.names())
            if not self.may_grant(roles, role):
                raise CannotGrantRole(role=role)

    def may_decide_grant(self, roles: Iterable[str], role: str) -> bool:
        """Who decides a request for `role` (gets its copy, approves or denies it): someone
        who approves requests and may give that role, so a Manager never decides Admin."""
        return self.may(roles, Action.APPROVE_REQUESTS) and self.may_grant(roles, role)

    def may_change_roles_of(self, roles: Iterable[str], target_roles: Iterable[str]) -> bool:
        """Change a member's roles: `manage_roles`, and only Owners touch Owners.
        Which new roles may be given is `check_grants`' question."""
        roles = set(roles)
        if OWNER in set(target_roles) and OWNER not in roles:
            return False
        return P.MANAGE_ROLES in self.effective(roles)

    def may_remove(self, roles: Iterable[str], target_roles: Iterable[str]) -> bool:
        """Remove a member: `manage_members`, and only Owners remove Owners."""
        roles = set(roles)
        if OWNER in set(target_roles) and OWNER not in roles:
            return False
        return P.MANAGE_MEMBERS in self.effective(roles)
