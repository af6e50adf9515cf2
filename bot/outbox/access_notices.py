"""Notices about access that ends: the warning before, the news after, a changed end."""

from dataclasses import dataclass
from typing import ClassVar

from bot.outbox.notices import Notice


@dataclass(frozen=True)
class AccessEndingSoon(Notice):
    """Tell the member, once, that their access ends soon."""

    kind: ClassVar[str] = "access_ending_soon"
    team: str
    user: str
    ends_at: str


@dataclass(frozen=True)
class AccessEndingForAdmin(Notice):
    """One admin's copy (or the notification channel's), with Extend and Make permanent."""

    kind: ClassVar[str] = "access_ending_for_admin"
    membership_id: int
    team_id: int
    team: str
    recipient: str
    user: str
    ends_at: str


@dataclass(frozen=True)
class AccessChanged(Notice):
    """A member's end changed: every admin copy of the warning shows it, without buttons."""

    kind: ClassVar[str] = "access_changed"
    membership_id: int
    team: str
    user: str
    ends_at: str | None  # None: permanent
    by: str


@dataclass(frozen=True)
class AccessEnded(Notice):
    """Tell the member their access ended."""

    kind: ClassVar[str] = "access_ended"
    team: str
    user: str


@dataclass(frozen=True)
class AccessEndedNews(Notice):
    """Tell one admin (or the notification channel) that a member's access ended."""

    kind: ClassVar[str] = "access_ended_news"
    team: str
    recipient: str
    user: str
