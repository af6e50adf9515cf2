"""Notices of a sponsor review: each admin's copy, and every copy brought up to date.

Both carry only the review: the deliverer renders it as it stands when delivered, so a
copy posted or updated after a decision shows that decision."""

from dataclasses import dataclass
from typing import ClassVar

from bot.outbox.notices import Notice


@dataclass(frozen=True)
class SponsorReviewOpened(Notice):
    """DM one admin (or the notification channel) the review, with Keep / Remove per row."""

    kind: ClassVar[str] = "sponsor_review"
    review_id: int
    recipient: str
    subject: str  # every copy of this review, updated after each decision


@dataclass(frozen=True)
class SponsorReviewChanged(Notice):
    """A row was decided: every copy shows who decided what."""

    kind: ClassVar[str] = "sponsor_review_changed"
    review_id: int
    subject: str
