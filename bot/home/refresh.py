"""Who must see a changed list: every App Home that shows a team's lists is a copy too."""

from datetime import datetime

from bot.outbox import notices
from bot.roles.permissions import Action
from bot.teams.membership import role_book, roles_by_member, root_of
from storage.models import Team


def home_admins(team: Team) -> list[str]:
    """The people whose Home lists the root team's requests, invitations and seats."""
    root = root_of(team)
    book = role_book(root)
    return [user for user, roles in roles_by_member(root).items() if is_home_admin(book, roles)]


def is_home_admin(book, roles: list[str]) -> bool:
    return book.may(roles, Action.APPROVE_REQUESTS) or book.may(roles, Action.INVITE)


def refresh_homes(team: Team, now: datetime, *people: str | None) -> None:
    """Record one refresh of the Homes of the team's admins and of `people` (the requester,
    the invitee): one notice per change, however many rows it touched."""
    users = sorted(set(home_admins(team)) | {p for p in people if p})
    if users:
        notices.record(team.workspace_id, notices.RefreshHomes(users=users), now)
