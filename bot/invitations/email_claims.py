"""Email invitations waiting for a Slack account: offered the moment that person appears."""

from datetime import datetime

from peewee import IntegrityError

from bot import audit
from bot.access import Actor
from bot.clock import Clock
from bot.invitations.service import announce
from bot.invitations.tokens import normalize_email
from storage.db import db
from storage.models import Invitation, KnownUser


class EmailClaims:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def is_known(self, actor: Actor) -> bool:
        """Whether this user's email was already checked against waiting invitations."""
        return (
            KnownUser.select()
            .where(KnownUser.workspace_id == actor.workspace_id, KnownUser.user_id == actor.user_id)
            .exists()
        )

    def user_appeared(self, *, actor: Actor, email: str | None) -> list[int]:
        """A Slack user joined the workspace or used Lobby for the first time: their waiting
        email invitations become DMs. Returns the ids of the invitations offered."""
        now = self.clock.now()
        address = normalize_email(email)[0] if email else None
        with db.atomic():
            KnownUser.insert(
                workspace_id=actor.workspace_id,
                user_id=actor.user_id,
                email=address,
                checked_at=now,
            ).on_conflict_ignore().execute()
            if address is None:
                return []
            waiting = Invitation.live(now).where(
                Invitation.workspace_id == actor.workspace_id,
                Invitation.invitee_email == address,
                Invitation.invitee_user_id.is_null(),
            )
            return [i.id for i in waiting if self._offer(actor, i, now)]

    def _offer(self, actor: Actor, invitation: Invitation, now: datetime) -> bool:
        try:
            with db.atomic():
                Invitation.update(invitee_user_id=actor.user_id).where(
                    Invitation.id == invitation.id
                ).execute()
        except IntegrityError:  # they already hold a pending invitation to that team
            return False
        invitation.invitee_user_id = actor.user_id
        announce(invitation, "", now, email_enabled=False)
        audit.record(
            workspace_id=actor.workspace_id,
            now=now,
            action="invitation.offered",
            actor=None,
            team=invitation.team,
            target=actor.user_id,
            invitation=invitation.id,
            email=invitation.invitee_email,
        )
        return True
