"""Notices: what must be said or done in Slack because of a change, as plain data.

The service records them in the same transaction as the change (an outbox);
a sender above bot/ renders and delivers them. One notice is one Slack effect
for one recipient, so each is delivered, retried and deduplicated on its own.
"""

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import ClassVar

from peewee import Select, ValuesList

from storage.installations import Departure
from storage.models import Notice as NoticeRow
from storage.statuses import NoticeStatus

NOTICE_KINDS: dict[str, type["Notice"]] = {}


@dataclass(frozen=True)
class Notice:
    kind: ClassVar[str] = ""
    # Fields blanked in the stored row once the notice is delivered (a leak reveals nothing).
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        NOTICE_KINDS[cls.kind] = cls


@dataclass(frozen=True)
class InvitationSent(Notice):
    """DM the invitee with Accept / Decline."""

    kind: ClassVar[str] = "invitation_sent"
    invitation_id: int
    generation: int
    team: str
    invitee: str
    inviter: str
    roles: list[str]
    message: str | None
    expires_at: str


@dataclass(frozen=True)
class InvitationClosed(Notice):
    """Update every message about the invitation: its buttons go."""

    kind: ClassVar[str] = "invitation_closed"
    invitation_id: int
    generation: int
    team: str
    status: str
    decided_by: str | None


@dataclass(frozen=True)
class InvitationReplaced(Notice):
    """A resend replaced this generation's DM: its buttons go."""

    kind: ClassVar[str] = "invitation_replaced"
    invitation_id: int
    generation: int
    team: str


@dataclass(frozen=True)
class EmailInvitation(Notice):
    """Email an invitation to an address with no Slack user yet. Carries the code until sent."""

    kind: ClassVar[str] = "email_invitation"
    secret_fields: ClassVar[tuple[str, ...]] = ("code",)
    invitation_id: int
    email: str
    team: str
    inviter: str
    roles: list[str]
    message: str | None
    code: str
    expires_at: str


@dataclass(frozen=True)
class RenderJoinCards(Notice):
    """Re-render every join card of a team, e.g. after its code was reset."""

    kind: ClassVar[str] = "render_join_cards"
    team_id: int
    team: str
    code: str
    joinable: bool
    seats_line: str | None = None
    paused: bool = False
    waitlist: bool = False


@dataclass(frozen=True)
class SeatsFull(Notice):
    """Tell an Owner that someone was turned away for lack of seats."""

    kind: ClassVar[str] = "seats_full"
    team: str
    recipient: str
    used: int
    limit: int


@dataclass(frozen=True)
class RequestForApproval(Notice):
    """One approver's copy (or the notification channel's) of a join request, with buttons."""

    kind: ClassVar[str] = "request_for_approval"
    request_id: int
    team: str
    requester: str
    note: str | None
    recipient: str
    roles: list[str]  # what this recipient may grant
    default_role: str
    seats: list  # [members, held by pending invitations, limit or None]


@dataclass(frozen=True)
class RequestDecided(Notice):
    """Update every copy of the request: "Approved by @bob as Member", no buttons."""

    kind: ClassVar[str] = "request_decided"
    request_id: int
    team: str
    requester: str
    status: str  # approved | denied | expired
    decided_by: str | None
    roles: list[str]


@dataclass(frozen=True)
class RequestAnswered(Notice):
    """Tell the requester what became of their request."""

    kind: ClassVar[str] = "request_answered"
    team: str
    requester: str
    status: str  # approved | denied | expired
    decided_by: str | None
    reason: str | None


@dataclass(frozen=True)
class RequestReminder(Notice):
    """Once a day: the requests waiting over 24 hours, for one approver."""

    kind: ClassVar[str] = "request_reminder"
    team: str
    recipient: str
    requesters: list[str]


@dataclass(frozen=True)
class ExpiryReminder(Notice):
    """A day before an invitation expires, remind its inviter (with Resend)."""

    kind: ClassVar[str] = "expiry_reminder"
    invitation_id: int
    team: str
    inviter: str
    invitee: str | None
    email: str | None
    expires_at: str


@dataclass(frozen=True)
class DailyDigest(Notice):
    """An admin's summary of the day: who joined, and the requests still open."""

    kind: ClassVar[str] = "daily_digest"
    team: str
    recipient: str
    joined: list[str]
    open_requests: list[int]
    requesters: list[str]


@dataclass(frozen=True)
class DeliveryFailed(Notice):
    """Tell an Owner that Lobby gave up on something it had to do in Slack."""

    kind: ClassVar[str] = "delivery_failed"
    team: str
    recipient: str
    what: str
    error: str


@dataclass(frozen=True)
class InvitationAccepted(Notice):
    """Tell the inviter."""

    kind: ClassVar[str] = "invitation_accepted"
    team: str
    inviter: str
    invitee: str
    roles: list[str]


@dataclass(frozen=True)
class InvitationExpired(Notice):
    """Tell the inviter, once, with a Resend button."""

    kind: ClassVar[str] = "invitation_expired"
    invitation_id: int
    team: str
    inviter: str
    invitee: str | None
    email: str | None


@dataclass(frozen=True)
class InvitationDeclined(Notice):
    """Tell the inviter."""

    kind: ClassVar[str] = "invitation_declined"
    team: str
    inviter: str
    invitee: str


@dataclass(frozen=True)
class Welcome(Notice):
    kind: ClassVar[str] = "welcome"
    team: str
    user: str
    roles: list[str]
    channel_ids: list[str]


@dataclass(frozen=True)
class NewMember(Notice):
    """Tell one admin (or the team's notification channel) who joined."""

    kind: ClassVar[str] = "new_member"
    team: str
    recipient: str
    user: str
    roles: list[str]
    added_by: str | None


@dataclass(frozen=True)
class Removed(Notice):
    """Tell someone they are no longer a member of a team."""

    kind: ClassVar[str] = "removed"
    team: str
    user: str
    by: str | None


@dataclass(frozen=True)
class RefreshHomes(Notice):
    """Recorded before Home refreshes were queued one per person (`PublishHome`): rows
    still in an outbox from then queue each person's Home when delivered."""

    kind: ClassVar[str] = "refresh_homes"
    users: list[str]


@dataclass(frozen=True)
class PublishHome(Notice):
    """Publish someone's App Home as it is when sent. At most one is queued per person
    (bot/home/refresh.py), and they go after the notices people wait for."""

    kind: ClassVar[str] = "publish_home"
    user: str


def record(
    workspace_id: str, notice: Notice, now: datetime, *, dedupe_key: str | None = None
) -> bool:
    """Store a notice in the caller's transaction; with a `dedupe_key`, at most once ever.

    Returns False when a notice with that key was already recorded, or when the
    workspace uninstalled the app (nothing more is sent to it).
    """
    return _insert([_row(workspace_id, notice, now, dedupe_key)]) == 1


def record_many(items: list[tuple[str, Notice]], now: datetime, batch: int = 1000) -> None:
    """Store many (workspace_id, notice) pairs in the caller's transaction, in bulk."""
    rows = [_row(workspace_id, notice, now) for workspace_id, notice in items]
    for start in range(0, len(rows), batch):
        _insert(rows[start : start + batch])


def record_coalesced(items: list[tuple[str, Notice, str]], now: datetime) -> None:
    """Store (workspace_id, notice, dedupe_key) triples in the caller's transaction; one
    whose key is already queued is left out (the queued one stands for it)."""
    _insert([_row(workspace_id, notice, now, key) for workspace_id, notice, key in items])


_COLUMNS = (
    "workspace_id",
    "kind",
    "payload",
    "dedupe_key",
    "created_at",
    "next_attempt_at",
    "status",
    "attempts",
)


def _row(workspace_id: str, notice: Notice, now: datetime, dedupe_key: str | None = None):
    payload = json.dumps(asdict(notice))
    return (workspace_id, notice.kind, payload, dedupe_key, now, now, NoticeStatus.PENDING, 0)


def _insert(rows: list[tuple]) -> int:
    """One statement for the rows: none for a workspace that uninstalled the app, none
    whose dedupe key is taken; how many were stored. (The departure check and the
    duplicate key fold into the insert: a notice is recorded on every change, and each
    statement is a round trip to PostgreSQL, inside the caller's locks.)"""
    if not rows:
        return 0
    # VALUES names its columns column1, column2, ... on SQLite and PostgreSQL alike.
    values = ValuesList(rows, alias="new")
    new = [getattr(values.c, f"column{number}") for number in range(1, len(_COLUMNS) + 1)]
    still_here = new[0].not_in(Departure.select(Departure.workspace_id))
    chosen = Select([values], new).where(still_here)
    columns = [getattr(NoticeRow, name) for name in _COLUMNS]
    return NoticeRow.insert_from(chosen, columns).on_conflict_ignore().as_rowcount().execute()


def scrubbed_payload(notice: Notice) -> str:
    data = asdict(notice)
    for name in notice.secret_fields:
        data[name] = ""
    return json.dumps(data)


def load(row: NoticeRow) -> Notice:
    cls = NOTICE_KINDS[row.kind]
    data = json.loads(row.payload)
    # A field added since the row was stored takes its default.
    return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


# Registered with the kinds above, wherever notices are loaded.
from bot.outbox import (  # noqa: E402, F401
    access_notices,
    role_request_notices,
    sponsor_notices,
    sync_notices,
    waitlist_notices,
)
