"""Deliver waitlist notices: the DM when a freed seat reaches someone."""

from bot.outbox import waitlist_notices as wn
from handlers.blocks import waitlist
from handlers.delivery.registry import Delivery, delivers


@delivers(wn.WaitlistPromoted)
def _promoted(delivery: Delivery, notice: wn.WaitlistPromoted) -> None:
    delivery.post(notice.user, waitlist.promoted(notice))
    delivery.refresh_home(notice.user)
