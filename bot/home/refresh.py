"""Who must see a changed list, and the queue of App Homes to publish: one per person.

Every App Home that shows a team's lists is a copy too. A person whose Home is already
queued is not queued again: the queued one publishes the state as it is when sent.
"""

from collections.abc import Iterable
from datetime import datetime

from bot.outbox import notices
from bot.roles.permissions import Action
from bot.teams.membership import role_book, roles_by_member, root_of
from storage.models import Notice, Team
from storage.statuses import NoticeStatus


def home_admins(team: Team) -> list[str]:
    """The people whose Home lists the root team's requests, invitations and seats."""
    root = root_of(team)
    book = role_book(root)
    return [user for user, roles in roles_by_member(root).items() if is_home_admin(book, roles)]


def is_home_admin(book, roles: list[str]) -> bool:
    return book.may(roles, Action.APPROVE_REQUESTS) or book.may(roles, Action.INVITE)


def refresh_homes(team: Team, now: datetime, *people: str | None) -> None:
    """Queue the Homes of the team's admins and of `people` (the requester, the invitee)."""
    users = set(home_admins(team)) | {p for p in people if p}
    queue_homes(team.workspace_id, users, now)


def home_key(workspace_id: str, user_id: str) -> str:
    """A queued Home's dedupe key: held while it waits, cleared once it is claimed."""
    return f"home:{workspace_id}:{user_id}"


def queue_homes(workspace_id: str, users: Iterable[str], now: datetime) -> None:
    """In the caller's transaction: each person's Home is published after this, once."""
    notices.record_coalesced(
        [
            (workspace_id, notices.PublishHome(user=user), home_key(workspace_id, user))
            for user in sorted(users)
        ],
        now,
    )


def unqueue_home(workspace_id: str, user_id: str) -> None:
    """The Home is being published now: the queued one is not needed."""
    Notice.delete().where(
        Notice.dedupe_key == home_key(workspace_id, user_id),
        Notice.status == NoticeStatus.PENDING,
    ).execute()
