"""Seats: each root team's plan and limit, what uses seats, and atomic seat checks.

Active members and pending targeted invitations use seats. Every way in takes
the team's lock first (a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE
already serialises writers), then counts and admits under it, so N
simultaneous joins for K free seats admit exactly K.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import PostgresqlDatabase

from bot.errors import NoSeatsLeft
from bot.outbox import notices
from bot.roles.permissions import Permission
from bot.teams.membership import holders_of, root_of
from storage.db import db
from storage.models import Invitation, Membership, Team

TRIAL_DAYS = 14
AFTER_TRIAL = "starter"  # the plan a trial becomes
PLAN_LIMITS: dict[str, int | None] = {
    "starter": 5,
    "professional": 25,
    "enterprise": None,
    "unlimited": None,
}


@dataclass(frozen=True)
class SeatUse:
    team: str
    plan: str
    limit: int | None  # None: unlimited
    members: int
    pending_invitations: int
    trial_ends_at: datetime | None

    @property
    def used(self) -> int:
        return self.members + self.pending_invitations

    @property
    def free(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def seat_limit(team: Team, now: datetime) -> tuple[str, int | None]:
    """The plan in force and its limit: a trial is unlimited for 14 days, then Starter."""
    if team.plan == "trial":
        if now < team.created_at + timedelta(days=TRIAL_DAYS):
            return "trial", None
        return AFTER_TRIAL, PLAN_LIMITS[AFTER_TRIAL]
    if team.plan == "custom":
        return "custom", team.custom_seat_limit
    return team.plan, PLAN_LIMITS[team.plan]


def seat_use(team: Team, now: datetime) -> SeatUse:
    """Counted now: the root team's members, and its live invitations."""
    root = root_of(team)
    members = Membership.select().where(Membership.team == root).count()
    pending = Invitation.live(now).where(Invitation.team == root).count()
    return counted_seat_use(root, now, members=members, pending=pending)


def counted_seat_use(root: Team, now: datetime, *, members: int, pending: int) -> SeatUse:
    """Seat use from counts already made (the App Home counts many teams at once)."""
    plan, limit = seat_limit(root, now)
    trial_ends = root.created_at + timedelta(days=TRIAL_DAYS) if root.plan == "trial" else None
    return SeatUse(root.name, plan, limit, members, pending, trial_ends)


def lock_team(team: Team) -> None:
    """Serialise seat decisions for a root team, inside the caller's transaction."""
    if isinstance(db.obj, PostgresqlDatabase):
        # NO KEY UPDATE: rows that merely reference the team (audit entries, members)
        # may still be inserted by others meanwhile, so this lock cannot deadlock with them.
        locked = Team.select(Team.id).where(Team.id == root_of(team).id)
        locked.for_update("FOR NO KEY UPDATE").execute()


def lock_team_for_inviting(team: Team, people: list[str], now: datetime) -> None:
    """Serialise what inviting `people` decides, inside the caller's transaction.

    A plan that counts seats locks the team as every seat decision does (lock_team).
    On an unlimited plan inviting counts no seats, so invitations to the team are
    decided side by side: a shared lock on the team (what changes its plan, members
    or seats waits for them) and one lock per person invited, so each person still
    gets one invitation. The plan is read again under the shared lock."""
    if not isinstance(db.obj, PostgresqlDatabase):
        return  # SQLite's BEGIN IMMEDIATE already serialises writers
    root = root_of(team)
    if seat_limit(root, now)[1] is not None:
        lock_team(team)
        return
    shared = Team.select().where(Team.id == root.id).for_update("FOR SHARE").get()
    if seat_limit(shared, now)[1] is not None:  # the plan changed before the lock
        lock_team(team)
        return
    db.execute_sql(
        "SELECT pg_advisory_xact_lock(%s, hashtext(person))"
        " FROM (SELECT DISTINCT unnest(%s::text[]) AS person ORDER BY 1) AS people",
        (root.id, sorted(set(people))),
    )


def claim_seats(team: Team, count: int, now: datetime) -> None:
    """Under the team lock: refuse unless `count` more seats are free."""
    lock_team(team)
    check_seats_free(team, count, now)


def check_seats_free(team: Team, count: int, now: datetime) -> None:
    """Refuse unless `count` more seats are free; the caller holds the team's lock. An
    unlimited plan skips counting the seats in use, which grows with the team."""
    _, limit = seat_limit(root_of(team), now)
    if limit is None:
        return
    use = seat_use(team, now)
    if use.used + count > use.limit:
        raise NoSeatsLeft(
            team=use.team,
            used=use.used,
            limit=use.limit,
            requested=count,
            free=use.free or 0,
            owners=holders_of(root_of(team), Permission.MANAGE_SEATS),
        )


def tell_owners_turned_away(team: Team, refusal: NoSeatsLeft, now: datetime) -> None:
    """Tell the Owners, once per seat count, that someone could not get in."""
    root = root_of(team)
    for owner in refusal.owners:
        notice = notices.SeatsFull(
            team=root.name, recipient=owner, used=refusal.used, limit=refusal.limit
        )
        key = f"turned-away:{root.id}:{owner}:{refusal.limit}:{refusal.used}"
        notices.record(root.workspace_id, notice, now, dedupe_key=key)


def seats_line(use: SeatUse) -> str:
    if use.limit is None:
        return f"{use.used} seats used (no limit)"
    return f"{use.used} of {use.limit} seats used"
