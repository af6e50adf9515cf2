"""Notices about a team's link: the pause DM to its admins, and what became of it."""

from dataclasses import dataclass
from typing import ClassVar

from bot.outbox.notices import Notice


@dataclass(frozen=True)
class LinkPausedNotice(Notice):
    """DM one admin that the hourly join limit paused the link, with Resume / Reset link."""

    kind: ClassVar[str] = "link_paused"
    team: str
    recipient: str
    limit: int
    code_id: int  # the buttons act on this pause only: a second click finds it over
    subject: str  # every admin's copy, updated when the pause ends


@dataclass(frozen=True)
class LinkPauseEnded(Notice):
    """The pause ended (resumed or reset): every admin's copy loses its buttons."""

    kind: ClassVar[str] = "link_pause_ended"
    team: str
    subject: str
    by: str
    how: str  # resumed | reset
