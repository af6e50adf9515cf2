"""How the refusals of a membership's course are worded: access that ends, sponsor
review, the waitlist. Registered with `describe` in refusals.py."""

from bot import errors
from handlers.blocks.mrkdwn import date, escape, team, user
from handlers.blocks.refusals import describe


@describe.register
def _(error: errors.InvalidAccessEnd) -> str:
    return f"I couldn't use “{escape(error.word)}”: expected {error.expected}."


@describe.register
def _(error: errors.OwnerNotForATime) -> str:
    return (
        f"Owner is never granted for a time on {team(error.team)}: give Owner without "
        "“for N days” or “until DATE”, or give another role for a time."
    )


@describe.register
def _(error: errors.AccessAlreadyChanged) -> str:
    now = "is permanent" if error.ends_at is None else f"ends {date(error.ends_at)}"
    return (
        f"{user(error.user)}'s access to {team(error.team)} was changed meanwhile: it now {now}. "
        "Nothing more was changed."
    )


@describe.register
def _(error: errors.SponsorReviewGone) -> str:
    return "This review is no longer open: its team was deleted."


@describe.register
def _(error: errors.SponsorRowDecided) -> str:
    done = "kept" if error.decision == "keep" else "removed"
    return (
        f"{user(error.user)} was already {done} on {team(error.team)} by {user(error.by)}. "
        "Nothing more was changed."
    )


@describe.register
def _(error: errors.AlreadyWaiting) -> str:
    return (
        f"You're already on the waitlist for {team(error.team)}, number {error.position} "
        f"(since {date(error.since)})."
    )


@describe.register
def _(error: errors.NotWaiting) -> str:
    return f"You aren't on the waitlist for {team(error.team)}."


@describe.register
def _(error: errors.SeatsAvailable) -> str:
    return (
        f"{team(error.team)} has a free seat, so there is no need to wait: join with its "
        "invite code or a join card, or ask to join."
    )


@describe.register
def _(error: errors.InvitationWaiting) -> str:
    return (
        f"You have a pending invitation to {team(error.team)}: accept it from its DM "
        "instead of waiting."
    )


@describe.register
def _(error: errors.OutsideLinkDomains) -> str:
    return (
        f"Joining {team(error.team)} by link is limited to some email domains, so there is "
        f"no waitlist for you: ask to join instead, with `/invite request {escape(error.team)}`."
    )


@describe.register
def _(error: errors.TeamDeleted) -> str:
    return "That team no longer exists."
