"""Access that ends: the warnings, the news when it ended, and the Extend buttons."""

from datetime import datetime

from bot.vocabulary import APPROVAL_ACCESS_DAYS, EXTEND_BUTTON_DAYS
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import button, message, option, with_buttons

EXTEND_ACCESS = "access_extend"
MAKE_PERMANENT = "access_make_permanent"
REQUEST_ACCESS = "request_access"  # the approver's choice of how long, beside the role
PERMANENT = "permanent"


def access_options() -> list[dict]:
    """Permanent, then the approver's choices of days."""
    return [option("Permanent", PERMANENT)] + [
        option(f"{days} days", str(days)) for days in APPROVAL_ACCESS_DAYS
    ]


def chosen_days(value: str | None) -> int | None:
    """The approver's choice: None is permanent."""
    return None if value in (None, PERMANENT) else int(value)


def button_value(team_id: int, user_id: str, ends_at: str) -> str:
    return f"{team_id}|{user_id}|{ends_at}"


def read_button_value(value: str) -> tuple[int, str, datetime]:
    team_id, user_id, ends_at = value.split("|")
    return int(team_id), user_id, datetime.fromisoformat(ends_at)


def ending_for_member(team: str, ends_at: datetime) -> dict:
    return message(
        f"Your access to {md.team(team)} ends {md.date(ends_at)}. "
        "Ask one of its admins if you need it longer."
    )


def ending_for_admin(team_id: int, team: str, user: str, ends_at: datetime) -> dict:
    text = f"{md.user(user)}'s access to {md.team(team)} ends {md.date(ends_at)}."
    value = button_value(team_id, user, ends_at.isoformat())
    buttons = [
        button(f"Extend {EXTEND_BUTTON_DAYS} days", EXTEND_ACCESS, value, "primary"),
        button("Make permanent", MAKE_PERMANENT, value),
    ]
    return with_buttons(text, f"access:{team_id}:{user}", buttons)


def access_changed(team: str, user: str, ends_at: datetime | None, by: str | None = None) -> dict:
    """The reply to `extend`, and every admin copy of the warning once the end changed."""
    who = f" by {md.user(by)}" if by else ""
    if ends_at is None:
        return message(f"{md.user(user)}'s access to {md.team(team)} is now permanent{who}.")
    return message(f"{md.user(user)}'s access to {md.team(team)} now ends {md.date(ends_at)}{who}.")


def ended_for_member(team: str) -> dict:
    return message(
        f"Your access to {md.team(team)} has ended: you are no longer a member, and were taken "
        "out of the channels and user group Lobby had added you to."
    )


def ended_for_admin(team: str, user: str) -> dict:
    return message(
        f"{md.user(user)}'s access to {md.team(team)} ended: they were removed, as by "
        f"`/invite remove`, and their seat is free."
    )
