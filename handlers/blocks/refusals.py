"""How each domain refusal is worded for the person who hit it."""

from functools import singledispatch

from slack_sdk.errors import SlackApiError

from bot import errors
from bot.vocabulary import InvitationStatus, RequestStatus
from handlers.blocks.mrkdwn import date, escape, team, user
from handlers.blocks.settings import NOTE_REQUIRED


@singledispatch
def describe(error: errors.LobbyError) -> str:
    return "Sorry, that didn't work."


@describe.register
def _(error: errors.NotAllowed) -> str:
    where = f" on {team(error.team)}" if error.team else ""
    return f"You don't have permission to {error.action.replace('_', ' ')}{where}."


@describe.register
def _(error: errors.NotWorkspaceAdmin) -> str:
    return "Only a Slack workspace admin or owner can create a team."


@describe.register
def _(error: errors.TeamNotFound) -> str:
    return f"There is no team called “{escape(error.name)}”. {_known(error.known)}"


@describe.register
def _(error: errors.TeamRequired) -> str:
    return f"Which team? Name one. {_known(error.known)}"


@describe.register
def _(error: errors.NoTeamsYet) -> str:
    return "There are no teams yet. A workspace admin can create one: `/invite team create NAME`."


@describe.register
def _(error: errors.InvalidTeamName) -> str:
    return f"“{escape(error.name)}” can't be a team name: {error.reason}."


@describe.register
def _(error: errors.TeamNameTaken) -> str:
    return f"There is already a team called “{escape(error.name)}”."


@describe.register
def _(error: errors.NotARootTeam) -> str:
    return (
        f"People are invited to root teams only: invite them to {team(error.root)}, "
        f"and they are members of {team(error.team)} too."
    )


@describe.register
def _(error: errors.UnknownRole) -> str:
    return f"There is no role “{escape(error.role)}”. Roles: {escape(', '.join(error.known))}."


@describe.register
def _(error: errors.CannotGrantRole) -> str:
    return f"You can't give the role “{escape(error.role)}”: it has permissions you don't have."


@describe.register
def _(error: errors.TooManyTargets) -> str:
    return (
        f"You can invite at most {error.limit} people at once, and you named {error.count}. "
        "Nothing was sent."
    )


@describe.register
def _(error: errors.NoTargets) -> str:
    return "Whom should I invite? Mention people (@alice) or give email addresses."


@describe.register
def _(error: errors.InvitationNotFound) -> str:
    return "I can't find that invitation any more."


@describe.register
def _(error: errors.NotYourInvitation) -> str:
    return f"This invitation is for {user(error.invitee)}, so only they can answer it."


CLOSED_WORDING = {
    InvitationStatus.ACCEPTED: "You already accepted this invitation",
    InvitationStatus.DECLINED: "You already declined this invitation",
    InvitationStatus.EXPIRED: "This invitation expired",
    InvitationStatus.CANCELLED: "This invitation was cancelled",
}


# Closed without the invitee joining: the inviter can send a new one.
ASK_FOR_A_NEW_ONE = (
    InvitationStatus.EXPIRED,
    InvitationStatus.CANCELLED,
    InvitationStatus.DECLINED,
)


@describe.register
def _(error: errors.InvitationClosed) -> str:
    when = f" on {date(error.at)}" if error.at else ""
    text = f"{CLOSED_WORDING[error.status]}{when}."
    if error.status in ASK_FOR_A_NEW_ONE:
        text += f" Ask {user(error.inviter_user_id)} for a new one to join {team(error.team)}."
    return text


@describe.register
def _(error: errors.ResourceNotFound) -> str:
    what = "channel" if error.kind == "channel" else "user group"
    return f"I can't find the {what} “{escape(error.reference)}”, or I can't see it."


@describe.register
def _(error: errors.UserGroupsUnavailable) -> str:
    return "This workspace has no user groups (they need a paid Slack plan), so I can't link one."


@describe.register
def _(error: errors.NothingToLink) -> str:
    return "Link what? Name channels (#design) or a user group (@design-team)."


def _known(names: list[str]) -> str:
    if not names:
        return "There are no teams yet."
    return "Teams: " + ", ".join(escape(name) for name in names) + "."


SLACK_FAILED = (
    "Slack didn't answer my request ({error}), so I changed nothing. Please try again in a minute."
)


def slack_failure_code(error: SlackApiError) -> str:
    return error.response.get("error") or f"HTTP {error.response.status_code}"


@describe.register
def _(error: errors.InvitationReplaced) -> str:
    return f"This invitation to {team(error.team)} was sent again: use the newest message."


@describe.register
def _(error: errors.DailyInviteLimitReached) -> str:
    text = (
        f"You can send at most {error.limit} invitations a day to this team, and you have "
        f"{error.remaining} left today, so I sent none of these {error.requested}."
    )
    if error.next_at:
        text += f" You can invite again {date(error.next_at)}."
    return text


RESEND_REFUSALS = {
    InvitationStatus.ACCEPTED: "It was accepted, so there is nothing to resend.",
    InvitationStatus.DECLINED: "It was declined; invite them again if they changed their mind.",
    InvitationStatus.CANCELLED: "It was cancelled; invite them again instead.",
    "duplicate": "They already have a newer pending invitation.",
}


@describe.register
def _(error: errors.InvitationNotResendable) -> str:
    return "I can't resend this invitation. " + RESEND_REFUSALS.get(error.status, "")


CODE = errors.CodeProblem
CODE_REFUSALS = {
    CODE.UNKNOWN: "That invite code doesn't exist. Check it, or ask whoever shared it.",
    CODE.RESET: "That invite code for {team} was reset and no longer works.",
    CODE.EXPIRED: "That invite code for {team} has expired.",
    CODE.USED_UP: "That invite code for {team} has been used as many times as allowed.",
}


@describe.register
def _(error: errors.CodeRefused) -> str:
    text = CODE_REFUSALS[error.reason].format(team=team(error.team or ""))
    if error.ask:
        text += f" Ask {user(error.ask)} for a new one."
    return text


@describe.register
def _(error: errors.LinkJoinsDisabled) -> str:
    text = f"Joining {team(error.team)} with a link is turned off."
    if error.ask:
        text += f" Ask {user(error.ask)} for an invitation."
    return text


@describe.register
def _(error: errors.LinkPaused) -> str:
    ask = f"ask {user(error.ask)} or another admin" if error.ask else "ask an admin"
    return f"This link to {team(error.team)} is paused; {ask}."


@describe.register
def _(error: errors.InvalidDomain) -> str:
    return (
        f"“{escape(error.domain)}” isn't an email domain: expected domains like "
        "acme.com,acme.io (at most 50), or any."
    )


@describe.register
def _(error: errors.LinkNotPaused) -> str:
    return f"The link to {team(error.team)} isn't paused: people can join with it."


@describe.register
def _(error: errors.AlreadyMember) -> str:
    return f"You're already a member of {team(error.team)}."


@describe.register
def _(error: errors.BotNotInChannel) -> str:
    return (
        "I'm not in this channel, so I can't post here. Add Lobby to the channel "
        "(channel details → Integrations → Add apps), then try again."
    )


@describe.register
def _(error: errors.RequestPending) -> str:
    return (
        f"You already asked to join {team(error.team)} ({date(error.since)}); "
        "your request is still waiting for an admin."
    )


@describe.register
def _(error: errors.RequestCooldown) -> str:
    return (
        f"Your last request to join {team(error.team)} was denied. "
        f"You can ask again {date(error.until)}."
    )


@describe.register
def _(error: errors.RequestNotFound) -> str:
    return "I can't find that join request any more."


@describe.register
def _(error: errors.NoteRequired) -> str:
    return (
        f"{team(error.team)} asks for a note with every request (setting “{NOTE_REQUIRED}”): "
        f"ask again with a few words saying why, as in `{_with_a_note(error)}`."
    )


def _with_a_note(error: errors.NoteRequired) -> str:
    if error.role:
        return f"/invite request role {escape(error.role)} in {escape(error.team)} I'd like to…"
    return f"/invite request {escape(error.team)} I'd like to…"


@describe.register
def _(error: errors.RoleAlreadyHeld) -> str:
    role = escape(error.role.capitalize())
    return f"You already have the role *{role}* in {team(error.team)}."


@describe.register
def _(error: errors.OwnerNotRequestable) -> str:
    return (
        f"Nobody asks for Owner of {team(error.team)}: an Owner hands ownership over with "
        f"`/invite transfer {escape(error.team)} @someone`."
    )


@describe.register
def _(error: errors.RoleRequestPending) -> str:
    role = escape(error.role.capitalize())
    return (
        f"You already asked for the role *{role}* in {team(error.team)} ({date(error.since)}); "
        "one request at a time, and it is still waiting for a decision."
    )


DECISIONS = {
    RequestStatus.APPROVED: "This request was already approved by {by}{roles}.",
    RequestStatus.DENIED: "This request was already denied by {by}.",
    RequestStatus.EXPIRED: "This request expired without a decision.",
    RequestStatus.CANCELLED: "This request was withdrawn.",
}


@describe.register
def _(error: errors.RequestAlreadyDecided) -> str:
    by = user(error.decided_by) if error.decided_by else "someone"
    roles = f" as {', '.join(r.capitalize() for r in error.roles)}" if error.roles else ""
    return DECISIONS[error.status].format(by=by, roles=escape(roles))


@describe.register
def _(error: errors.NoSeatsLeft) -> str:
    owners = ", ".join(user(owner) for owner in error.owners) or "the team's Owners"
    if error.requested > 1:
        head = (
            f"{team(error.team)} has {error.free} free seats and you asked for "
            f"{error.requested}, so I sent none."
        )
    else:
        head = f"{team(error.team)} has no free seat."
    return f"{head} {error.used} of {error.limit} seats are used; {owners} can add seats."


@describe.register
def _(error: errors.NotAMember) -> str:
    return f"{user(error.user)} isn't a member of {team(error.team)}."


@describe.register
def _(error: errors.LastOwner) -> str:
    return (
        f"{team(error.team)} must keep an Owner. Hand ownership over first: "
        f"`/invite transfer {escape(error.team)} @someone`."
    )


@describe.register
def _(error: errors.InvalidRoleName) -> str:
    return f"“{escape(error.name)}” can't be a role name: {error.reason}."


@describe.register
def _(error: errors.UnknownPermission) -> str:
    return (
        f"There is no permission “{escape(error.permission)}”. "
        f"Permissions: {', '.join(error.known)}."
    )


@describe.register
def _(error: errors.RoleInUse) -> str:
    return (
        f"The role “{escape(error.role)}” is still held or offered ({error.holders}); "
        "change those members' roles or cancel those invitations first."
    )


@describe.register
def _(error: errors.RoleExists) -> str:
    return f"There is already a role called “{escape(error.role)}”."


@describe.register
def _(error: errors.InvalidSetting) -> str:
    return f"{error.field.replace('_', ' ').capitalize()}: {error.reason}."


@describe.register
def _(error: errors.UnknownPerson) -> str:
    return (
        f"I can't tell who “@{escape(error.name)}” is: pick people from Slack's autocomplete "
        "so I get their Slack ID."
    )


# The refusals of access that ends, sponsor review and the waitlist, registered here.
from handlers.blocks import refusals_membership  # noqa: E402, F401
