"""Expiring what is due, from stored times: one conditional UPDATE, not a loop over rows.

Running late, twice, or after downtime is harmless: a row moves from pending
to expired once, and only the rows that moved get their notices.
"""

from bot import notices
from bot.cards import refresh_cards
from bot.clock import Clock
from storage.db import db
from storage.models import AuditEntry, Invitation, Team


def expire_due_invitations(clock: Clock) -> int:
    """Expire every pending invitation past its time; tell each inviter once."""
    now = clock.now()
    with db.atomic():
        expired = list(
            Invitation.update(status="expired", decided_at=Invitation.expires_at)
            .where(Invitation.status == "pending", Invitation.expires_at <= now)
            .returning(
                Invitation.id,
                Invitation.workspace_id,
                Invitation.team,
                Invitation.inviter_user_id,
                Invitation.invitee_user_id,
                Invitation.invitee_email,
                Invitation.generation,
            )
            .tuples()
            .execute()
        )
        if not expired:
            return 0
        teams = {t.id: t for t in Team.select().where(Team.id.in_({row[2] for row in expired}))}
        notices.record_many(_notices_for(expired, teams), now)
        AuditEntry.insert_many(_audit_rows(expired, teams, now)).execute()
        for team in teams.values():
            refresh_cards(team, now)
    return len(expired)


def _notices_for(expired, teams) -> list[tuple[str, notices.Notice]]:
    items = []
    for invitation_id, workspace_id, team_id, inviter, invitee, email, generation in expired:
        team = teams[team_id].name
        items.append(
            (
                workspace_id,
                notices.InvitationExpired(
                    invitation_id=invitation_id,
                    team=team,
                    inviter=inviter,
                    invitee=invitee,
                    email=email,
                ),
            )
        )
        if invitee:
            closed = notices.InvitationClosed(
                invitation_id=invitation_id,
                generation=generation,
                team=team,
                status="expired",
                decided_by=None,
            )
            items.append((workspace_id, closed))
    return items


def _audit_rows(expired, teams, now) -> list[dict]:
    return [
        {
            "workspace_id": workspace_id,
            "team": team_id,
            "team_name": teams[team_id].name,
            "actor_user_id": None,
            "action": "invitation.expired",
            "target": invitee or email,
            "details": f'{{"invitation": {invitation_id}}}',
            "created_at": now,
        }
        for invitation_id, workspace_id, team_id, _, invitee, email, _ in expired
    ]
