"""Notices about role requests: the deciders' copies, the decision, the answer, reminders."""

from dataclasses import dataclass
from typing import ClassVar

from bot.outbox.notices import Notice


@dataclass(frozen=True)
class RoleRequestForApproval(Notice):
    """One copy, with Approve / Deny, for someone who may grant the role asked for."""

    kind: ClassVar[str] = "role_request_for_approval"
    request_id: int
    team: str
    requester: str
    role: str
    note: str | None
    recipient: str


@dataclass(frozen=True)
class RoleRequestDecided(Notice):
    """Update every copy of the role request: "approved by @bob", no buttons."""

    kind: ClassVar[str] = "role_request_decided"
    request_id: int
    team: str
    requester: str
    role: str
    status: str  # approved | denied | expired | cancelled (they left the team)
    decided_by: str | None


@dataclass(frozen=True)
class RoleRequestAnswered(Notice):
    """Tell the requester what became of their role request."""

    kind: ClassVar[str] = "role_request_answered"
    team: str
    requester: str
    role: str
    status: str  # approved | denied | expired
    decided_by: str | None


@dataclass(frozen=True)
class RoleRequestReminder(Notice):
    """Once a day: the role requests waiting over 24 hours that one person may decide."""

    kind: ClassVar[str] = "role_request_reminder"
    team: str
    recipient: str
    waiting: list  # [[requester, role], …]
