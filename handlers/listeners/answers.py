"""Answering the person who acted, where they acted, for work done after the ack.

Exceptions in lazy listeners never reach @app.error (Bolt only logs them), so that work
reports its refusals itself, through `answer_refusal`.
"""

import logging

from slack_sdk.errors import SlackApiError

from bot.errors import LobbyError
from handlers.blocks.refusals import SLACK_FAILED, describe, slack_failure_code

log = logging.getLogger(__name__)


def answer(body: dict, respond, client, reply: dict | None) -> None:
    """Answer in the conversation (response_url) when there is one; clicks in the App Home
    or a modal and modal submissions have none, so they are answered by DM."""
    if reply is None:
        return
    if body.get("response_url"):
        respond(replace_original=False, response_type="ephemeral", **reply)
    else:
        client.chat_postMessage(channel=person_of(body), **reply)


def answer_refusal(body: dict, respond, client, error: LobbyError | SlackApiError) -> None:
    """Tell the person why nothing happened: a domain refusal, or a failed Slack read."""
    answer(body, respond, client, {"text": refusal_text(error)})


def refusal_text(error: LobbyError | SlackApiError) -> str:
    if isinstance(error, SlackApiError):
        log.warning("Slack call failed during a request: %s", error.response.get("error"))
        return SLACK_FAILED.format(error=slack_failure_code(error))
    return describe(error)


def person_of(body: dict) -> str:
    """Who acted: interactions carry `user`, slash commands `user_id`."""
    return body["user"]["id"] if "user" in body else body["user_id"]
