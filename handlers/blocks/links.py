"""Invite links and join cards: the card for a channel and the replies about codes."""

from bot.links.cards import CardFacts
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import (
    button,
    context,
    message,
    section,
)

JOIN_FROM_CARD = "card_join"


REQUEST_FROM_CARD = "card_request"


def join_card(card: CardFacts) -> dict:
    """A join card for a channel: Join (while link joins are open) and Request to join."""
    headline = f"Join {md.team(card.team)}"
    blocks = [
        section(f"*{headline}* — click below, or type `/invite join {card.code}`."),
    ]
    elements = []
    if card.joinable:
        elements.append(button("Join", JOIN_FROM_CARD, str(card.team_id), "primary"))
    elements.append(button("Request to join", REQUEST_FROM_CARD, str(card.team_id)))
    blocks.append({"type": "actions", "block_id": f"card:{card.team_id}", "elements": elements})
    if card.seats_line:
        blocks.append(context(f"The team is full: {card.seats_line}. You can still ask to join."))
    elif not card.joinable:
        blocks.append(context("Joining with the link is closed; you can ask to join."))
    return {"text": headline, "blocks": blocks}


def link_info(info, permalink: str | None) -> dict:
    uses = f"{info.uses} use" + ("" if info.uses == 1 else "s")
    if info.max_uses is not None:
        uses += f" of {info.max_uses}"
    expiry = f"expires {md.date(info.expires_at)}" if info.expires_at else "never expires"
    lines = [
        f"Invite code for {md.team(info.team)}: `{info.code}` ({uses}, {expiry}).",
        f"Anyone can join with `/invite join {info.code}`"
        + (" (link joins are turned off)." if info.link_policy == "disabled" else "."),
        f"Link: {permalink}" if permalink else "No join card yet: post one with `/invite card`.",
    ]
    return message("\n".join(lines))


def link_reset(info, permalink: str | None) -> dict:
    reply = link_info(info, permalink)
    reply["blocks"].insert(0, section("The old code no longer works. Here is the new one."))
    return reply


def joined(result) -> dict:
    return message(f"Welcome! You joined {md.team(result.team)} as {md.roles(result.roles)}.")


def card_posted(team: str) -> dict:
    return message(f"Posted a join card for {md.team(team)} in this channel.")
