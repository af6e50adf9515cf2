"""Teams: created, listed, linked, members, removal and deletion."""

from datetime import datetime

from bot.teams.service import LinkResult, TeamSummary
from handlers.blocks import mrkdwn as md
from handlers.blocks.common import (
    button,
    message,
    with_buttons,
)

DELETE_TEAM = "team_delete"


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


def members_list(
    team: str,
    members: dict[str, list[str]],
    ends: dict[str, datetime] | None = None,
    brought_in: dict[str, tuple[str, str | None]] | None = None,
) -> dict:
    """Each member with their roles, who brought them in, and when access ends for those
    who have it for a time."""
    ends, brought_in = ends or {}, brought_in or {}
    header = f"{md.team(team)} — {_count(len(members), 'member')}"
    lines = [
        f"{md.user(user_id)} — {md.roles(roles)}"
        + (f" · {who_brought_in(*brought_in[user_id])}" if user_id in brought_in else "")
        + (f" · access ends {md.date(ends[user_id])}" if user_id in ends else "")
        for user_id, roles in members.items()
    ]
    return message("\n".join([header, *lines]))


def who_brought_in(via: str, added_by: str | None) -> str:
    """ "invited by @x", "approved by @y", "joined by link", "created the team"."""
    if via == "creator":
        return "created the team"
    if via == "link" or added_by is None:
        return "joined by link"
    verb = {"invitation": "invited", "request": "approved"}.get(via, "added")
    return f"{verb} by {md.user(added_by)}"


def _labels(labels: list[str]) -> str:
    return ", ".join(md.escape(label) for label in labels)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def removed(team: str, user_id: str) -> dict:
    return message(
        f"Removed {md.user(user_id)} from {md.team(team)}, and from the channels and user "
        "group Lobby had added them to."
    )


def team_deleted(team: str) -> dict:
    return message(f"Deleted {md.team(team)}.")


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
