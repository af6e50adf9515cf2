"""Notices that keep a team's Slack resources in step: the bot joins a linked public
channel; members are added to or taken out of linked channels and user groups."""

from dataclasses import dataclass
from typing import ClassVar

from bot.outbox.notices import Notice


@dataclass(frozen=True)
class AddToChannel(Notice):
    kind: ClassVar[str] = "add_to_channel"
    team: str
    user: str
    channel_id: str
    channel_name: str
    is_private: bool
    admins: list[str]


@dataclass(frozen=True)
class AddToUserGroup(Notice):
    kind: ClassVar[str] = "add_to_usergroup"
    team: str
    user: str
    usergroup_id: str
    handle: str
    admins: list[str]


@dataclass(frozen=True)
class RemoveFromChannel(Notice):
    kind: ClassVar[str] = "remove_from_channel"
    team: str
    user: str
    channel_id: str
    admins: list[str]


@dataclass(frozen=True)
class RemoveFromUserGroup(Notice):
    kind: ClassVar[str] = "remove_from_usergroup"
    team: str
    user: str
    usergroup_id: str
    admins: list[str]


@dataclass(frozen=True)
class JoinChannel(Notice):
    """The bot joins a public channel linked to a team, so it can add people."""

    kind: ClassVar[str] = "join_channel"
    team: str
    channel_id: str
