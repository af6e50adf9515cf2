"""Who an invite command reaches: Slack users (emails of workspace users among them),
addresses waiting for an account, and those already in or already invited."""

from dataclasses import dataclass

from bot.invitations.tokens import normalize_email
from bot.ports import Directory
from storage.models import Invitation, Membership
from storage.statuses import InvitationStatus


@dataclass(frozen=True)
class Outcome:
    """What happened to one target of an invite command."""

    target: str  # a user id, or an email address
    # invited | emailed | waiting_for_account | already_member | already_invited | invalid_email
    status: str
    user_id: str | None = None
    code: str | None = None  # an email invitation's code, when no email is sent
    reason: str | None = None


def split_already_in_or_invited(team, targets, now) -> tuple[list[Outcome], list]:
    """Targets already members or with a live pending invitation (said per person), and
    the rest. A due invitation no longer blocks a new one: it is marked expired here."""
    user_ids = [user_id for _, user_id in targets if user_id]
    emails = [target for target, user_id in targets if not user_id]
    person = Invitation.invitee_user_id.in_(user_ids) | Invitation.invitee_email.in_(emails)
    Invitation.update(status=InvitationStatus.EXPIRED).where(
        Invitation.team == team, person, Invitation.is_due(now)
    ).execute()
    members = {
        m.user_id
        for m in Membership.select(Membership.user_id).where(
            Membership.team == team, Membership.user_id.in_(user_ids)
        )
    }
    invited = set()
    for row in Invitation.select(Invitation.invitee_user_id, Invitation.invitee_email).where(
        Invitation.team == team, person, Invitation.is_live(now)
    ):
        invited.add(row.invitee_user_id or row.invitee_email)
    skipped, fresh = [], []
    for target, user_id in targets:
        if user_id in members:
            skipped.append(Outcome(target=target, status="already_member", user_id=user_id))
        elif (user_id or target) in invited:
            skipped.append(Outcome(target=target, status="already_invited", user_id=user_id))
        else:
            fresh.append((target, user_id))
    return skipped, fresh


def resolve_targets(user_ids, emails, directory: Directory):
    """Turn emails into Slack users where the workspace has one (outside any transaction)."""
    outcomes: list[Outcome] = []
    by_user: list[tuple[str, str]] = [(u, u) for u in dict.fromkeys(user_ids)]
    waiting: list[str] = []
    for raw in dict.fromkeys(emails):
        address, reason = normalize_email(raw)
        if address is None:
            outcomes.append(Outcome(target=raw, status="invalid_email", reason=reason))
            continue
        user_id = directory.user_for_email(address)
        if user_id is None:
            waiting.append(address)
        elif user_id not in dict(by_user).values():
            by_user.append((address, user_id))
    return outcomes, by_user, waiting
