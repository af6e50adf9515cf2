"""One way to tell a person that their request was refused."""

import logging

from slack_sdk.errors import SlackApiError

from bot.errors import LobbyError
from handlers.blocks.refusals import SLACK_FAILED, describe, slack_failure_code

log = logging.getLogger(__name__)


def report(respond, error: LobbyError) -> None:
    """Lazy listeners' errors never reach @app.error, so they report through here."""
    respond(response_type="ephemeral", replace_original=False, text=describe(error))


def report_slack_failure(respond, error: SlackApiError) -> None:
    """A Slack read failed before any change was made: say so instead of going silent."""
    log.warning("Slack call failed during a request: %s", error.response.get("error"))
    text = SLACK_FAILED.format(error=slack_failure_code(error))
    respond(response_type="ephemeral", replace_original=False, text=text)


def register(app) -> None:
    @app.error
    def on_error(error, body, respond, logger):
        if isinstance(error, LobbyError) and respond is not None:
            report(respond, error)
            return
        logger.exception("Unhandled error for %s", body.get("type") or "command")
