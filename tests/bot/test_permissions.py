"""The whole built-in role matrix of PRODUCT.md, and the invite policy."""

import pytest

from bot.errors import CannotGrantRole, UnknownRole
from bot.roles.permissions import BUILTIN_ROLES, Action, RoleBook

ROLES = list(BUILTIN_ROLES)  # owner, admin, manager, member, viewer
ALL_BUT_OWNER = {"admin", "manager", "member", "viewer"}
PLAIN = {"member", "viewer"}

# For each action: actor role -> the target roles it may act on (PRODUCT.md's table).
EXPECTED_WITH_TARGET = {
    "invite_as": {"owner": set(ROLES), "admin": ALL_BUT_OWNER, "manager": PLAIN},
    "approve_as": {"owner": set(ROLES), "admin": ALL_BUT_OWNER, "manager": PLAIN},
    "grant_by_role_change": {"owner": set(ROLES), "admin": ALL_BUT_OWNER},
    "change_roles_of": {"owner": set(ROLES), "admin": ALL_BUT_OWNER},
    "remove": {"owner": set(ROLES), "admin": ALL_BUT_OWNER},
}
# For each team-wide action: the actor roles that may do it.
EXPECTED_TEAM_WIDE = {
    Action.VIEW: set(ROLES),
    Action.INVITE: {"owner", "admin", "manager"},
    Action.APPROVE_REQUESTS: {"owner", "admin", "manager"},
    Action.CHANGE_SETTINGS: {"owner", "admin"},
    Action.RESET_LINK: {"owner", "admin"},
    Action.VIEW_AUDIT: {"owner", "admin"},
    Action.VIEW_STATS: {"owner", "admin"},
    Action.SET_SEATS: {"owner"},
    Action.TRANSFER_OWNERSHIP: {"owner"},
    Action.DELETE_TEAM: {"owner"},
    Action.MANAGE_CUSTOM_ROLES: {"owner"},
}


def gives(book: RoleBook, mine: set[str], action: Action, roles: list[str]) -> bool:
    """As the service decides: the action's permission, then the one grant check."""
    return book.may(mine, action) and set(roles) <= set(book.grantable(mine))


def may_change_roles(book: RoleBook, mine: set[str], target: list[str], new: list[str]) -> bool:
    return book.may_change_roles_of(mine, target) and set(new) <= set(book.grantable(mine))


def decide(book: RoleBook, action: str, actor: str, target: str) -> bool:
    mine = {actor}
    if action == "invite_as":
        return gives(book, mine, Action.INVITE, [target])
    if action == "approve_as":
        return gives(book, mine, Action.APPROVE_REQUESTS, [target])
    if action == "grant_by_role_change":
        return may_change_roles(book, mine, ["member"], [target])
    if action == "change_roles_of":
        return may_change_roles(book, mine, [target], ["viewer"])
    return book.may_remove(mine, [target])


def test_every_builtin_role_against_every_role_and_action():
    book = RoleBook(custom_roles={})
    for action, allowed in EXPECTED_WITH_TARGET.items():
        for actor in ROLES:
            for target in ROLES:
                expected = target in allowed.get(actor, set())
                assert decide(book, action, actor, target) == expected, (action, actor, target)
    for action, allowed in EXPECTED_TEAM_WIDE.items():
        for actor in ROLES:
            assert book.may({actor}, action) == (actor in allowed), (action, actor)


@pytest.mark.parametrize(
    "policy, inviters",
    [
        ("admins", {"owner", "admin"}),
        ("managers", {"owner", "admin", "manager"}),
        ("members", {"owner", "admin", "manager", "member"}),
    ],
)
def test_invite_policy_sets_the_lowest_role_that_may_invite(policy, inviters):
    book = RoleBook(custom_roles={}, invite_policy=policy)
    for actor in ROLES:
        assert gives(book, {actor}, Action.INVITE, ["member"]) == (actor in inviters), actor


def test_members_policy_lets_members_invite_only_as_member_or_viewer():
    book = RoleBook(custom_roles={}, invite_policy="members")
    assert gives(book, {"member"}, Action.INVITE, ["viewer"])
    assert not gives(book, {"member"}, Action.INVITE, ["manager"])
    assert not gives(book, {"viewer"}, Action.INVITE, ["viewer"])


def test_several_roles_give_the_union_of_their_permissions():
    book = RoleBook(custom_roles={"greeter": frozenset({"view", "invite"})})
    assert not book.may({"viewer"}, Action.INVITE)
    assert book.may({"viewer", "greeter"}, Action.INVITE)


def test_no_one_grants_a_custom_role_with_permissions_they_lack():
    seats = RoleBook(custom_roles={"treasurer": frozenset({"view", "manage_seats"})})
    assert not may_change_roles(seats, {"admin"}, ["member"], ["treasurer"])
    assert may_change_roles(seats, {"owner"}, ["member"], ["treasurer"])


def test_a_custom_role_with_only_view_is_grantable_by_a_manager():
    book = RoleBook(custom_roles={"guest": frozenset({"view"})})
    assert gives(book, {"manager"}, Action.INVITE, ["guest"])


def test_unknown_roles_cannot_be_granted():
    book = RoleBook(custom_roles={})
    assert not gives(book, {"owner"}, Action.INVITE, ["wizard"])
    assert not book.may_grant({"admin"}, "wizard")
    with pytest.raises(UnknownRole):
        book.check_grants({"owner"}, ["wizard"])


def test_the_grant_check_names_the_role_that_would_escalate():
    book = RoleBook(custom_roles={})
    book.check_grants({"manager"}, ["member", "viewer"])
    with pytest.raises(CannotGrantRole) as refused:
        book.check_grants({"manager"}, ["member", "admin"])
    assert refused.value.role == "admin"
