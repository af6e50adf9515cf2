"""Notices about the waitlist: a freed seat reached someone who waited."""

from dataclasses import dataclass
from typing import ClassVar

from bot.outbox.notices import Notice

ADMITTED = "admitted"  # they are a member now (open link policy)
REQUESTED = "requested"  # their join request went to the approvers (approval policy)


@dataclass(frozen=True)
class WaitlistPromoted(Notice):
    """Tell the person a seat freed for them, and what became of it."""

    kind: ClassVar[str] = "waitlist_promoted"
    team: str
    user: str
    outcome: str  # ADMITTED | REQUESTED
    roles: list[str]
