"""Roles: the list of a team's roles, and the replies when they change."""

from handlers.blocks import mrkdwn as md
from handlers.blocks.common import (
    message,
)


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
