"""Deliver sponsor reviews: each admin's copy, and every copy after a decision. Both are
rendered from the review as it stands when delivered."""

from bot.outbox.sponsor_notices import SponsorReviewChanged, SponsorReviewOpened
from bot.teams.sponsors import review_state
from handlers.blocks import sponsors
from handlers.delivery.registry import Delivery, delivers


@delivers(SponsorReviewOpened)
def _opened(delivery: Delivery, notice: SponsorReviewOpened) -> None:
    review = review_state(notice.review_id)
    if review is not None:  # its team was deleted before the DM went out
        delivery.post(notice.recipient, sponsors.sponsor_review(review), subject=notice.subject)


@delivers(SponsorReviewChanged)
def _changed(delivery: Delivery, notice: SponsorReviewChanged) -> None:
    review = review_state(notice.review_id)
    message = sponsors.review_gone() if review is None else sponsors.sponsor_review(review)
    delivery.update_all(notice.subject, message)
