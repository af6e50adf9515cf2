"""Invite links and join cards: the card for a channel and the replies about codes."""

from bot.links.cards import CardFacts
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import (
    button,
    context,
    message,
    section,
    with_buttons,
)
from handlers.blocks.waitlist import JOIN_WAITLIST

JOIN_FROM_CARD = "card_join"
RESUME_LINK = "link_resume"
RESET_LINK = "link_reset"


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
    if card.waitlist:
        elements.append(button("Join the waitlist", JOIN_WAITLIST, str(card.team_id)))
    elements.append(button("Request to join", REQUEST_FROM_CARD, str(card.team_id)))
    blocks.append({"type": "actions", "block_id": f"card:{card.team_id}", "elements": elements})
    if card.paused:
        blocks.append(context("Joining with the link is paused for now; you can ask to join."))
    elif card.seats_line:
        still = "join the waitlist or ask to join" if card.waitlist else "still ask to join"
        blocks.append(context(f"The team is full: {card.seats_line}. You can {still}."))
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
        _hourly_line(info),
        _domains_line(info),
    ]
    return message("\n".join(lines))


def _hourly_line(info) -> str:
    if info.paused:
        return (
            f"*Paused*: more than {info.joins_per_hour} joins in an hour. "
            f"Resume with `/invite link resume {md.escape(info.team)}`, or reset the link."
        )
    if not info.joins_per_hour:
        return "No hourly join limit."
    return f"It pauses itself after {info.joins_per_hour} joins in an hour."


def _domains_line(info) -> str:
    if info.domains is None:
        return "Anyone in the workspace may join by link."
    listed = ", ".join(md.escape(domain) for domain in info.domains)
    return f"Only people with an email at {listed} join by link; others ask to join."


def link_resumed(info, permalink: str | None) -> dict:
    reply = link_info(info, permalink)
    reply["blocks"].insert(0, section(f"The link to {md.team(info.team)} works again."))
    return reply


def resumed_by_click(info) -> dict:
    return message(f"The link to {md.team(info.team)} works again.")


def reset_by_click(info) -> dict:
    return message(
        f"The old code no longer works. The new code for {md.team(info.team)} is `{info.code}`."
    )


def link_paused(*, team: str, limit: int, code_id: int) -> dict:
    """One admin's DM: the hourly join limit paused the link."""
    text = (
        f"More than {limit} people tried to join {md.team(team)} by its link within an hour, "
        "so the link is paused: joins by code and join card are refused. Resume it if "
        "these joins are expected, or reset the link if the code has leaked."
    )
    buttons = [
        button("Resume", RESUME_LINK, f"{code_id}|{team}", "primary"),
        button("Reset link", RESET_LINK, f"{code_id}|{team}", "danger"),
    ]
    return with_buttons(text, f"link_paused:{team}", buttons)


PAUSE_ENDINGS = {"resumed": "{by} resumed it.", "reset": "{by} reset it: the old code is dead."}


def link_pause_ended(*, team: str, by: str, how: str) -> dict:
    ending = PAUSE_ENDINGS[how].format(by=md.user(by))
    return message(f"The link to {md.team(team)} was paused. {ending}")


def link_reset(info, permalink: str | None) -> dict:
    reply = link_info(info, permalink)
    reply["blocks"].insert(0, section("The old code no longer works. Here is the new one."))
    return reply


def joined(result) -> dict:
    return message(f"Welcome! You joined {md.team(result.team)} as {md.roles(result.roles)}.")


def card_posted(team: str) -> dict:
    return message(f"Posted a join card for {md.team(team)} in this channel.")
