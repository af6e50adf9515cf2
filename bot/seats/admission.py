"""The one step that admits a person into a seat, for every way in: an accepted
invitation, a link join, an approved request."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from bot.errors import NoSeatsLeft
from bot.links.cards import refresh_cards
from bot.seats.use import claim_seats, lock_team, tell_owners_turned_away
from bot.teams.membership import admit
from storage.db import db
from storage.models import Team


class SeatAdmission:
    """Admits people into one root team's seats, inside `seat_admission`."""

    def __init__(self, team: Team, now: datetime):
        self.team = team
        self.now = now

    def admit(
        self,
        *,
        user_id: str,
        roles: list[str],
        via: str,
        added_by: str | None,
        ends_at: datetime | None = None,
    ) -> bool:
        """Claim a seat (refused with NoSeatsLeft), then make them a member until `ends_at`
        (None: permanent); False when they were one already (their roles are merged)."""
        claim_seats(self.team, 1, self.now)
        joined = admit(
            team=self.team,
            user_id=user_id,
            roles=roles,
            now=self.now,
            via=via,
            added_by=added_by,
            ends_at=ends_at,
        )
        refresh_cards(self.team, self.now)
        return joined


@contextmanager
def seat_admission(team: Team, now: datetime) -> Iterator[SeatAdmission]:
    """Everything done inside (closing an invitation, deciding a request, admitting) is
    one savepoint, under the team's lock. When no seat is free it is all undone, the
    Owners are told (once per seat count), the join cards are re-rendered, and
    NoSeatsLeft goes on up."""
    try:
        with db.atomic():
            lock_team(team)  # first, as every path that counts seats does
            yield SeatAdmission(team, now)
    except NoSeatsLeft as refusal:
        with db.atomic():
            tell_owners_turned_away(team, refusal, now)
            refresh_cards(team, now)
        raise
