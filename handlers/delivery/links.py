"""Deliver link notices: the pause DM to each admin, and its end on every copy."""

from bot.links.notices import LinkPausedNotice, LinkPauseEnded
from handlers.blocks import links
from handlers.delivery.registry import Delivery, delivers


@delivers(LinkPausedNotice)
def _link_paused(delivery: Delivery, notice: LinkPausedNotice) -> None:
    message = links.link_paused(team=notice.team, limit=notice.limit, code_id=notice.code_id)
    delivery.post(notice.recipient, message, subject=notice.subject)


@delivers(LinkPauseEnded)
def _link_pause_ended(delivery: Delivery, notice: LinkPauseEnded) -> None:
    message = links.link_pause_ended(team=notice.team, by=notice.by, how=notice.how)
    delivery.update_all(notice.subject, message)
