"""Deliver notices about access that ends."""

from datetime import datetime

from bot.outbox import access_notices as an
from handlers.blocks import access
from handlers.delivery.registry import Delivery, delivers


def access_subject(membership_id: int) -> str:
    return f"access:{membership_id}"


@delivers(an.AccessEndingSoon)
def _ending_soon(delivery: Delivery, notice: an.AccessEndingSoon) -> None:
    ends_at = datetime.fromisoformat(notice.ends_at)
    delivery.post(notice.user, access.ending_for_member(notice.team, ends_at))


@delivers(an.AccessEndingForAdmin)
def _ending_for_admin(delivery: Delivery, notice: an.AccessEndingForAdmin) -> None:
    ends_at = datetime.fromisoformat(notice.ends_at)
    message = access.ending_for_admin(notice.team_id, notice.team, notice.user, ends_at)
    delivery.post(notice.recipient, message, subject=access_subject(notice.membership_id))


@delivers(an.AccessChanged)
def _changed(delivery: Delivery, notice: an.AccessChanged) -> None:
    ends_at = datetime.fromisoformat(notice.ends_at) if notice.ends_at else None
    message = access.access_changed(notice.team, notice.user, ends_at, by=notice.by)
    delivery.update_all(access_subject(notice.membership_id), message)
    delivery.refresh_home(notice.user)


@delivers(an.AccessEnded)
def _ended(delivery: Delivery, notice: an.AccessEnded) -> None:
    delivery.post(notice.user, access.ended_for_member(notice.team))
    delivery.refresh_home(notice.user)


@delivers(an.AccessEndedNews)
def _ended_news(delivery: Delivery, notice: an.AccessEndedNews) -> None:
    delivery.post(notice.recipient, access.ended_for_admin(notice.team, notice.user))
