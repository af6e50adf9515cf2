"""Who belongs to a team with which roles, and admitting a new member.

Every way in (accepted invitation, link join, approved request) ends in
`admit`, so the sync of channels and user group, the welcome DM and the
admins' notice are decided in one place.
"""

from datetime import datetime

from bot import audit
from bot.outbox import notices, sync_notices
from bot.roles.permissions import Permission, RoleBook
from storage.models import CustomRole, LinkedResource, MemberRole, Membership, Team


def root_of(team: Team) -> Team:
    while team.parent_id is not None:
        team = team.parent
    return team


def with_sub_teams(team: Team) -> list[Team]:
    teams, frontier = [team], [team]
    while frontier:
        frontier = list(Team.select().where(Team.parent.in_(frontier)))
        teams.extend(frontier)
    return teams


def role_book(team: Team) -> RoleBook:
    root = root_of(team)
    custom = {
        row.name: frozenset(Permission(p) for p in row.permissions.split(",") if p)
        for row in CustomRole.select().where(CustomRole.team == root)
    }
    return RoleBook(custom_roles=custom, invite_policy=root.invite_policy)


def roles_of(team: Team, user_id: str) -> set[str]:
    """The roles a person holds on a team: membership of the root team applies to sub-teams."""
    query = (
        MemberRole.select(MemberRole.role)
        .join(Membership)
        .where(Membership.team == root_of(team), Membership.user_id == user_id)
    )
    return {row.role for row in query}


def roles_by_member(team: Team) -> dict[str, list[str]]:
    """Every member of the (root) team with their roles, in joining order."""
    query = (
        Membership.select(Membership.user_id, MemberRole.role)
        .join(MemberRole)
        .where(Membership.team == root_of(team))
        .order_by(Membership.joined_at, Membership.id, MemberRole.role)
        .tuples()
    )
    members: dict[str, list[str]] = {}
    for user_id, role in query:
        members.setdefault(user_id, []).append(role)
    return members


def access_ends(team: Team) -> dict[str, datetime]:
    """The time-bound members of the (root) team, with when their access ends."""
    query = Membership.select(Membership.user_id, Membership.ends_at).where(
        Membership.team == root_of(team), Membership.ends_at.is_null(False)
    )
    return {row.user_id: row.ends_at for row in query}


def brought_in(team: Team) -> dict[str, tuple[str, str | None]]:
    """How each member of the (root) team joined, and who brought them in: the inviter,
    the approver, themselves (the creator), or nobody (a link join)."""
    query = Membership.select(Membership.user_id, Membership.joined_via, Membership.added_by).where(
        Membership.team == root_of(team)
    )
    return {row.user_id: (row.joined_via, row.added_by) for row in query}


def holders_of(team: Team, permission: Permission) -> list[str]:
    """The members whose roles give `permission` (e.g. the team's admins)."""
    book = role_book(team)
    return [
        user_id
        for user_id, roles in roles_by_member(team).items()
        if permission in book.effective(roles)
    ]


def admin_recipients(team: Team, admins: list[str], *, exclude: set[str]) -> list[str]:
    """Where news for a team's admins goes: its notification channel, or each admin."""
    root = root_of(team)
    if root.notification_channel:
        return [root.notification_channel]
    return [admin for admin in admins if admin not in exclude]


def linked_resources(team: Team) -> list[LinkedResource]:
    """What a member of `team` is kept in: its links and its sub-teams' links."""
    teams = with_sub_teams(root_of(team))
    return list(LinkedResource.select().where(LinkedResource.team.in_(teams)))


def add_roles(membership: Membership, roles: list[str]) -> None:
    for role in roles:
        MemberRole.insert(
            workspace_id=membership.workspace_id, membership=membership, role=role
        ).on_conflict_ignore().execute()


def admit(
    *,
    team: Team,
    user_id: str,
    roles: list[str],
    now: datetime,
    via: str,
    added_by: str | None,
    ends_at: datetime | None = None,
) -> bool:
    """Make `user_id` a member with `roles` (in the caller's transaction), until `ends_at`
    (None: permanent).

    Returns False when they were a member already (their roles are then merged, and when
    their access ends is left as it was).
    """
    workspace_id = team.workspace_id
    existing = Membership.find(team, user_id)
    if existing:
        add_roles(existing, roles)
        return False
    membership = Membership.create(
        workspace_id=workspace_id,
        team=team,
        user_id=user_id,
        joined_at=now,
        joined_via=via,
        added_by=added_by,
        ends_at=ends_at,
    )
    add_roles(membership, roles)
    _record_sync_and_news(team, user_id, roles, now, added_by)
    audit.record(
        workspace_id=workspace_id,
        now=now,
        action="member.joined",
        actor=added_by,
        team=team,
        target=user_id,
        roles=roles,
        via=via,
        **({"ends_at": ends_at} if ends_at else {}),
    )
    return True


def _record_sync_and_news(team, user_id, roles, now, added_by) -> None:
    workspace_id = team.workspace_id
    admins = holders_of(team, Permission.MANAGE_MEMBERS)
    resources = linked_resources(team)
    for resource in resources:
        notices.record(workspace_id, sync_notice(team, user_id, resource, admins), now)
    channel_ids = [r.resource_id for r in resources if r.kind == "channel"]
    notices.record(
        workspace_id,
        notices.Welcome(team=team.name, user=user_id, roles=roles, channel_ids=channel_ids),
        now,
    )
    for recipient in admin_recipients(team, admins, exclude={user_id, added_by}):
        news = notices.NewMember(
            team=team.name, recipient=recipient, user=user_id, roles=roles, added_by=added_by
        )
        notices.record(workspace_id, news, now)


def sync_notice(team: Team, user_id: str, resource: LinkedResource, admins: list[str]):
    if resource.kind == "channel":
        return sync_notices.AddToChannel(
            team=team.name,
            user=user_id,
            channel_id=resource.resource_id,
            channel_name=resource.name,
            is_private=resource.is_private,
            admins=admins,
        )
    return sync_notices.AddToUserGroup(
        team=team.name,
        user=user_id,
        usergroup_id=resource.resource_id,
        handle=resource.name,
        admins=admins,
    )
