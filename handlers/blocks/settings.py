"""The team settings form."""

from handlers.blocks import mrkdwn as md
from handlers.blocks.common import (
    input_block,
    option,
    section,
)

SETTINGS_MODAL = "settings_modal"
NOTE_REQUIRED = "Note required on requests"


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
    ("link_joins_per_hour", "Joins by link per hour before the link pauses (0: no limit)"),
)


def settings_modal(*, team: str, settings, roles: list[str]) -> dict:
    """The settings form of a team; its private_metadata carries the team name."""
    choices = [
        input_block(
            "invite_policy",
            "Who may invite",
            _select("invite_policy", ["admins", "managers", "members"], settings.invite_policy),
        ),
        input_block(
            "link_policy",
            "Invite link",
            _select("link_policy", ["open", "approval", "disabled"], settings.link_policy),
        ),
        input_block(
            "default_role",
            "Default role for link joins and approvals",
            _select("default_role", roles, settings.default_role, label=str.capitalize),
        ),
    ]
    numbers = [
        input_block(
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
    digest_option = option("Send admins a daily digest", "on")
    digest = {"type": "checkboxes", "action_id": "digest_enabled", "options": [digest_option]}
    if settings.digest_enabled:
        digest["initial_options"] = [digest_option]
    note_option = option("Join and role requests must carry a note", "on")
    note = {"type": "checkboxes", "action_id": "note_required", "options": [note_option]}
    if settings.note_required:
        note["initial_options"] = [note_option]
    extras = [
        input_block(
            "notification_channel",
            "Post admin news in this channel instead of DMs",
            channel,
            optional=True,
        ),
        input_block("digest_enabled", "Daily digest", digest, optional=True),
        input_block("note_required", NOTE_REQUIRED, note, optional=True),
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
        "options": [option(text(value), value) for value in values],
        "initial_option": option(text(initial), initial),
    }
