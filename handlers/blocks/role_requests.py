"""Role requests: a decider's copy, the decided copy, and the replies, with their wording."""

from bot.vocabulary import RequestStatus
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import actions, button, context, header, message, section

APPROVE_ROLE_REQUEST = "role_request_approve"
DENY_ROLE_REQUEST = "role_request_deny"


def role_request_for_approval(
    *, request_id: int, team: str, requester: str, role: str, note: str | None
) -> dict:
    """One decider's copy: who asks for which role, their note, Approve and Deny."""
    headline = f"{md.user(requester)} asks for the role {md.roles([role])} in {md.team(team)}."
    blocks = [section(headline)]
    if note:
        blocks.append(section(md.quote(note)))
    buttons = [
        button("Approve", APPROVE_ROLE_REQUEST, str(request_id), "primary"),
        button("Deny", DENY_ROLE_REQUEST, str(request_id), "danger"),
    ]
    blocks.append(actions(f"role_request:{request_id}", buttons))
    return {"text": headline, "blocks": blocks}


def role_request_decided(
    *, team: str, requester: str, role: str, status: str, decided_by: str | None
) -> dict:
    who = f"{md.user(requester)}'s request for the role {md.roles([role])} in {md.team(team)}"
    if status == RequestStatus.APPROVED:
        return message(f"{who}: approved by {md.user(decided_by)}.")
    if status == RequestStatus.DENIED:
        return message(f"{who}: denied by {md.user(decided_by)}.")
    if status == RequestStatus.CANCELLED:
        return message(f"{who} was withdrawn: they are no longer a member.")
    return message(f"{who} expired without a decision.")


ANSWERS = {
    RequestStatus.APPROVED: "{by} approved your request for the role {role} in {team}.",
    RequestStatus.DENIED: "{by} denied your request for the role {role} in {team}.",
    RequestStatus.EXPIRED: (
        "Your request for the role {role} in {team} expired without a decision. You can ask again."
    ),
}


def role_request_answered(*, team: str, role: str, status: str, decided_by: str | None) -> dict:
    by = md.user(decided_by) if decided_by else ""
    return message(ANSWERS[status].format(by=by, role=md.roles([role]), team=md.team(team)))


def role_request_reminder(*, team: str, waiting: list) -> dict:
    asks = ", ".join(f"{md.user(who)} ({md.roles([role])})" for who, role in waiting)
    return message(
        f"Still waiting for a decision on roles in {md.team(team)}: {asks}. "
        "The Approve and Deny buttons are on each request I sent you."
    )


def role_request_sent(team: str, role: str) -> dict:
    return message(
        f"Your request for the role {md.roles([role])} in {md.team(team)} is with those who "
        "may grant it. I'll tell you what they decide."
    )


ROLE_REQUESTS = "Role requests"
ASKED_FOR_ROLE = "{team} · you asked for {role} {date}, waiting for a decision"
ASKS_FOR_ROLE = "{user} asks for {role} in {team} · {date}"
MORE_TO_DECIDE = "…and {count} more; each has its own DM with Approve and Deny."
NOTE_SHOWN = 500  # characters of a request's note on the Home


def home_role_requests(shown) -> list[dict]:
    """The Home's role requests (`bot.home.role_requests`): the person's own, then those
    they may decide, each with Approve and Deny."""
    if not shown.mine and not shown.to_decide:
        return []
    blocks = [header(ROLE_REQUESTS)]
    if shown.mine:
        lines = [
            ASKED_FOR_ROLE.format(
                team=md.team(ask.team), role=md.roles([ask.role]), date=md.date(ask.created_at)
            )
            for ask in shown.mine
        ]
        blocks.append(section("\n".join(lines)))
    for ask in shown.to_decide:
        text = ASKS_FOR_ROLE.format(
            user=md.user(ask.requester),
            role=md.roles([ask.role]),
            team=md.team(ask.team),
            date=md.date(ask.created_at),
        )
        if ask.note:
            cut = ask.note[:NOTE_SHOWN] + ("…" if len(ask.note) > NOTE_SHOWN else "")
            text += "\n" + md.quote(cut)
        buttons = [
            button("Approve", APPROVE_ROLE_REQUEST, str(ask.request_id), "primary"),
            button("Deny", DENY_ROLE_REQUEST, str(ask.request_id), "danger"),
        ]
        blocks += [section(text), actions(f"home_role_request:{ask.request_id}", buttons)]
    if shown.more_to_decide:
        blocks.append(context(MORE_TO_DECIDE.format(count=shown.more_to_decide)))
    return blocks
