"""Deliver membership notices: welcome, new member, removal, full seats, join cards."""

from bot.access import Actor
from bot.links.cards import CardFacts
from bot.outbox import claims as outbox
from bot.outbox import notices as n
from handlers.blocks import common, links
from handlers.blocks import mrkdwn as md
from handlers.delivery.registry import Delivery, delivers
from handlers.slack.in_place import publish_home


@delivers(n.RenderJoinCards)
def _render_join_cards(delivery: Delivery, notice: n.RenderJoinCards) -> None:
    card = CardFacts(
        team_id=notice.team_id,
        team=notice.team,
        code=notice.code,
        joinable=notice.joinable,
        seats_line=notice.seats_line,
        paused=notice.paused,
        waitlist=notice.waitlist,
    )
    delivery.update_all(outbox.card_subject(notice.team_id), links.join_card(card))


@delivers(n.Welcome)
def _welcome(delivery: Delivery, notice: n.Welcome) -> None:
    text = f"Welcome to {md.team(notice.team)}! You joined as {md.roles(notice.roles)}."
    if notice.channel_ids:
        text += " You'll find the team in " + ", ".join(map(md.channel, notice.channel_ids)) + "."
    delivery.post(notice.user, common.message(text))
    delivery.refresh_home(notice.user)


@delivers(n.NewMember)
def _new_member(delivery: Delivery, notice: n.NewMember) -> None:
    text = f"{md.user(notice.user)} joined {md.team(notice.team)} as {md.roles(notice.roles)}"
    text += f", invited by {md.user(notice.added_by)}." if notice.added_by else "."
    delivery.post(notice.recipient, common.message(text))


@delivers(n.Removed)
def _removed(delivery: Delivery, notice: n.Removed) -> None:
    by = f" by {md.user(notice.by)}" if notice.by else ""
    text = f"You were removed from {md.team(notice.team)}{by}."
    delivery.post(notice.user, common.message(text))


@delivers(n.SeatsFull)
def _seats_full(delivery: Delivery, notice: n.SeatsFull) -> None:
    text = (
        f"Someone couldn't join {md.team(notice.team)}: all {notice.limit} seats are used "
        f"({notice.used} of {notice.limit}). Add seats with "
        f"`/invite seats {md.escape(notice.team)} N`."
    )
    delivery.post(notice.recipient, common.message(text))


@delivers(n.DeliveryFailed)
def _delivery_failed(delivery: Delivery, notice: n.DeliveryFailed) -> None:
    text = (
        f"Lobby gave up on something for {md.team(notice.team)} "
        f"({md.escape(notice.what.replace('_', ' '))}): Slack answered "
        f"`{md.escape(notice.error)}`."
    )
    delivery.post(notice.recipient, common.message(text))


@delivers(n.RefreshHomes)
def _refresh_homes(delivery: Delivery, notice: n.RefreshHomes) -> None:
    for user in notice.users:
        delivery.refresh_home(user)


@delivers(n.PublishHome)
def _publish_home(delivery: Delivery, notice: n.PublishHome) -> None:
    """The Home as it is now: changes made since it was queued are in it."""
    if notice.user in delivery.homes.answered:
        return
    actor = Actor(workspace_id=delivery.workspace_id, user_id=notice.user)
    publish_home(delivery.client, actor, delivery.now)
