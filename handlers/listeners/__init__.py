"""Slack's listeners by kind, as in Bolt's starter template; each module has `register`."""

from bot.service import Lobby
from handlers.listeners import actions, commands, errors, events, home, views, workspace


def register_all(app, lobby: Lobby, *, installed_team_id: str) -> None:
    """The workspace check first, so no listener sees a request from another workspace."""
    workspace.register(app, installed_team_id)
    errors.register(app)
    commands.register(app, lobby)
    actions.register(app, lobby)
    views.register(app, lobby)
    events.register(app, lobby)
    home.register(app, lobby)
