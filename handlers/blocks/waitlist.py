"""The waitlist: the offer on a refused link join, the place in the queue with Leave,
the queue for admins, and the DM when a freed seat reaches someone."""

from bot.outbox import waitlist_notices as wn
from bot.seats.waiting import Place, Queue
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import button, message, with_buttons

JOIN_WAITLIST = "waitlist_join"
LEAVE_WAITLIST = "waitlist_leave"


def offer(refusal: str, team_id: int) -> dict:
    """A link join refused for seats, with Join the waitlist."""
    text = f"{refusal} You can wait for a seat: the longest waiting get the next free ones."
    join = button("Join the waitlist", JOIN_WAITLIST, str(team_id), "primary")
    return with_buttons(text, f"waitlist_offer:{team_id}", [join])


def on_waitlist(place: Place) -> dict:
    """Their place in the queue, with Leave the waitlist."""
    text = (
        f"You're on the waitlist for {md.team(place.team)}, number {place.position}. "
        "When a seat frees, I'll let you know."
    )
    leave = button("Leave the waitlist", LEAVE_WAITLIST, str(place.team_id))
    return with_buttons(text, f"waitlist_place:{place.team_id}", [leave])


def left(team: str) -> dict:
    return message(f"You left the waitlist for {md.team(team)}.")


def queue(waitlist: Queue) -> dict:
    if not waitlist.waiters:
        return message(f"Nobody is waiting for a seat on {md.team(waitlist.team)}.")
    lines = [f"*Waitlist for {md.team(waitlist.team)}* (longest waiting first):"]
    lines += [
        f"{w.position}. {md.user(w.user_id)} — since {md.date(w.since)}" for w in waitlist.waiters
    ]
    return message("\n".join(lines))


def promoted(notice: wn.WaitlistPromoted) -> dict:
    """The DM to someone a freed seat reached."""
    if notice.outcome == wn.ADMITTED:
        return message(
            f"A seat freed on {md.team(notice.team)}: you're off the waitlist and in, "
            f"as {md.roles(notice.roles)}."
        )
    return message(
        f"A seat freed on {md.team(notice.team)}: you're off the waitlist, and your request "
        "to join was sent to the team's approvers. I'll tell you what they decide."
    )
