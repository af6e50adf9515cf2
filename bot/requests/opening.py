"""Opening a join request: the row, every approver's copy, and the audit entry."""

from datetime import datetime, timedelta

from bot import audit
from bot.outbox import notices
from bot.roles.permissions import Permission
from bot.seats.use import seat_use
from bot.teams.membership import admin_recipients, holders_of, role_book, roles_by_member
from storage.db import db
from storage.models import JoinRequest, Team


def open_request(team: Team, requester: str, note: str | None, now: datetime) -> JoinRequest:
    """Create a pending request and send it to the approvers, in one savepoint; a second
    pending request of the same person raises IntegrityError (a unique index)."""
    with db.atomic():
        request = JoinRequest.create(
            workspace_id=team.workspace_id,
            team=team,
            requester_user_id=requester,
            note=note,
            created_at=now,
            expires_at=now + timedelta(days=team.request_expiry_days),
        )
        _notify_approvers(team, request, now)
        audit.record(
            workspace_id=team.workspace_id,
            now=now,
            action="request.created",
            actor=requester,
            team=team,
            target=requester,
            request=request.id,
        )
    return request


def _notify_approvers(team: Team, request: JoinRequest, now: datetime) -> None:
    """A copy with Approve / Deny for every approver, or the team's notification channel."""
    book, members = role_book(team), roles_by_member(team)
    use = seat_use(team, now)
    approvers = holders_of(team, Permission.APPROVE_REQUESTS)
    for recipient in admin_recipients(team, approvers, exclude={request.requester_user_id}):
        granter_roles = members.get(recipient, ["admin"])  # a channel: what admins may give
        grantable = book.grantable(granter_roles)
        notice = notices.RequestForApproval(
            request_id=request.id,
            team=team.name,
            requester=request.requester_user_id,
            note=request.note,
            recipient=recipient,
            roles=grantable,
            default_role=team.default_role,
            seats=[use.members, use.pending_invitations, use.limit],
        )
        notices.record(team.workspace_id, notice, now)
