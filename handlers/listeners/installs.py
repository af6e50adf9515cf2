"""The distributable app: a workspace that uninstalls Lobby, or revokes its bot token,
loses its installation at once (Slack sends no more requests that Bolt could authorize),
its pending notices are dropped and audited, and its data waits out the retention.

Done before the ack, not through the intake: with process_before_response a failure
answers Slack with an error, and Slack sends the event again."""

from bot.service import Lobby
from bot.workspaces import depart
from storage.db import db


def register(app, lobby: Lobby, store) -> None:
    @app.event("app_uninstalled")
    def on_app_uninstalled(context):
        store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        _depart(lobby, context.team_id)

    @app.event("tokens_revoked")
    def on_tokens_revoked(event, context):
        tokens = event.get("tokens", {})
        for user_id in tokens.get("oauth") or []:
            store.delete_installation(
                enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user_id
            )
        if tokens.get("bot"):
            store.delete_bot(enterprise_id=context.enterprise_id, team_id=context.team_id)
            _depart(lobby, context.team_id)


def _depart(lobby: Lobby, workspace_id: str) -> None:
    with db.connection_context():
        depart(workspace_id, lobby.clock.now())
