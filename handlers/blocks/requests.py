"""Join requests: the approver's copy, the deny and ask modals, and the replies."""

from bot.vocabulary import RequestStatus
from handlers.blocks import mrkdwn as md
from handlers.blocks.access import REQUEST_ACCESS, access_options
from handlers.blocks.common import (
    button,
    context,
    input_block,
    message,
    option,
    section,
    static_select,
)
from handlers.blocks.seats import seat_line

APPROVE_REQUEST = "request_approve"


REVIEW_REQUESTS = "requests_review"


DENY_REQUEST = "request_deny"


REQUEST_ROLE = "request_role"


DENY_MODAL = "deny_request_modal"


REQUEST_MODAL = "request_modal"


def request_for_approval(
    *,
    request_id: int,
    team: str,
    requester: str,
    note: str | None,
    roles: list[str],
    default_role: str,
    seats: tuple[int, int, int | None],
) -> dict:
    """An approver's copy of a join request: seat use, role choice, Approve, Deny."""
    headline = f"{md.user(requester)} asks to join {md.team(team)}."
    blocks = [section(headline)]
    if note:
        blocks.append(section(md.quote(note)))
    blocks.append(context(seat_line(*seats)))
    role_options = [option(role.capitalize(), role) for role in roles]
    initial = default_role if default_role in roles else roles[0]
    elements = [
        {
            "type": "static_select",
            "action_id": REQUEST_ROLE,
            "options": role_options,
            "initial_option": option(initial.capitalize(), initial),
        },
        {
            "type": "static_select",
            "action_id": REQUEST_ACCESS,
            "options": access_options(),
            "initial_option": access_options()[0],
        },
        button("Approve", APPROVE_REQUEST, str(request_id), "primary"),
        button("Deny", DENY_REQUEST, str(request_id), "danger"),
    ]
    blocks.append({"type": "actions", "block_id": f"request:{request_id}", "elements": elements})
    return {"text": headline, "blocks": blocks}


def request_decided(
    *, team: str, requester: str, status: str, decided_by: str | None, roles: list[str]
) -> dict:
    who = f"{md.user(requester)}'s request to join {md.team(team)}"
    if status == RequestStatus.APPROVED:
        return message(f"{who}: approved by {md.user(decided_by)} as {md.roles(roles)}.")
    if status == RequestStatus.DENIED:
        return message(f"{who}: denied by {md.user(decided_by)}.")
    return message(f"{who} expired without a decision.")


def deny_modal(request_id: int) -> dict:
    return {
        "type": "modal",
        "callback_id": DENY_MODAL,
        "private_metadata": str(request_id),
        "title": {"type": "plain_text", "text": "Deny request"},
        "submit": {"type": "plain_text", "text": "Deny"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            input_block(
                "reason",
                "Reason (shown to them)",
                {"type": "plain_text_input", "action_id": "reason", "multiline": True},
                optional=True,
            )
        ],
    }


def request_modal(teams: list[str], needing_note: set[str] = frozenset()) -> dict:
    """For people who may not invite: ask to join a team, with a note, which is required
    when every team offered requires one (when only some do, the submission is checked)."""
    required = all(team in needing_note for team in teams)
    hint = None
    if needing_note and not required:
        hint = "Required for " + ", ".join(t for t in teams if t in needing_note)
    return {
        "type": "modal",
        "callback_id": REQUEST_MODAL,
        "title": {"type": "plain_text", "text": "Ask to join a team"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            input_block("team", "Team", static_select("team", [(t, t) for t in teams], teams[0])),
            input_block(
                "note",
                "A note for the admins",
                {"type": "plain_text_input", "action_id": "note", "multiline": True},
                optional=not required,
                hint=hint,
            ),
        ],
    }


def request_sent(team: str) -> dict:
    return message(
        f"Your request to join {md.team(team)} is with its admins. I'll tell you what they decide."
    )


MAX_REQUESTS_SHOWN = 12  # up to 4 blocks each, within a message's 50


def pending_requests(pending) -> dict:
    """`/invite requests`: each pending request with its role choice and Approve / Deny."""
    if not pending.requests:
        return message(f"No one is waiting to join {md.team(pending.team)}.")
    shown = pending.requests[:MAX_REQUESTS_SHOWN]
    built = {"text": f"{len(pending.requests)} waiting to join {pending.team}", "blocks": []}
    for request in shown:
        copy = request_for_approval(
            request_id=request.request_id,
            team=pending.team,
            requester=request.requester,
            note=request.note,
            roles=pending.roles,
            default_role=pending.default_role,
            seats=(pending.seats.members, pending.seats.pending_invitations, pending.seats.limit),
        )
        built["blocks"].extend(copy["blocks"])
    hidden = len(pending.requests) - len(shown)
    if hidden:
        built["blocks"].append(section(f"…and {hidden} more; decide these first."))
    return built
