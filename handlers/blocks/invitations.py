"""Invitations: the DM with Accept / Decline, the invite form, `/invite list`, and replies."""

from datetime import datetime

from bot.invitations.service import InviteResult
from bot.vocabulary import MAX_ACCESS_DAYS, InvitationStatus
from handlers.blocks import mrkdwn as md
from handlers.blocks.access import access_options
from handlers.blocks.common import (
    button,
    context,
    input_block,
    message,
    option,
    section,
    static_select,
)

ACCEPT_INVITATION = "invitation_accept"


DECLINE_INVITATION = "invitation_decline"


RESEND_INVITATION = "invitation_resend"


CANCEL_INVITATION = "invitation_cancel"


INVITATIONS_PAGE = "invitations_page"


INVITE_MODAL = "invite_modal"


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


REPLACED = "replaced"  # not a status: a newer copy of the invitation was sent
CLOSED_HEADLINES = {
    InvitationStatus.ACCEPTED: ":white_check_mark: You accepted the invitation to {team}.",
    InvitationStatus.DECLINED: "You declined the invitation to {team}.",
    InvitationStatus.EXPIRED: "This invitation to {team} expired.",
    InvitationStatus.CANCELLED: "This invitation to {team} was cancelled.",
    REPLACED: "This invitation to {team} was sent again: use the newest message.",
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
            input_block("team", "Team", static_select("team", [(t, t) for t in teams], teams[0]))
        )
    blocks.append(
        input_block(
            "people",
            "People",
            {"type": "multi_users_select", "action_id": "people", "max_selected_items": 50},
            optional=True,
        )
    )
    blocks.append(
        input_block(
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
        input_block(
            "roles",
            "Role",
            {
                "type": "multi_static_select",
                "action_id": "roles",
                "options": [option(label, value) for label, value in options],
                "initial_options": [option(default_role.capitalize(), default_role)],
            },
        )
    )
    blocks += term_inputs()
    blocks.append(
        input_block(
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


def term_inputs() -> list[dict]:
    """How long the access lasts: Permanent or a number of days, or until a date."""
    days = {
        "type": "static_select",
        "action_id": "term",
        "options": access_options(),
        "initial_option": access_options()[0],
    }
    until = {"type": "datepicker", "action_id": "until"}
    return [
        input_block("term", "Access", days, hint="Counted from when they join."),
        input_block(
            "until",
            "Or access until (UTC)",
            until,
            optional=True,
            hint="Access lasts through this day. Leave it empty for the choice above.",
        ),
    ]


TERM_TWICE = "Choose a number of days or a date, not both."
DATE_OUT_OF_RANGE = (
    f"Pick a date from today to {MAX_ACCESS_DAYS} days ahead (UTC); "
    "for access with no end, leave it empty and choose Permanent."
)


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
    if row.status == InvitationStatus.PENDING:
        return [
            button("Resend", RESEND_INVITATION, value),
            button("Cancel", CANCEL_INVITATION, value, "danger"),
        ]
    if row.status == InvitationStatus.EXPIRED:
        return [button("Resend", RESEND_INVITATION, value, "primary")]
    return []


def _pager(page) -> dict:
    elements = []
    for label, target in (("Previous", page.page - 1), ("Next", page.page + 1)):
        if 1 <= target <= page.pages:
            value = f"{page.team}|{page.status}|{target}"
            elements.append(button(label, f"{INVITATIONS_PAGE}_{label.lower()}", value))
    return {"type": "actions", "block_id": "pager", "elements": elements}


INVITE_SUMMARY_LINES = {
    "already_member": "Already a member: {targets}.",
    "already_invited": "Already invited (still pending): {targets}.",
}


UNKNOWN_PERSON = (
    "I can't tell who “@{name}” is: pick people from Slack's autocomplete "
    "so I get their Slack ID, or use their email address."
)


def unknown_people(names: list[str]) -> dict:
    return message("\n".join(UNKNOWN_PERSON.format(name=md.escape(name)) for name in names))


def invite_summary(result: InviteResult, unknown_names: list[str] = ()) -> dict:
    team, roles = md.team(result.team), md.roles(result.roles)
    lines = [UNKNOWN_PERSON.format(name=md.escape(name)) for name in unknown_names]
    invited = result.with_status("invited")
    if invited:
        lines.append(f"Invited {_targets(invited)} to {team} as {roles}.")
    for status, template in INVITE_SUMMARY_LINES.items():
        if result.with_status(status):
            lines.append(template.format(targets=_targets(result.with_status(status))))
    for outcome in result.with_status("invalid_email"):
        lines.append(
            f"Not an email address: “{md.escape(outcome.target)}” ({md.escape(outcome.reason)})."
        )
    if result.with_status("emailed"):
        emailed = ", ".join(md.escape(o.target) for o in result.with_status("emailed"))
        lines.append(
            f"Emailed an invitation to {emailed}: no one in this Slack workspace uses "
            "those addresses yet, and the invitation waits for them here."
        )
    for outcome in result.with_status("waiting_for_account"):
        lines.append(
            f"No one in this Slack workspace uses {md.escape(outcome.target)} yet: "
            f"the invitation waits for them. Their invite code: `{outcome.code}`"
        )
    if not lines:
        lines.append("No one was invited.")
    return {"text": lines[0], "blocks": [section(line) for line in lines[:50]]}


def _targets(outcomes) -> str:
    return ", ".join(md.user(o.user_id) if o.user_id else md.escape(o.target) for o in outcomes)


def resent(invitation, code: str | None) -> dict:
    who = _invitee(invitation)
    text = f"Sent the invitation to {who} again; it now expires {md.date(invitation.expires_at)}."
    if code:
        text += f" Their new invite code: `{code}` (the old one no longer works)."
    return message(text)


def cancelled(invitation) -> dict:
    who = _invitee(invitation)
    return message(f"Cancelled the invitation to {who}.")


def _invitee(invitation) -> str:
    if invitation.invitee_user_id:
        return md.user(invitation.invitee_user_id)
    return md.escape(invitation.invitee_email)
