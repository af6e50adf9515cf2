"""The waitlist's one rule: when seats free on a root team, the people who waited
longest get them, one person per freed seat.

`fill_freed_seats` runs under the team's lock, in the transaction that freed the seat
(a removal, a departure from Slack, access ending, a higher limit, a cancelled, declined
or expired invitation). It counts what is free from the stored state rather than from
the event, so seats freed concurrently are filled one after the other, each by exactly
one person, and a seat a crash left unfilled is filled by the next call.
"""

from datetime import datetime

from peewee import IntegrityError

from bot import audit
from bot.outbox import notices
from bot.outbox import waitlist_notices as wn
from bot.requests.opening import open_request
from bot.seats.admission import seat_admission
from bot.seats.use import lock_team, seat_use
from bot.teams.membership import root_of
from storage.models import JoinRequest, Membership, Team, WaitlistEntry
from storage.statuses import RequestStatus, WaitlistStatus

DISABLED = "disabled"  # the link policy under which nobody joins by link, nor waits
APPROVAL = "approval"


def places_free(root: Team, now: datetime) -> int | None:
    """Seats the waitlist may give now (None: no limit): the free seats, less those a
    freed seat already promised to a waiter whose join request is still open."""
    use = seat_use(root, now)
    if use.limit is None:
        return None
    promised = WaitlistEntry.holding_a_seat(root, now).count()
    return max(use.limit - use.used - promised, 0)


def fill_freed_seats(team: Team, now: datetime) -> int:
    """Give the free seats of `team`'s root to the longest waiting, in order; returns
    how many were admitted or had their request sent. Call it under the team's lock,
    after the change that freed a seat."""
    root = Team.get_by_id(root_of(team).id)  # as the caller left it (e.g. a new limit)
    if root.link_policy == DISABLED or not WaitlistEntry.queue(root).exists():
        return 0
    lock_team(root)
    free = places_free(root, now)
    promoted = 0
    for entry in list(WaitlistEntry.queue(root)):
        if free is not None and promoted >= free:
            break
        if Membership.find(root, entry.user_id):
            _end(entry, WaitlistStatus.LEFT, now)  # they got in another way meanwhile
            continue
        if root.link_policy == APPROVAL:
            _send_request(root, entry, now)
        else:
            _admit(root, entry, now)
        promoted += 1
    return promoted


def _admit(root: Team, entry: WaitlistEntry, now: datetime) -> None:
    roles = [root.default_role]
    with seat_admission(root, now) as seats:
        seats.admit(user_id=entry.user_id, roles=roles, via="waitlist", added_by=None)
    _end(entry, WaitlistStatus.ADMITTED, now)
    _tell(root, entry, wn.ADMITTED, roles, now)


def _send_request(root: Team, entry: WaitlistEntry, now: datetime) -> None:
    """Their join request goes to the approvers (one they already have is kept); the
    seat stays promised to them while it is open."""
    request = _pending_request(root, entry.user_id)
    if request is None:
        try:
            request = open_request(root, entry.user_id, None, now)
        except IntegrityError:  # they asked themselves meanwhile
            request = _pending_request(root, entry.user_id)
    _end(entry, WaitlistStatus.REQUESTED, now, request=request)
    _tell(root, entry, wn.REQUESTED, [], now)


def _pending_request(root: Team, user_id: str) -> JoinRequest | None:
    return JoinRequest.get_or_none(
        JoinRequest.team == root,
        JoinRequest.requester_user_id == user_id,
        JoinRequest.status == RequestStatus.PENDING,
    )


def _end(entry: WaitlistEntry, status: WaitlistStatus, now: datetime, request=None) -> None:
    WaitlistEntry.update(status=status, ended_at=now, request=request).where(
        WaitlistEntry.id == entry.id, WaitlistEntry.status == WaitlistStatus.WAITING
    ).execute()


def _tell(root: Team, entry: WaitlistEntry, outcome: str, roles: list[str], now) -> None:
    promoted = wn.WaitlistPromoted(team=root.name, user=entry.user_id, outcome=outcome, roles=roles)
    notices.record(root.workspace_id, promoted, now)
    audit.record(
        workspace_id=root.workspace_id,
        now=now,
        action=f"waitlist.{outcome}",
        actor=None,
        team=root,
        target=entry.user_id,
        waited_since=entry.joined_at,
    )


def drop_from_waitlists(workspace_id: str, user_id: str, now: datetime) -> None:
    """Someone who left the Slack workspace waits for nothing any more."""
    WaitlistEntry.update(status=WaitlistStatus.LEFT, ended_at=now).where(
        WaitlistEntry.workspace_id == workspace_id,
        WaitlistEntry.user_id == user_id,
        WaitlistEntry.status == WaitlistStatus.WAITING,
    ).execute()
