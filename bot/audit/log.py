"""Reading the audit trail: a team's latest changes, or all of them for export."""

from bot.access import Actor, require, resolve_team
from bot.roles.permissions import Action
from storage.models import AuditEntry

LATEST = 20


class AuditLog:
    def latest(self, *, actor: Actor, team_name: str | None, limit: int = LATEST):
        return list(self._entries(actor, team_name).limit(limit))

    def everything(self, *, actor: Actor, team_name: str | None):
        return list(self._entries(actor, team_name))

    def _entries(self, actor: Actor, team_name: str | None):
        team = resolve_team(actor.workspace_id, team_name)
        require(actor, team, Action.VIEW_AUDIT)
        return (
            AuditEntry.select()
            .where(AuditEntry.workspace_id == actor.workspace_id, AuditEntry.team == team)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
