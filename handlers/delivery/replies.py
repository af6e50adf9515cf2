"""Deliver a run's reply where the person acted: its response_url; for a click without
one, their App Home or the modal they clicked in; a new DM only for a modal's submission."""

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.access import Actor
from handlers.delivery.registry import Delivery, delivers
from handlers.intake.runs import Reply
from handlers.slack.in_place import update_show_all

log = logging.getLogger(__name__)
# What only a response_url understands; a message posted otherwise goes without them.
RESPONSE_ONLY = ("response_type", "replace_original", "delete_original")


class ResponseUrlFailed(Exception):
    """Slack's side of a response_url failed for now (5xx): the outbox tries again."""


@delivers(Reply)
def _reply(delivery: Delivery, notice: Reply) -> None:
    if notice.response_url:
        response = WebhookClient(notice.response_url).send_dict(notice.message)
        if response.status_code < 400:
            return
        if response.status_code >= 500:
            raise ResponseUrlFailed(f"{response.status_code} {response.body}")
        # Expired or used up (30 minutes, 5 posts): answered in place another way.
    message = {k: v for k, v in notice.message.items() if k not in RESPONSE_ONLY}
    if notice.in_home:
        delivery.refresh_home(notice.user, note=message.get("text"))
    elif notice.view_id:
        _update_modal(delivery, notice, message.get("text") or "")
    elif notice.channel and notice.clicked:
        _ephemeral(delivery, notice.channel, notice.user, message)
    elif not notice.clicked:
        delivery.post(notice.user, message)  # a modal's submission has nowhere else to go


def _ephemeral(delivery: Delivery, channel: str, user: str, message: dict) -> None:
    try:
        delivery.client.chat_postEphemeral(channel=channel, user=user, **message)
    except SlackApiError as error:  # the person left the channel: nothing to answer in
        log.warning("could not answer a click in %s: %s", channel, error.response.get("error"))


def _update_modal(delivery: Delivery, notice: Reply, text: str) -> None:
    actor = Actor(workspace_id=delivery.workspace_id, user_id=notice.user)
    update_show_all(
        delivery.client, actor, notice.view_id, notice.view_metadata, text, delivery.now
    )
