"""Block Kit builders: pure functions from plain data to message and view dicts."""

from datetime import datetime

from bot.cards import CardFacts
from handlers import mrkdwn as md

ACCEPT_INVITATION = "invitation_accept"
DECLINE_INVITATION = "invitation_decline"
INVITE_MODAL = "invite_modal"
SECTION_LIMIT = 3000  # characters of text in one section
MESSAGE_BLOCK_LIMIT = 50


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def seat_line(members: int, held: int, limit: int | None) -> str:
    """Seat use, shown wherever a decision is made."""
    used = members + held
    held_text = f" ({held} held by pending invitations)" if held else ""
    if limit is None:
        return f"Seats: {used} used{held_text}, no limit."
    return f"Seats: {used} of {limit} used{held_text}, {max(limit - used, 0)} free."


def message(text: str) -> dict:
    """A plain message, split into sections at line ends so no line is cut.

    `text` (shortened) is also the notification fallback.
    """
    chunks: list[str] = []
    for line in text.splitlines() or [""]:
        if chunks and len(chunks[-1]) + len(line) + 1 <= SECTION_LIMIT:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line[:SECTION_LIMIT])
    if len(chunks) > MESSAGE_BLOCK_LIMIT:
        omitted = len(chunks) - MESSAGE_BLOCK_LIMIT + 1
        chunks = chunks[: MESSAGE_BLOCK_LIMIT - 1] + [f"…and {omitted} more parts not shown."]
    return {"text": text[:SECTION_LIMIT], "blocks": [section(chunk) for chunk in chunks]}


def with_buttons(text: str, block_id: str, buttons: list[dict]) -> dict:
    """A short message with a row of buttons."""
    return {
        "text": text,
        "blocks": [section(text), {"type": "actions", "block_id": block_id, "elements": buttons}],
    }


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def invitation_dm(
    *,
    invitation_id: int,
    generation: int,
    team: str,
    inviter: str,
    roles: list[str],
    personal_message: str | None,
    expires_at: datetime,
) -> dict:
    headline = f"{md.user(inviter)} invited you to join {md.team(team)} as *{md.roles(roles)}*."
    blocks = [section(headline)]
    if personal_message:
        blocks.append(section(md.quote(personal_message)))
    blocks.append(context(f"This invitation expires {md.date(expires_at)}."))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"invitation:{invitation_id}",
            "elements": [
                button("Accept", ACCEPT_INVITATION, f"{invitation_id}:{generation}", "primary"),
                button("Decline", DECLINE_INVITATION, f"{invitation_id}:{generation}"),
            ],
        }
    )
    return {"text": headline, "blocks": blocks}


CLOSED_HEADLINES = {
    "accepted": ":white_check_mark: You accepted the invitation to {team}.",
    "declined": "You declined the invitation to {team}.",
    "expired": "This invitation to {team} expired.",
    "cancelled": "This invitation to {team} was cancelled.",
    "replaced": "This invitation to {team} was sent again: use the newest message.",
}


def invitation_closed(*, team: str, status: str) -> dict:
    return message(CLOSED_HEADLINES[status].format(team=md.team(team)))


def invite_modal(
    *, teams: list[str], roles: list[str], default_role: str, seat_lines: list[str]
) -> dict:
    """The invite form, with each team's seat use. With one team, the team field is left out."""
    blocks = [context(line) for line in seat_lines[:10]]
    if len(teams) > 1:
        blocks.append(
            _input("team", "Team", _static_select("team", [(t, t) for t in teams], teams[0]))
        )
    blocks.append(
        _input(
            "people",
            "People",
            {"type": "multi_users_select", "action_id": "people", "max_selected_items": 50},
            optional=True,
        )
    )
    blocks.append(
        _input(
            "emails",
            "Email addresses",
            {
                "type": "plain_text_input",
                "action_id": "emails",
                "multiline": True,
                "placeholder": {"type": "plain_text", "text": "a@example.com, b@example.org"},
            },
            optional=True,
            hint="For people not in this Slack workspace yet, or to look people up by email.",
        )
    )
    options = [(role.capitalize(), role) for role in roles]
    blocks.append(
        _input(
            "roles",
            "Role",
            {
                "type": "multi_static_select",
                "action_id": "roles",
                "options": [_option(label, value) for label, value in options],
                "initial_options": [_option(default_role.capitalize(), default_role)],
            },
        )
    )
    blocks.append(
        _input(
            "message",
            "Personal message",
            {"type": "plain_text_input", "action_id": "message", "multiline": True},
            optional=True,
        )
    )
    view = {
        "type": "modal",
        "callback_id": INVITE_MODAL,
        "title": {"type": "plain_text", "text": "Invite people"},
        "submit": {"type": "plain_text", "text": "Send invitations"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
    if len(teams) == 1:
        # The only team rides along; an empty private_metadata is not a valid view field.
        view["private_metadata"] = teams[0]
    return view


def _input(block_id, label, element, *, optional=False, hint=None) -> dict:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _option(label: str, value: str) -> dict:
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}


def _static_select(action_id, options, initial) -> dict:
    return {
        "type": "static_select",
        "action_id": action_id,
        "options": [_option(label, value) for label, value in options],
        "initial_option": _option(initial, initial),
    }


RESEND_INVITATION = "invitation_resend"
CANCEL_INVITATION = "invitation_cancel"
INVITATIONS_PAGE = "invitations_page"
JOIN_FROM_CARD = "card_join"
REQUEST_FROM_CARD = "card_request"


def invitations_page(page) -> dict:
    """One page of `/invite list`: a section per invitation, Resend / Cancel where they apply."""
    title = f"{md.team(page.team)} · {page.status} invitations · {page.total} in all"
    blocks = [section(title)]
    for row in page.rows:
        blocks.append(section(_invitation_line(row)))
        buttons = _invitation_buttons(row)
        if buttons:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"invitation:{row.invitation_id}",
                    "elements": buttons,
                }
            )
    if not page.rows:
        blocks.append(context("Nothing here."))
    if page.pages > 1:
        blocks.append(_pager(page))
    return {"text": title, "blocks": blocks}


def _invitation_line(row) -> str:
    who = md.user(row.invitee_user_id) if row.invitee_user_id else md.escape(row.invitee_email)
    return (
        f"{who} · {md.roles(row.roles)} · *{row.status}*\n"
        f"sent {md.date(row.sent_at)} by {md.user(row.inviter_user_id)} · "
        f"expires {md.date(row.expires_at)}"
    )


def _invitation_buttons(row) -> list[dict]:
    value = str(row.invitation_id)
    if row.status == "pending":
        return [
            button("Resend", RESEND_INVITATION, value),
            button("Cancel", CANCEL_INVITATION, value, "danger"),
        ]
    if row.status == "expired":
        return [button("Resend", RESEND_INVITATION, value, "primary")]
    return []


def _pager(page) -> dict:
    elements = []
    for label, target in (("Previous", page.page - 1), ("Next", page.page + 1)):
        if 1 <= target <= page.pages:
            value = f"{page.team}|{page.status}|{target}"
            elements.append(button(label, f"{INVITATIONS_PAGE}_{label.lower()}", value))
    return {"type": "actions", "block_id": "pager", "elements": elements}


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


DELETE_TEAM = "team_delete"
SETTINGS_MODAL = "settings_modal"
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
    role_options = [_option(role.capitalize(), role) for role in roles]
    initial = default_role if default_role in roles else roles[0]
    elements = [
        {
            "type": "static_select",
            "action_id": REQUEST_ROLE,
            "options": role_options,
            "initial_option": _option(initial.capitalize(), initial),
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
    if status == "approved":
        return message(f"{who}: approved by {md.user(decided_by)} as {md.roles(roles)}.")
    if status == "denied":
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
            _input(
                "reason",
                "Reason (shown to them)",
                {"type": "plain_text_input", "action_id": "reason", "multiline": True},
                optional=True,
            )
        ],
    }


def request_modal(teams: list[str]) -> dict:
    """For people who may not invite: ask to join a team, with an optional note."""
    return {
        "type": "modal",
        "callback_id": REQUEST_MODAL,
        "title": {"type": "plain_text", "text": "Ask to join a team"},
        "submit": {"type": "plain_text", "text": "Ask"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input("team", "Team", _static_select("team", [(t, t) for t in teams], teams[0])),
            _input(
                "note",
                "A note for the admins",
                {"type": "plain_text_input", "action_id": "note", "multiline": True},
                optional=True,
            ),
        ],
    }


POLICY_LABELS = {
    "admins": "Admins and Owners",
    "managers": "Managers and above",
    "members": "Members and above",
    "open": "Open: join at once",
    "approval": "Approval: joining asks the admins",
    "disabled": "Off: no link joins",
}
NUMBER_SETTINGS = (
    ("invitation_expiry_days", "Invitations expire after (days)"),
    ("request_expiry_days", "Join requests expire after (days)"),
    ("request_cooldown_days", "After a denial, people may ask again after (days)"),
    ("daily_invite_limit", "Invitations one person may send a day"),
)


def settings_modal(*, team: str, settings, roles: list[str]) -> dict:
    """The settings form of a team; its private_metadata carries the team name."""
    choices = [
        _input(
            "invite_policy",
            "Who may invite",
            _select("invite_policy", ["admins", "managers", "members"], settings.invite_policy),
        ),
        _input(
            "link_policy",
            "Invite link",
            _select("link_policy", ["open", "approval", "disabled"], settings.link_policy),
        ),
        _input(
            "default_role",
            "Default role for link joins and approvals",
            _select("default_role", roles, settings.default_role, label=str.capitalize),
        ),
    ]
    numbers = [
        _input(
            name,
            label,
            {
                "type": "number_input",
                "action_id": name,
                "is_decimal_allowed": False,
                "initial_value": str(getattr(settings, name)),
            },
        )
        for name, label in NUMBER_SETTINGS
    ]
    channel = {"type": "conversations_select", "action_id": "notification_channel"}
    if settings.notification_channel:
        channel["initial_conversation"] = settings.notification_channel
    digest_option = _option("Send admins a daily digest", "on")
    digest = {"type": "checkboxes", "action_id": "digest_enabled", "options": [digest_option]}
    if settings.digest_enabled:
        digest["initial_options"] = [digest_option]
    extras = [
        _input(
            "notification_channel",
            "Post admin news in this channel instead of DMs",
            channel,
            optional=True,
        ),
        _input("digest_enabled", "Daily digest", digest, optional=True),
    ]
    return {
        "type": "modal",
        "callback_id": SETTINGS_MODAL,
        "private_metadata": team,
        "title": {"type": "plain_text", "text": "Team settings"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [section(f"Settings of {md.team(team)}"), *choices, *numbers, *extras],
    }


def _select(action_id: str, values: list[str], initial: str, label=None) -> dict:
    def text(value):
        return label(value) if label else POLICY_LABELS.get(value, value)

    return {
        "type": "static_select",
        "action_id": action_id,
        "options": [_option(text(value), value) for value in values],
        "initial_option": _option(text(initial), initial),
    }
