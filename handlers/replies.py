"""Replies to the person who typed a command: pure functions returning message dicts."""

import csv
import io

from bot.invitations import InviteResult
from bot.teams import LinkResult, TeamSummary
from handlers import mrkdwn as md
from handlers.blocks import (
    DELETE_TEAM,
    button,
    message,
    request_for_approval,
    seat_line,
    section,
    with_buttons,
)

HELP_ROWS = [
    ("", "admins: the invite form"),
    ('@alice @bob [to TEAM] [as ROLE[,ROLE]] [message "…"]', "invite Slack users"),
    ('a@x.com, b@y.org [to TEAM] [as ROLE] [message "…"]', "invite by email (up to 50 in all)"),
    ("list [TEAM] [pending|accepted|declined|expired|cancelled|all]", "invitations"),
    ("link [TEAM] · link reset [TEAM]", "show the invite link and code · make a new one"),
    ("link limit [TEAM] [uses N] [expires DAYS|never]", "limits on the invite code"),
    ("card [TEAM]", "post a join card in this channel"),
    ("join CODE", "join with an invite code"),
    ("request [TEAM] [note…]", "ask to join"),
    ("requests [TEAM]", "pending join requests"),
    ("members [TEAM]", "members with their roles"),
    ("role @alice ROLE[,ROLE] [in TEAM]", "set a member's roles"),
    ("roles [TEAM] · role create NAME PERM[,PERM] · role delete NAME", "roles"),
    ("transfer TEAM @alice · team delete TEAM", "hand over ownership · delete a team"),
    ("remove @alice [from TEAM]", "remove a member"),
    ("team create NAME [parent PARENT] · team link TEAM #chan @group · teams", "teams"),
    ("seats [TEAM] [N|starter|professional|enterprise|unlimited]", "seat limit"),
    ("settings [TEAM]", "team settings"),
    ("audit [TEAM] [csv]", "recent changes, or all as CSV"),
    ("help", "this list"),
]


def help_message(command: str) -> dict:
    lines = [f"`{command} {form}`".replace(" `", "`") + f" — {what}" for form, what in HELP_ROWS]
    text = "*Lobby* — invitations and join requests for teams.\n" + "\n".join(lines)
    return message(text)


def not_available_yet(command_name: str) -> dict:
    return message(f"`{md.escape(command_name)}` is not available in this version of Lobby yet.")


def team_created(name: str) -> dict:
    return message(
        f"Created {md.team(name)}; you are its Owner. "
        f"Link a channel with `/invite team link {md.escape(name)} #channel`."
    )


def teams_list(summaries: list[TeamSummary]) -> dict:
    if not summaries:
        return message("There are no teams yet. Create one with `/invite team create NAME`.")
    lines = []
    for summary in summaries:
        links = [md.channel(c) for c in summary.channels]
        links += [md.usergroup(g) for g in summary.usergroups]
        parent = f" (in {md.team(summary.parent)})" if summary.parent else ""
        count = _count(summary.member_count, "member")
        linked = " · " + ", ".join(links) if links else " · nothing linked"
        lines.append(f"{md.team(summary.name)}{parent} — {count}{linked}")
    return message("\n".join(lines))


def link_result(result: LinkResult) -> dict:
    parts = []
    if result.linked:
        parts.append(f"Linked {_labels(result.linked)} to {md.team(result.team)}.")
    if result.already_linked:
        parts.append(f"Already linked: {_labels(result.already_linked)}.")
    for label in result.bot_must_be_added_to:
        parts.append(
            f"{md.escape(label)} is private and I'm not in it: add Lobby to it "
            "(channel details → Integrations → Add apps) so I can add members."
        )
    return message(" ".join(parts))


def members_list(team: str, members: dict[str, list[str]]) -> dict:
    header = f"{md.team(team)} — {_count(len(members), 'member')}"
    lines = [f"{md.user(user_id)} — {md.roles(roles)}" for user_id, roles in members.items()]
    return message("\n".join([header, *lines]))


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


def _labels(labels: list[str]) -> str:
    return ", ".join(md.escape(label) for label in labels)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def link_info(info, permalink: str | None) -> dict:
    uses = f"{info.uses} use" + ("" if info.uses == 1 else "s")
    if info.max_uses is not None:
        uses += f" of {info.max_uses}"
    expiry = f"expires {md.date(info.expires_at)}" if info.expires_at else "never expires"
    lines = [
        f"Invite code for {md.team(info.team)}: `{info.code}` ({uses}, {expiry}).",
        f"Anyone can join with `/invite join {info.code}`"
        + (" (link joins are turned off)." if info.link_policy == "disabled" else "."),
        f"Link: {permalink}" if permalink else "No join card yet: post one with `/invite card`.",
    ]
    return message("\n".join(lines))


def link_reset(info, permalink: str | None) -> dict:
    reply = link_info(info, permalink)
    reply["blocks"].insert(0, section("The old code no longer works. Here is the new one."))
    return reply


def resent(invitation, code: str | None) -> dict:
    who = _invitee(invitation)
    text = f"Sent the invitation to {who} again; it now expires {md.date(invitation.expires_at)}."
    if code:
        text += f" Their new invite code: `{code}` (the old one no longer works)."
    return message(text)


def cancelled(invitation) -> dict:
    who = _invitee(invitation)
    return message(f"Cancelled the invitation to {who}.")


def joined(result) -> dict:
    return message(f"Welcome! You joined {md.team(result.team)} as {md.roles(result.roles)}.")


def card_posted(team: str) -> dict:
    return message(f"Posted a join card for {md.team(team)} in this channel.")


def _invitee(invitation) -> str:
    if invitation.invitee_user_id:
        return md.user(invitation.invitee_user_id)
    return md.escape(invitation.invitee_email)


def request_sent(team: str) -> dict:
    return message(
        f"Your request to join {md.team(team)} is with its admins. I'll tell you what they decide."
    )


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


MAX_REQUESTS_SHOWN = 12  # up to 4 blocks each, within a message's 50


def seats(use) -> dict:
    plan = use.plan.capitalize()
    lines = [
        f"{md.team(use.team)} is on the *{plan}* plan.",
        seat_line(use.members, use.pending_invitations, use.limit),
    ]
    if use.trial_ends_at:
        lines.append(f"The trial ends {md.date(use.trial_ends_at)}; then the limit is 5 seats.")
    return message("\n".join(lines))


def roles_list(team: str, roles) -> dict:
    lines = [f"Roles of {md.team(team)}:"]
    for role in roles:
        kind = "" if role.builtin else " (custom)"
        lines.append(f"*{md.escape(role.name.capitalize())}*{kind} — {', '.join(role.permissions)}")
    return message("\n".join(lines))


def roles_set(user_id: str, roles: list[str]) -> dict:
    return message(f"{md.user(user_id)} now has the roles {md.roles(roles)}.")


def role_created(role) -> dict:
    return message(f"Created the role *{md.escape(role.name)}* with {', '.join(role.permissions)}.")


def role_deleted(name: str) -> dict:
    return message(f"Deleted the role *{md.escape(name)}*.")


def transferred(team: str, user_id: str) -> dict:
    return message(f"{md.user(user_id)} is now an Owner of {md.team(team)}; you are an Admin.")


def removed(team: str, user_id: str) -> dict:
    return message(
        f"Removed {md.user(user_id)} from {md.team(team)}, and from the channels and user "
        "group Lobby had added them to."
    )


def team_deleted(team: str) -> dict:
    return message(f"Deleted {md.team(team)}.")


def audit_list(team: str, entries) -> dict:
    if not entries:
        return message(f"Nothing has happened in {md.team(team)} yet.")
    lines = [f"Latest changes in {md.team(team)}:"]
    for entry in entries:
        who = md.user(entry.actor_user_id) if entry.actor_user_id else "Lobby"
        target = f" → {_target(entry.target)}" if entry.target else ""
        lines.append(f"{md.date(entry.created_at)} · {who} · `{entry.action}`{target}")
    return message("\n".join(lines))


def _target(target: str) -> str:
    if target[:1] in ("U", "W") and target.isalnum():
        return md.user(target)
    return md.escape(target)


def audit_sent(team: str) -> dict:
    return message(f"I sent you the audit log of {md.team(team)} as a CSV file.")


AUDIT_COLUMNS = ["time_utc", "team", "actor", "action", "target", "details"]


def audit_csv(entries) -> str:
    """The whole trail as CSV, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for entry in reversed(entries):
        writer.writerow(
            [
                entry.created_at.isoformat(),
                entry.team_name or "",
                entry.actor_user_id or "",
                entry.action,
                entry.target or "",
                entry.details,
            ]
        )
    return out.getvalue()


def delete_team_confirmation(team: str) -> dict:
    """Deleting a team asks first: a button with Slack's confirm dialog."""
    text = (
        f"Delete {md.team(team)}? Its pending invitations and requests are cancelled and "
        "its members are taken out of what it links. This can't be undone."
    )
    delete = button("Delete team", DELETE_TEAM, team, "danger")
    delete["confirm"] = {
        "title": {"type": "plain_text", "text": "Delete the team?"},
        "text": {"type": "mrkdwn", "text": f"{md.team(team)} and its sub-teams will be gone."},
        "confirm": {"type": "plain_text", "text": "Delete"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    return with_buttons(text, f"delete:{team}", [delete])
