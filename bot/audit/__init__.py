"""The audit trail: one entry for every change, written in the change's transaction."""

import json
from datetime import datetime

from storage.models import AuditEntry, Team


def entry(
    *,
    workspace_id: str,
    now: datetime,
    action: str,
    actor: str | None,
    team: Team | None = None,
    target: str | None = None,
    **details,
) -> dict:
    """One audit row, as a dict for a bulk insert."""
    return {
        "workspace_id": workspace_id,
        "team": team,
        "team_name": team.name if team else None,
        "actor_user_id": actor,
        "action": action,
        "target": target,
        "details": json.dumps(details, default=str, sort_keys=True),
        "created_at": now,
    }


def detail_pattern(key: str, value: str) -> str:
    """How `key: value` reads inside an entry's stored details, for a LIKE that finds
    entries by one detail (a quote inside a value is escaped, so never matches)."""
    return json.dumps({key: value}, default=str, sort_keys=True)[1:-1]


def record_many(rows: list[dict], batch: int = 500) -> None:
    for start in range(0, len(rows), batch):
        AuditEntry.insert_many(rows[start : start + batch]).execute()


def record(
    *,
    workspace_id: str,
    now: datetime,
    action: str,
    actor: str | None,
    team: Team | None = None,
    target: str | None = None,
    **details,
) -> None:
    AuditEntry.create(
        **entry(
            workspace_id=workspace_id,
            now=now,
            action=action,
            actor=actor,
            team=team,
            target=target,
            **details,
        )
    )
