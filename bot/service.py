"""The invitation service: one object the handlers and jobs talk to."""

from bot.clock import Clock, SystemClock
from bot.invitations import Invitations
from bot.team_settings import TeamSettings
from bot.teams import Teams


class Lobby:
    """Groups the service areas; each area's methods take keyword-only arguments."""

    def __init__(self, *, clock: Clock | None = None, defaults: TeamSettings | None = None):
        self.clock = clock or SystemClock()
        self.teams = Teams(clock=self.clock, defaults=defaults or TeamSettings())
        self.invitations = Invitations(clock=self.clock)
