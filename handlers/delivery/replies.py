"""Deliver a run's reply where the person acted: its response_url, or else a DM."""

from slack_sdk.webhook import WebhookClient

from handlers.delivery.registry import Delivery, delivers
from handlers.intake.runs import Reply

# What only a response_url understands; a DM is posted without them.
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
        # Expired or used up (30 minutes, 5 posts): the person still gets the answer.
    message = {k: v for k, v in notice.message.items() if k not in RESPONSE_ONLY}
    delivery.post(notice.user, message)
