"""Closing an invitation once (accepted, declined, cancelled), and why one can't be."""

from datetime import datetime

from bot import audit
from bot.errors import InvitationClosed
from bot.home.refresh import refresh_homes
from bot.outbox import notices
from storage.models import Invitation
from storage.statuses import InvitationStatus


def close_live(invitation: Invitation, status: InvitationStatus, by: str, now: datetime) -> None:
    """Move a live invitation to `status`, exactly once (a conditional UPDATE)."""
    changes = {"status": status, "decided_at": now, "invitee_user_id": invitation.invitee_user_id}
    changed = (
        Invitation.update(**changes)
        .where(
            Invitation.id == invitation.id,
            Invitation.generation == invitation.generation,
            Invitation.is_live(now),
        )
        .execute()
    )
    if not changed:
        raise closed_error(Invitation.get_by_id(invitation.id), now)
    record_closed(invitation, status, by, now)


def record_closed(invitation: Invitation, status: str, by: str | None, now: datetime) -> None:
    """The notice that updates the invitee's DM, and the audit entry, for a closed invitation."""
    notices.record(
        invitation.workspace_id,
        notices.InvitationClosed(
            invitation_id=invitation.id,
            generation=invitation.generation,
            team=invitation.team.name,
            status=status,
            decided_by=by,
        ),
        now,
    )
    refresh_homes(invitation.team, now, invitation.invitee_user_id)
    audit.record(
        workspace_id=invitation.workspace_id,
        now=now,
        action=f"invitation.{status}",
        actor=by,
        team=invitation.team,
        target=invitation.invitee_user_id or invitation.invitee_email,
        invitation=invitation.id,
    )


def closed_error(invitation: Invitation, now: datetime) -> InvitationClosed:
    """Why an invitation cannot be acted on."""
    status = invitation.status_at(now)
    expired = status == InvitationStatus.EXPIRED
    return InvitationClosed(
        status=status,
        at=invitation.expires_at if expired else invitation.decided_at,
        team=invitation.team.name,
        inviter_user_id=invitation.inviter_user_id,
    )
