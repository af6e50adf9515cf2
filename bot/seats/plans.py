"""Setting a root team's plan or seat limit (Owners only)."""

from bot import audit
from bot.access import Actor, require, resolve_root_team, resolve_team
from bot.clock import Clock
from bot.home.refresh import refresh_homes
from bot.links.cards import refresh_cards
from bot.roles.permissions import Action
from bot.seats.use import SeatUse, lock_team, seat_use
from bot.seats.waitlist import fill_freed_seats
from storage.db import db
from storage.models import Team


class Seats:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def show(self, *, actor: Actor, team_name: str | None) -> SeatUse:
        team = resolve_team(actor.workspace_id, team_name)
        require(actor, team, Action.VIEW)
        return seat_use(team, self.clock.now())

    def set_limit(
        self, *, actor: Actor, team_name: str | None, plan: str | None, seats: int | None
    ) -> SeatUse:
        """Owners set a plan (starter, professional, enterprise, unlimited) or a number."""
        team = resolve_root_team(actor.workspace_id, team_name)
        require(actor, team, Action.SET_SEATS)
        now = self.clock.now()
        with db.atomic():
            lock_team(team)
            Team.update(plan=plan or "custom", custom_seat_limit=None if plan else seats).where(
                Team.id == team.id
            ).execute()
            audit.record(
                workspace_id=team.workspace_id,
                now=now,
                action="seats.set",
                actor=actor.user_id,
                team=team,
                plan=plan or "custom",
                seats=seats,
            )
            fill_freed_seats(team, now)  # a higher limit frees seats
            refresh_cards(team, now)
            refresh_homes(team, now)
        return seat_use(Team.get_by_id(team.id), now)
