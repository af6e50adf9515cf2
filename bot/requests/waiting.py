"""Requests (join or role) that have waited over a day: what the daily reminders list."""

from datetime import datetime, timedelta

from storage.installations import Departure

REMIND_AFTER = timedelta(days=1)


def waiting_by_team(model, now: datetime) -> list[list]:
    """Open requests of `model` older than a day, in workspaces that still have the app,
    one list per team, oldest first."""
    waiting = (
        model.open(now)
        .where(model.created_at <= now - REMIND_AFTER)
        .where(Departure.still_here(model.workspace_id))
        .order_by(model.team, model.created_at)
    )
    by_team: dict[int, list] = {}
    for request in waiting:
        by_team.setdefault(request.team_id, []).append(request)
    return list(by_team.values())
