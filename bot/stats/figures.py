"""The figures of `stats`, each one SQL aggregate over a root team's rows in a window.

Every function is one query whatever the team's size; the medians fetch only the
durations of the window's decided rows.
"""

import operator
from datetime import datetime, timedelta
from functools import reduce
from statistics import median

from peewee import JOIN, Case, fn

from bot import audit
from storage.models import AuditEntry, Invitation, InviteCode, JoinRequest, LinkJoin, Team
from storage.statuses import InvitationStatus, RequestStatus

# Each path of `stats` and the Membership.joined_via values it counts: a seat given from
# the waitlist is a link join that waited for its seat.
JOIN_PATHS = {
    "invitation": ("invitation",),
    "link": ("link", "waitlist"),
    "request": ("request",),
}
JOINED = "member.joined"  # the audit action written when a membership is created


def _count_if(condition):
    return fn.COALESCE(fn.SUM(Case(None, [(condition, 1)], 0)), 0)


def joins_by_path(team: Team, since: datetime) -> dict[str, int]:
    """People who joined after `since`, by path, from the audit trail: a member who has
    left since still joined then."""
    counts = [_count_if(_joined_via(ways)) for ways in JOIN_PATHS.values()]
    row = (
        AuditEntry.select(*counts)
        .where(
            AuditEntry.workspace_id == team.workspace_id,
            AuditEntry.created_at > since,
            AuditEntry.team == team,
            AuditEntry.action == JOINED,
        )
        .tuples()
        .get()
    )
    return dict(zip(JOIN_PATHS, (int(n) for n in row), strict=True))


def _joined_via(ways: tuple[str, ...]):
    conditions = [AuditEntry.details.contains(audit.detail_pattern("via", way)) for way in ways]
    return reduce(operator.or_, conditions)


def _sent_after(team: Team, since: datetime):
    return (Invitation.team == team) & (Invitation.created_at > since)


def invitation_outcomes(team: Team, since: datetime, now: datetime) -> tuple[int, int, int]:
    """The invitations sent after `since`: how many, how many of them were accepted, and
    how many expired (a due one counts before the sweep has marked it)."""
    expired = (Invitation.status == InvitationStatus.EXPIRED) | Invitation.is_due(now)
    row = (
        Invitation.select(
            fn.COUNT(Invitation.id),
            _count_if(Invitation.status == InvitationStatus.ACCEPTED),
            _count_if(expired),
        )
        .where(_sent_after(team, since))
        .tuples()
        .get()
    )
    return tuple(int(n) for n in row)


def median_time_to_accept(team: Team, since: datetime) -> timedelta | None:
    """From sending (the first time, not a resend) to accepting, for those sent after
    `since`; None when none was accepted."""
    rows = (
        Invitation.select(Invitation.created_at, Invitation.decided_at)
        .where(_sent_after(team, since), Invitation.status == InvitationStatus.ACCEPTED)
        .tuples()
    )
    return _median([decided - created for created, decided in rows])


def median_time_to_decide(team: Team, since: datetime) -> timedelta | None:
    """From asking to an approver's decision (approve or deny; expiry is no decision),
    for requests made after `since`; None when none was decided."""
    decided = (RequestStatus.APPROVED, RequestStatus.DENIED)
    rows = (
        JoinRequest.select(JoinRequest.created_at, JoinRequest.decided_at)
        .where(
            JoinRequest.team == team,
            JoinRequest.created_at > since,
            JoinRequest.status.in_(decided),
        )
        .tuples()
    )
    return _median([decided_at - created for created, decided_at in rows])


def _median(durations: list[timedelta]) -> timedelta | None:
    return median(durations) if durations else None


def link_joins_since_reset(team: Team) -> tuple[datetime | None, int]:
    """When the current invite code was made (its last reset), and how many joined with
    it; (None, 0) when the team has no code."""
    row = (
        InviteCode.select(InviteCode.created_at, fn.COUNT(LinkJoin.id))
        .join(LinkJoin, JOIN.LEFT_OUTER, on=(LinkJoin.code == InviteCode.id))
        .where(InviteCode.team == team, InviteCode.retired_at.is_null())
        .group_by(InviteCode.id, InviteCode.created_at)
        .tuples()
        .first()
    )
    return (row[0], int(row[1])) if row else (None, 0)


def top_inviters(team: Team, since: datetime, limit: int) -> list[tuple[str, int]]:
    """Inviters by accepted invitations among those sent after `since`, most first; a tie
    is ordered by user id, so the list is the same on every database."""
    accepted = fn.COUNT(Invitation.id)
    query = (
        Invitation.select(Invitation.inviter_user_id, accepted)
        .where(_sent_after(team, since), Invitation.status == InvitationStatus.ACCEPTED)
        .group_by(Invitation.inviter_user_id)
        .order_by(accepted.desc(), Invitation.inviter_user_id)
        .limit(limit)
        .tuples()
    )
    return [(user_id, int(count)) for user_id, count in query]
