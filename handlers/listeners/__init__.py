"""Slack's listeners by kind, as in Bolt's starter template; each module has `register`.

A listener records the request in the intake and acks; the run it registers does the
work in the worker (handlers/intake). Only what must happen within Slack's 3 seconds,
opening a modal, is done at once in the process that acked.
"""

from bot.service import Lobby
from handlers.intake.listen import Handoff
from handlers.listeners import actions, commands, errors, events, home, views, workspace


def register_all(app, lobby: Lobby, handoff: Handoff, *, installed_team_id: str | None) -> None:
    """The workspace check first, so no listener sees a request from another workspace.
    Installed in many workspaces (no `installed_team_id`), Bolt's authorization does it:
    a request is served only with its own workspace's installation."""
    if installed_team_id is not None:
        workspace.register(app, installed_team_id)
    errors.register(app)
    commands.register(app, lobby, handoff)
    actions.register(app, lobby, handoff)
    views.register(app, lobby, handoff)
    events.register(app, lobby, handoff)
    home.register(app, lobby, handoff)


def register_runs(lobby: Lobby) -> None:
    """What the worker runs for each kind of recorded request."""
    for listeners in (commands, actions, views, events, home):
        listeners.register_runs(lobby)
