"""Sponsor review: when a member leaves a team, the members they brought in (by an
invitation they sent or a request they approved) go to the team's admins, each with
Keep / Remove. Nobody is removed without a click.

A review is opened in the departure's own transaction, keyed by the membership that
ended, so a departure processed twice (two instances, a retried run) opens one review.
"""

from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError

from bot import audit
from bot.outbox import notices
from bot.outbox.sponsor_notices import SponsorReviewOpened
from bot.roles.permissions import Permission
from bot.teams.membership import admin_recipients, holders_of
from storage.db import db
from storage.models import Membership, SponsoredMember, SponsorReview

REMOVED, LEFT_WORKSPACE, ACCESS_ENDED = "removed", "left_workspace", "access_ended"
KEEP, REMOVE = "keep", "remove"


@dataclass(frozen=True)
class ReviewRow:
    row_id: int
    user_id: str
    decision: str | None  # KEEP | REMOVE; None: waiting for a click
    decided_by: str | None


@dataclass(frozen=True)
class ReviewState:
    """A review as it stands, for every copy of its DM."""

    review_id: int
    team: str
    departed: str
    how: str  # REMOVED | LEFT_WORKSPACE | ACCESS_ENDED
    removed_by: str | None
    rows: list[ReviewRow]


def review_subject(departure: str) -> str:
    return f"sponsor-review:{departure}"


def departure_key(membership: Membership) -> str:
    """Names one membership's end: ids alone may be reused (SQLite) once rows are gone."""
    return (
        f"{membership.team_id}:{membership.user_id}:{membership.id}:"
        f"{membership.joined_at.isoformat()}"
    )


def open_review(membership: Membership, now: datetime, *, how: str, by: str | None = None) -> int:
    """In the departure's transaction, before the membership goes: a review of the members
    its holder brought in, one DM per admin copy. Returns how many rows it has (0: none
    brought in, or this departure was reviewed already)."""
    team, sponsor = membership.team, membership.user_id
    sponsored = [m.user_id for m in Membership.brought_in_by(team, sponsor)]
    if not sponsored:
        return 0
    departure = departure_key(membership)
    try:
        with db.atomic():  # a savepoint: a second run of this departure changes nothing
            review = SponsorReview.create(
                workspace_id=team.workspace_id,
                team=team,
                departed_user_id=sponsor,
                departure=departure,
                how=how,
                removed_by=by,
                created_at=now,
            )
    except IntegrityError:
        return 0
    SponsoredMember.insert_many(
        [{"workspace_id": team.workspace_id, "review": review, "user_id": u} for u in sponsored]
    ).execute()
    subject = review_subject(departure)
    admins = holders_of(team, Permission.MANAGE_MEMBERS)
    for recipient in admin_recipients(team, admins, exclude={sponsor}):
        copy = SponsorReviewOpened(review_id=review.id, recipient=recipient, subject=subject)
        notices.record(team.workspace_id, copy, now, dedupe_key=f"{subject}:{recipient}")
    audit.record(
        workspace_id=team.workspace_id,
        now=now,
        action="sponsor.review_opened",
        actor=by,
        team=team,
        target=sponsor,
        how=how,
        members=sponsored,
    )
    return len(sponsored)


def review_state(review_id: int) -> ReviewState | None:
    """The review as it stands now; None once it is gone (its team was deleted)."""
    review = SponsorReview.get_or_none(SponsorReview.id == review_id)
    if review is None:
        return None
    rows = SponsoredMember.select().where(SponsoredMember.review == review)
    return ReviewState(
        review_id=review.id,
        team=review.team.name,
        departed=review.departed_user_id,
        how=review.how,
        removed_by=review.removed_by,
        rows=[
            ReviewRow(r.id, r.user_id, r.decision, r.decided_by)
            for r in rows.order_by(SponsoredMember.id)
        ],
    )
