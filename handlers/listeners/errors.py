"""The one @app.error handler: a domain refusal raised before the ack is answered in place."""

from bot.errors import LobbyError
from handlers.listeners.answers import answer_refusal


def register(app) -> None:
    @app.error
    def on_error(error, body, respond, client, logger):
        if isinstance(error, LobbyError) and respond is not None:
            answer_refusal(respond, error)
            return
        logger.exception("Unhandled error for %s", body.get("type") or "command")
