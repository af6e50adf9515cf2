"""Keep or Remove on a sponsor review: the first click on a row decides it, for every
admin's copy; Remove removes exactly as `remove` does."""

from bot import audit
from bot.access import Actor, require
from bot.clock import Clock
from bot.errors import NotAMember, SponsorReviewGone, SponsorRowDecided
from bot.outbox import notices
from bot.outbox.sponsor_notices import SponsorReviewChanged
from bot.roles.permissions import Action
from bot.seats.use import lock_team
from bot.teams.membership import roles_of
from bot.teams.removal import check_keeps_an_owner, check_may_remove, leave
from bot.teams.sponsors import KEEP, REMOVE, review_subject
from storage.db import db
from storage.models import SponsoredMember


class SponsorDecisions:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def keep(self, *, actor: Actor, row_id: int) -> SponsoredMember:
        """Keep the member: nothing changes but the review, which records who kept them."""
        return self._decide(actor, row_id, KEEP)

    def remove(self, *, actor: Actor, row_id: int) -> SponsoredMember:
        """Remove the member as `remove` does (manage_members, only Owners remove Owners,
        a team keeps an Owner)."""
        return self._decide(actor, row_id, REMOVE)

    def _decide(self, actor: Actor, row_id: int, decision: str) -> SponsoredMember:
        row = SponsoredMember.get_or_none(
            SponsoredMember.id == row_id, SponsoredMember.workspace_id == actor.workspace_id
        )
        if row is None:
            raise SponsorReviewGone()
        review = row.review
        team = review.team
        actor_roles = require(actor, team, Action.MANAGE_MEMBERS)
        now = self.clock.now()
        with db.atomic():
            lock_team(team)
            row = SponsoredMember.get_by_id(row.id)  # re-read under the lock: a click won
            if row.decision is not None:
                raise SponsorRowDecided(
                    user=row.user_id, team=team.name, decision=row.decision, by=row.decided_by
                )
            if decision == REMOVE:
                check_may_remove(team, actor_roles, row.user_id)
                check_keeps_an_owner(team, row.user_id, None)
            elif not roles_of(team, row.user_id):
                raise NotAMember(user=row.user_id, team=team.name)
            SponsoredMember.update(
                decision=decision, decided_by=actor.user_id, decided_at=now
            ).where(SponsoredMember.id == row.id).execute()
            if decision == REMOVE:
                leave(team, row.user_id, now, by=actor.user_id, action="member.removed")
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action=f"sponsor.{'kept' if decision == KEEP else 'removed'}",
                actor=actor.user_id,
                team=team,
                target=row.user_id,
                review=review.id,
                sponsor=review.departed_user_id,
            )
            changed = SponsorReviewChanged(
                review_id=review.id, subject=review_subject(review.departure)
            )
            notices.record(team.workspace_id, changed, now)
        return SponsoredMember.get_by_id(row.id)
