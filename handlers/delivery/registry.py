"""The deliverer registry and the `Delivery` every deliverer is given.

Deliverers register with `@delivers(NoticeType)`; `handlers.delivery` imports every
sender module, so `deliver` knows them all once the package is loaded.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.access import Actor
from bot.home.refresh import queue_homes, unqueue_home
from bot.outbox import claims as outbox
from bot.outbox import notices as n
from handlers.blocks import common
from handlers.delivery.mailer import Mailer
from handlers.slack.in_place import publish_home

DELIVERERS: dict[type, Callable] = {}
NOTICE_EVENT = "lobby_notice"
HISTORY_SEARCHED = 50  # a retry follows the lost attempt closely; it is among the newest


def delivers(notice_type: type):
    def decorate(function):
        DELIVERERS[notice_type] = function
        return function

    return decorate


@dataclass
class BatchHomes:
    """One workspace's Homes in the batch under way. Home publishes come last in a batch:
    a refresh asked for one of `claimed` is covered by it, and one published with an
    answer (`answered`) is not published over by a claimed one."""

    claimed: set[str]
    answered: set[str] = field(default_factory=set)


class Delivery:
    """What a deliverer needs besides the notice: the Slack client and a way to remember posts."""

    def __init__(
        self,
        client: WebClient,
        workspace_id: str,
        now: datetime,
        *,
        notice_id: int = 0,
        retrying: bool = False,
        mailer: Mailer | None = None,
        join_url: str | None = None,
        homes: "BatchHomes | None" = None,
    ):
        self.client = client
        self.homes = homes or BatchHomes(claimed=set())
        self.workspace_id = workspace_id
        self.now = now
        self.notice_id = notice_id
        self.retrying = retrying
        self.mailer = mailer
        self.join_url = join_url

    def post(self, channel: str, message: dict, subject: str | None = None) -> dict:
        """Post once: every post carries its notice's id as message metadata, and a retry
        into a DM first looks for a post an earlier, interrupted attempt already made.

        Lobby does not read channels (no channels:history or groups:history), so a retry
        into a channel (a team's notification channel) posts again: a crash between
        Slack's answer and the outbox's "sent" mark can repeat that one post."""
        response = self._posted_before(channel) if self.retrying and is_dm(channel) else None
        if response is None:
            metadata = {"event_type": NOTICE_EVENT, "event_payload": {"notice": self.notice_id}}
            response = self.client.chat_postMessage(channel=channel, metadata=metadata, **message)
        if subject:
            outbox.remember_message(
                self.workspace_id, subject, response["channel"], response["ts"], self.now
            )
        return response

    def _posted_before(self, channel: str) -> dict | None:
        """The message this notice already posted to a user's DM, if an earlier attempt
        got through (read with im:history, the DM's own history)."""
        if channel.startswith(("U", "W")):
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        history = self.client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_SEARCHED
        )
        for message in history["messages"]:
            payload = message.get("metadata", {}).get("event_payload", {})
            if payload.get("notice") == self.notice_id:
                return {"channel": channel, "ts": message["ts"]}
        return None

    def refresh_home(self, user_id: str, note: str | None = None) -> None:
        """Re-publish someone's App Home after a change that concerns them: queued, once
        per person, after the notices people wait for. A `note` (the answer to a click
        made in the Home) is shown at its top at once, with the Home as it is now."""
        if not user_id.startswith(("U", "W")):  # a channel has no Home
            return
        if note is None:
            if user_id not in self.homes.claimed:
                queue_homes(self.workspace_id, [user_id], self.now)
            return
        unqueue_home(self.workspace_id, user_id)  # this publish shows the latest state
        actor = Actor(workspace_id=self.workspace_id, user_id=user_id)
        publish_home(self.client, actor, self.now, note=note)
        self.homes.answered.add(user_id)

    def granted(self, user_id: str, kind: str, resource_id: str) -> None:
        outbox.record_grant(self.workspace_id, user_id, kind, resource_id, self.now)

    def revoked(self, user_id: str, kind: str, resource_id: str) -> None:
        outbox.drop_grant(self.workspace_id, user_id, kind, resource_id)

    def update_all(self, subject: str, message: dict) -> None:
        """Update every message remembered for `subject` (e.g. each copy of a request)."""
        for channel, ts in outbox.messages_about(subject):
            self.client.chat_update(channel=channel, ts=ts, **message)

    def record_refusal(self, team: str, action: str, user_id: str, resource: str, code: str):
        """Slack refused a sync step: kept in the team's audit trail."""
        outbox.record_sync_refusal(
            self.workspace_id, team, action, user_id, resource, code, self.now
        )

    def tell_admins(self, admins: list[str], text: str) -> None:
        for admin in admins:
            self.post(admin, common.message(text))


def is_dm(channel: str) -> bool:
    """A user id (posting to it opens the DM) or a DM's own id."""
    return channel.startswith(("U", "W", "D"))


def deliver(delivery: Delivery, notice: n.Notice) -> None:
    DELIVERERS[type(notice)](delivery, notice)
