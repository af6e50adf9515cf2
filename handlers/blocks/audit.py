"""The audit trail: the latest changes, and everything as CSV."""

import csv
import io

from handlers.blocks import mrkdwn as md
from handlers.blocks.common import (
    message,
)


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
