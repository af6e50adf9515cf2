"""Render notices into Slack messages and calls, and deliver them."""

from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient

from bot import notices as n
from bot import outbox
from bot.access import Actor
from bot.cards import CardFacts
from bot.home import home_for
from handlers.blocks import common, invitations, links, requests
from handlers.blocks import mrkdwn as md
from handlers.blocks.home import home_view
from handlers.mailer import Mailer, invitation_email

DELIVERERS: dict[type, Callable] = {}
NOTICE_EVENT = "lobby_notice"
HISTORY_SEARCHED = 50  # a retry follows the lost attempt closely; it is among the newest


def delivers(notice_type: type):
    def decorate(function):
        DELIVERERS[notice_type] = function
        return function

    return decorate


class Delivery:
    """What a deliverer needs besides the notice: the Slack client and a way to remember posts."""

    def __init__(
        self,
        client: WebClient,
        workspace_id: str,
        now: datetime,
        *,
        notice_id: int = 0,
        retrying: bool = False,
        mailer: Mailer | None = None,
        join_url: str | None = None,
        homes: set | None = None,
    ):
        self.client = client
        self.homes = homes if homes is not None else set()
        self.workspace_id = workspace_id
        self.now = now
        self.notice_id = notice_id
        self.retrying = retrying
        self.mailer = mailer
        self.join_url = join_url

    def post(self, channel: str, message: dict, subject: str | None = None) -> dict:
        """Post once: every post carries its notice's id as message metadata, and a retry
        first looks for a post an earlier, interrupted attempt already made."""
        response = self._posted_before(channel) if self.retrying else None
        if response is None:
            metadata = {"event_type": NOTICE_EVENT, "event_payload": {"notice": self.notice_id}}
            response = self.client.chat_postMessage(channel=channel, metadata=metadata, **message)
        if subject:
            outbox.remember_message(
                self.workspace_id, subject, response["channel"], response["ts"], self.now
            )
        return response

    def _posted_before(self, channel: str) -> dict | None:
        """The message this notice already posted to `channel` (a user's DM, or a channel
        such as a team's notification channel), if an earlier attempt got through."""
        if channel.startswith(("U", "W")):
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        history = self.client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_SEARCHED
        )
        for message in history["messages"]:
            payload = message.get("metadata", {}).get("event_payload", {})
            if payload.get("notice") == self.notice_id:
                return {"channel": channel, "ts": message["ts"]}
        return None

    def refresh_home(self, user_id: str) -> None:
        """Re-publish someone's App Home after a change that concerns them: noted here,
        published once per person per batch by `publish_homes`."""
        if user_id.startswith(("U", "W")):  # a channel has no Home
            self.homes.add((self.workspace_id, user_id))

    def granted(self, user_id: str, kind: str, resource_id: str) -> None:
        outbox.record_grant(self.workspace_id, user_id, kind, resource_id, self.now)

    def revoked(self, user_id: str, kind: str, resource_id: str) -> None:
        outbox.drop_grant(self.workspace_id, user_id, kind, resource_id)

    def update_all(self, subject: str, message: dict) -> None:
        """Update every message remembered for `subject` (e.g. each copy of a request)."""
        for channel, ts in outbox.messages_about(subject):
            self.client.chat_update(channel=channel, ts=ts, **message)

    def record_refusal(self, team: str, action: str, user_id: str, resource: str, code: str):
        """Slack refused a sync step: kept in the team's audit trail."""
        outbox.record_sync_refusal(
            self.workspace_id, team, action, user_id, resource, code, self.now
        )

    def tell_admins(self, admins: list[str], text: str) -> None:
        for admin in admins:
            self.post(admin, common.message(text))


def publish_homes(client: WebClient, homes: set[tuple[str, str]], now: datetime) -> None:
    for workspace_id, user_id in sorted(homes):
        home = home_for(actor=Actor(workspace_id=workspace_id, user_id=user_id), now=now)
        client.views_publish(user_id=user_id, view=home_view(home))


def deliver(delivery: Delivery, notice: n.Notice) -> None:
    DELIVERERS[type(notice)](delivery, notice)


@delivers(n.InvitationSent)
def _invitation_sent(delivery: Delivery, notice: n.InvitationSent) -> None:
    message = invitations.invitation_dm(
        invitation_id=notice.invitation_id,
        generation=notice.generation,
        team=notice.team,
        inviter=notice.inviter,
        roles=notice.roles,
        personal_message=notice.message,
        expires_at=datetime.fromisoformat(notice.expires_at),
    )
    subject = outbox.invitation_subject(notice.invitation_id, notice.generation)
    delivery.post(notice.invitee, message, subject=subject)
    delivery.refresh_home(notice.invitee)


@delivers(n.InvitationClosed)
def _invitation_closed(delivery: Delivery, notice: n.InvitationClosed) -> None:
    message = invitations.invitation_closed(team=notice.team, status=notice.status)
    delivery.update_all(outbox.invitation_subject(notice.invitation_id, notice.generation), message)


@delivers(n.InvitationReplaced)
def _invitation_replaced(delivery: Delivery, notice: n.InvitationReplaced) -> None:
    message = invitations.invitation_closed(team=notice.team, status="replaced")
    delivery.update_all(outbox.invitation_subject(notice.invitation_id, notice.generation), message)


@delivers(n.EmailInvitation)
def _email_invitation(delivery: Delivery, notice: n.EmailInvitation) -> None:
    inviter = delivery.client.users_info(user=notice.inviter)["user"]
    email = invitation_email(
        to=notice.email,
        sender=delivery.mailer.sender,
        team=notice.team,
        inviter_name=inviter.get("real_name") or inviter.get("name") or "A teammate",
        roles=notice.roles,
        personal_message=notice.message,
        code=notice.code,
        join_url=delivery.join_url,
        expires_at=datetime.fromisoformat(notice.expires_at),
    )
    delivery.mailer.send(email)


@delivers(n.RenderJoinCards)
def _render_join_cards(delivery: Delivery, notice: n.RenderJoinCards) -> None:
    card = CardFacts(
        team_id=notice.team_id,
        team=notice.team,
        code=notice.code,
        joinable=notice.joinable,
        seats_line=notice.seats_line,
    )
    delivery.update_all(outbox.card_subject(notice.team_id), links.join_card(card))


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
    "approved": "{by} approved your request to join {team}.",
    "denied": "{by} denied your request to join {team}.",
    "expired": "Your request to join {team} expired without a decision. You can ask again.",
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


@delivers(n.InvitationExpired)
def _invitation_expired(delivery: Delivery, notice: n.InvitationExpired) -> None:
    who = md.user(notice.invitee) if notice.invitee else md.escape(notice.email or "")
    text = f"Your invitation to {who} to join {md.team(notice.team)} expired."
    resend = common.button(
        "Resend", invitations.RESEND_INVITATION, str(notice.invitation_id), "primary"
    )
    delivery.post(
        notice.inviter, common.with_buttons(text, f"expired:{notice.invitation_id}", [resend])
    )


@delivers(n.ExpiryReminder)
def _expiry_reminder(delivery: Delivery, notice: n.ExpiryReminder) -> None:
    who = md.user(notice.invitee) if notice.invitee else md.escape(notice.email or "")
    text = (
        f"Your invitation to {who} to join {md.team(notice.team)} expires "
        f"{md.date(datetime.fromisoformat(notice.expires_at))} and is still unanswered."
    )
    resend = common.button("Resend", invitations.RESEND_INVITATION, str(notice.invitation_id))
    delivery.post(
        notice.inviter, common.with_buttons(text, f"remind:{notice.invitation_id}", [resend])
    )


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


@delivers(n.DeliveryFailed)
def _delivery_failed(delivery: Delivery, notice: n.DeliveryFailed) -> None:
    text = (
        f"Lobby gave up on something for {md.team(notice.team)} "
        f"({md.escape(notice.what.replace('_', ' '))}): Slack answered "
        f"`{md.escape(notice.error)}`."
    )
    delivery.post(notice.recipient, common.message(text))


@delivers(n.Removed)
def _removed(delivery: Delivery, notice: n.Removed) -> None:
    by = f" by {md.user(notice.by)}" if notice.by else ""
    text = f"You were removed from {md.team(notice.team)}{by}."
    delivery.post(notice.user, common.message(text))


@delivers(n.SeatsFull)
def _seats_full(delivery: Delivery, notice: n.SeatsFull) -> None:
    text = (
        f"Someone couldn't join {md.team(notice.team)}: all {notice.limit} seats are used "
        f"({notice.used} of {notice.limit}). Add seats with "
        f"`/invite seats {md.escape(notice.team)} N`."
    )
    delivery.post(notice.recipient, common.message(text))


@delivers(n.InvitationAccepted)
def _invitation_accepted(delivery: Delivery, notice: n.InvitationAccepted) -> None:
    text = (
        f"{md.user(notice.invitee)} accepted your invitation and joined "
        f"{md.team(notice.team)} as {md.roles(notice.roles)}."
    )
    delivery.post(notice.inviter, common.message(text))


@delivers(n.InvitationDeclined)
def _invitation_declined(delivery: Delivery, notice: n.InvitationDeclined) -> None:
    text = f"{md.user(notice.invitee)} declined your invitation to {md.team(notice.team)}."
    delivery.post(notice.inviter, common.message(text))


@delivers(n.Welcome)
def _welcome(delivery: Delivery, notice: n.Welcome) -> None:
    text = f"Welcome to {md.team(notice.team)}! You joined as {md.roles(notice.roles)}."
    if notice.channel_ids:
        text += " You'll find the team in " + ", ".join(map(md.channel, notice.channel_ids)) + "."
    delivery.post(notice.user, common.message(text))
    delivery.refresh_home(notice.user)


@delivers(n.NewMember)
def _new_member(delivery: Delivery, notice: n.NewMember) -> None:
    text = f"{md.user(notice.user)} joined {md.team(notice.team)} as {md.roles(notice.roles)}"
    text += f", invited by {md.user(notice.added_by)}." if notice.added_by else "."
    delivery.post(notice.recipient, common.message(text))


# The sync deliverers register themselves on import.
import handlers.sync_delivery  # noqa: E402, F401
