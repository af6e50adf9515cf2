"""`stats [TEAM]`: a root team's invite analytics over the last 30 days, for its admins."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.access import Actor, require, resolve_team
from bot.clock import Clock
from bot.roles.permissions import Action
from bot.stats import figures
from bot.teams.membership import root_of

WINDOW = timedelta(days=30)
TOP_INVITERS = 5


@dataclass(frozen=True)
class TopInviter:
    user_id: str
    accepted: int


@dataclass(frozen=True)
class TeamStats:
    """What `stats` shows. Invitation and request figures are about those sent or made
    in the window (so accepted ≤ sent); joins are those that happened in it."""

    team: str
    asked_for: str  # the team named, which may be a sub-team of `team`
    since: datetime  # the window is (since, now]
    joins: dict[str, int]  # by path: invitation, link, request
    sent: int
    accepted: int
    expired: int
    median_to_accept: timedelta | None
    median_to_decide: timedelta | None
    link_reset_at: datetime | None  # when the current code was made; None: no code
    link_joins: int  # joins with the current code
    top_inviters: list[TopInviter]

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted ÷ sent; None when none was sent."""
        return self.accepted / self.sent if self.sent else None


class Stats:
    def __init__(self, *, clock: Clock):
        self.clock = clock

    def show(self, *, actor: Actor, team_name: str | None) -> TeamStats:
        """The figures of the root team (a sub-team's members are its root's)."""
        named = resolve_team(actor.workspace_id, team_name)
        team = root_of(named)
        require(actor, team, Action.VIEW_STATS)
        now = self.clock.now()
        since = now - WINDOW
        sent, accepted, expired = figures.invitation_outcomes(team, since, now)
        reset_at, link_joins = figures.link_joins_since_reset(team)
        return TeamStats(
            team=team.name,
            asked_for=named.name,
            since=since,
            joins=figures.joins_by_path(team, since),
            sent=sent,
            accepted=accepted,
            expired=expired,
            median_to_accept=figures.median_time_to_accept(team, since),
            median_to_decide=figures.median_time_to_decide(team, since),
            link_reset_at=reset_at,
            link_joins=link_joins,
            top_inviters=[
                TopInviter(user_id, count)
                for user_id, count in figures.top_inviters(team, since, TOP_INVITERS)
            ],
        )
