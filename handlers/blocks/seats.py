"""Seats: seat use, shown wherever a decision is made, and `/invite seats`."""

from bot.seats.use import AFTER_TRIAL, PLAN_LIMITS
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import message

AFTER_TRIAL_SEATS = PLAN_LIMITS[AFTER_TRIAL]


def seat_line(members: int, held: int, limit: int | None) -> str:
    """Seat use, shown wherever a decision is made."""
    used = members + held
    held_text = f" ({held} held by pending invitations)" if held else ""
    if limit is None:
        return f"Seats: {used} used{held_text}, no limit."
    return f"Seats: {used} of {limit} used{held_text}, {max(limit - used, 0)} free."


def seats(use) -> dict:
    plan = use.plan.capitalize()
    lines = [
        f"{md.team(use.team)} is on the *{plan}* plan.",
        seat_line(use.members, use.pending_invitations, use.limit),
    ]
    if use.trial_ends_at:
        ends = md.date(use.trial_ends_at)
        lines.append(f"The trial ends {ends}; then the limit is {AFTER_TRIAL_SEATS} seats.")
    return message("\n".join(lines))
