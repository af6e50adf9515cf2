"""Deliver invitation notices: the invitee's DM and email, and news for the inviter."""

from datetime import datetime

from bot.outbox import claims as outbox
from bot.outbox import notices as n
from handlers.blocks import common, invitations
from handlers.blocks import mrkdwn as md
from handlers.delivery.mailer import invitation_email
from handlers.delivery.registry import Delivery, delivers


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
    message = invitations.invitation_closed(team=notice.team, status=invitations.REPLACED)
    delivery.update_all(outbox.invitation_subject(notice.invitation_id, notice.generation), message)


@delivers(n.EmailInvitation)
def _email_invitation(delivery: Delivery, notice: n.EmailInvitation) -> None:
    inviter = delivery.client.users_info(user=notice.inviter)["user"]
    workspace = delivery.client.auth_test()  # which workspace: its name and address
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
        workspace=workspace.get("team"),
        workspace_url=workspace.get("url"),
    )
    delivery.mailer.send(email)


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
