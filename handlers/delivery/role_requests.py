"""Deliver role-request notices: the deciders' copies, the decision, the answer, reminders."""

from bot.outbox import claims as outbox
from bot.outbox import role_request_notices as rn
from handlers.blocks import role_requests
from handlers.delivery.registry import Delivery, delivers


@delivers(rn.RoleRequestForApproval)
def _for_approval(delivery: Delivery, notice: rn.RoleRequestForApproval) -> None:
    message = role_requests.role_request_for_approval(
        request_id=notice.request_id,
        team=notice.team,
        requester=notice.requester,
        role=notice.role,
        note=notice.note,
    )
    delivery.post(notice.recipient, message, subject=outbox.role_request_subject(notice.request_id))
    delivery.refresh_home(notice.recipient)


@delivers(rn.RoleRequestDecided)
def _decided(delivery: Delivery, notice: rn.RoleRequestDecided) -> None:
    message = role_requests.role_request_decided(
        team=notice.team,
        requester=notice.requester,
        role=notice.role,
        status=notice.status,
        decided_by=notice.decided_by,
    )
    delivery.update_all(outbox.role_request_subject(notice.request_id), message)


@delivers(rn.RoleRequestAnswered)
def _answered(delivery: Delivery, notice: rn.RoleRequestAnswered) -> None:
    message = role_requests.role_request_answered(
        team=notice.team, role=notice.role, status=notice.status, decided_by=notice.decided_by
    )
    delivery.post(notice.requester, message)
    delivery.refresh_home(notice.requester)


@delivers(rn.RoleRequestReminder)
def _reminder(delivery: Delivery, notice: rn.RoleRequestReminder) -> None:
    reminder = role_requests.role_request_reminder(team=notice.team, waiting=notice.waiting)
    delivery.post(notice.recipient, reminder)
