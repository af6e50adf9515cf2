"""Answering the person who acted, where they acted.

Work after the ack runs in the worker, whose `respond` is durable: the answer commits
with the run and goes to the response_url, or where the click was made when Slack gave
none (the App Home, a modal): see handlers/delivery/replies.py and
handlers/slack/in_place.py. Exceptions there never reach @app.error, so refusals are
answered here.
"""

import logging

from slack_sdk.errors import SlackApiError

from bot.errors import LobbyError
from handlers.blocks import waitlist
from handlers.blocks.refusals import SLACK_FAILED, describe, slack_failure_code

log = logging.getLogger(__name__)


def answer(respond, reply: dict | None) -> None:
    if reply is not None:
        respond(replace_original=False, response_type="ephemeral", **reply)


def answer_refusal(respond, error: LobbyError | SlackApiError) -> None:
    """Tell the person why nothing happened: a domain refusal, or a failed Slack read;
    a link join refused for seats offers the waitlist."""
    text = refusal_text(error)
    team_id = getattr(error, "waitlist_team_id", None)
    answer(respond, waitlist.offer(text, team_id) if team_id else {"text": text})


def refusal_text(error: LobbyError | SlackApiError) -> str:
    if isinstance(error, SlackApiError):
        log.warning("Slack call failed during a request: %s", error.response.get("error"))
        return SLACK_FAILED.format(error=slack_failure_code(error))
    return describe(error)
