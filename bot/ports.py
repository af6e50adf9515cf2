"""What the service asks of Slack, as an interface. Handlers provide the Slack implementation."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ChannelFacts:
    channel_id: str
    name: str
    is_private: bool
    bot_is_member: bool


@dataclass(frozen=True)
class UserGroupFacts:
    usergroup_id: str
    handle: str


class Directory(Protocol):
    """Read-only facts about the Slack workspace."""

    def is_workspace_admin(self, user_id: str) -> bool: ...

    def user_for_email(self, email: str) -> str | None: ...

    def email_of(self, user_id: str) -> str | None:
        """The person's Slack email, or None when it is not visible to the app."""

    def channel(self, *, channel_id: str | None, name: str | None) -> ChannelFacts | None: ...

    def usergroup(self, *, usergroup_id: str | None, handle: str | None) -> UserGroupFacts | None:
        """None when no such group; raises UserGroupsUnavailable on a free plan."""
