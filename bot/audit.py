"""The audit trail: one entry for every change, written in the change's transaction."""

import json
from datetime import datetime

from storage.models import AuditEntry, Team


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
        workspace_id=workspace_id,
        team=team,
        team_name=team.name if team else None,
        actor_user_id=actor,
        action=action,
        target=target,
        details=json.dumps(details, default=str, sort_keys=True),
        created_at=now,
    )
