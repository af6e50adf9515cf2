"""One way to tell a person that their request was refused."""

import logging

from bot.errors import LobbyError
from handlers.error_texts import describe

log = logging.getLogger(__name__)


def refusal(error: LobbyError) -> dict:
    text = describe(error)
    return {"response_type": "ephemeral", "replace_original": False, "text": text}


def report(respond, error: LobbyError) -> None:
    """Lazy listeners' errors never reach @app.error, so they report through here."""
    respond(**refusal(error))


def register(app) -> None:
    @app.error
    def on_error(error, body, respond, logger):
        if isinstance(error, LobbyError) and respond is not None:
            report(respond, error)
            return
        logger.exception("Unhandled error for %s", body.get("type") or "command")
