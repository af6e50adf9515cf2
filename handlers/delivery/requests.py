"""Deliver join-request notices: the approvers' copies, the answer, reminders, digests."""

from bot.outbox import claims as outbox
from bot.outbox import notices as n
from bot.vocabulary import RequestStatus
from handlers.blocks import common, requests
from handlers.blocks import mrkdwn as md
from handlers.delivery.registry import Delivery, delivers


@delivers(n.RequestForApproval)
def _request_for_approval(delivery: Delivery, notice: n.RequestForApproval) -> None:
    message = requests.request_for_approval(
        request_id=notice.request_id,
        team=notice.team,
        requester=notice.requester,
        note=notice.note,
        roles=notice.roles,
        default_role=notice.default_role,
        seats=tuple(notice.seats),
    )
    delivery.post(notice.recipient, message, subject=outbox.request_subject(notice.request_id))
    delivery.refresh_home(notice.recipient)


@delivers(n.RequestDecided)
def _request_decided(delivery: Delivery, notice: n.RequestDecided) -> None:
    message = requests.request_decided(
        team=notice.team,
        requester=notice.requester,
        status=notice.status,
        decided_by=notice.decided_by,
        roles=notice.roles,
    )
    delivery.update_all(outbox.request_subject(notice.request_id), message)


REQUEST_ANSWERS = {
    RequestStatus.APPROVED: "{by} approved your request to join {team}.",
    RequestStatus.DENIED: "{by} denied your request to join {team}.",
    RequestStatus.EXPIRED: (
        "Your request to join {team} expired without a decision. You can ask again."
    ),
}


@delivers(n.RequestAnswered)
def _request_answered(delivery: Delivery, notice: n.RequestAnswered) -> None:
    by = md.user(notice.decided_by) if notice.decided_by else ""
    text = REQUEST_ANSWERS[notice.status].format(by=by, team=md.team(notice.team))
    if notice.reason:
        text += "\n" + md.quote(notice.reason)
    delivery.post(notice.requester, common.message(text))
    delivery.refresh_home(notice.requester)


@delivers(n.RequestReminder)
def _request_reminder(delivery: Delivery, notice: n.RequestReminder) -> None:
    waiting = ", ".join(md.user(u) for u in notice.requesters)
    text = (
        f"Still waiting for a decision on joining {md.team(notice.team)}: {waiting}. "
        "Use `/invite requests` to approve or deny."
    )
    delivery.post(notice.recipient, common.message(text))


@delivers(n.DailyDigest)
def _daily_digest(delivery: Delivery, notice: n.DailyDigest) -> None:
    joined = ", ".join(map(md.user, notice.joined)) or "nobody"
    text = f"*Today in {md.team(notice.team)}*\nJoined: {joined}."
    if not notice.requesters:
        delivery.post(notice.recipient, common.message(text))
        return
    text += f"\nWaiting for a decision: {', '.join(map(md.user, notice.requesters))}."
    review = common.button("Review requests", requests.REVIEW_REQUESTS, notice.team, "primary")
    delivery.post(notice.recipient, common.with_buttons(text, "digest", [review]))
