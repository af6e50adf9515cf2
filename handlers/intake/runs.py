"""What a worker runs for each kind of acknowledged request, and what a run may use.

A run function asks for Bolt's listener arguments by name (`body`, `command`, `view`,
`event`, `action`, `context`, `client`, `respond`), as a Bolt listener does, so a
listener's work moves to the worker unchanged. Its `respond` is durable: the answer
is recorded as a notice in the run's transaction and sent by the outbox.
"""

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from slack_sdk import WebClient

from bot.outbox import notices
from bot.service import Lobby

RUNS: dict[str, Callable[..., None]] = {}
log = logging.getLogger(__name__)


def runs(name: str):
    """Register the function a worker runs for intake items recorded under `name`."""

    def register(function):
        RUNS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Reply(notices.Notice):
    """Answer the person where they acted: the response_url of their command or click;
    for a click without one, in place (their App Home, the modal they clicked in); by DM
    only for a modal's submission. `message` is what Bolt's `respond` takes (text, blocks,
    response_type, replace_original)."""

    kind: ClassVar[str] = "reply"
    secret_fields: ClassVar[tuple[str, ...]] = ("response_url",)
    user: str
    message: dict
    response_url: str | None = None
    clicked: bool = False  # a button: never answered by a new DM
    channel: str | None = None  # where the command or clicked message is (ephemeral fallback)
    in_home: bool = False  # clicked in the App Home: shown at the top of the republished Home
    view_id: str | None = None  # clicked in a modal: the modal is updated
    view_metadata: str | None = None


def where_acted(payload: dict) -> dict:
    """Where a command or click was made, so its answer goes there."""
    if payload.get("type") != "block_actions":
        return {"channel": payload.get("channel_id")}
    view = payload.get("view") or {}
    where = {"clicked": True, "channel": (payload.get("channel") or {}).get("id")}
    if view.get("type") == "home":
        where["in_home"] = True
    elif view.get("type") == "modal":
        where.update(view_id=view.get("id"), view_metadata=view.get("private_metadata"))
    return where


@dataclass(frozen=True)
class RunContext:
    """The parts of Bolt's `context` that listeners read."""

    team_id: str
    user_id: str


@dataclass
class Run:
    """One acknowledged request, being run inside one transaction."""

    payload: dict
    workspace_id: str
    user_id: str
    lobby: Lobby
    client: WebClient
    now: datetime

    def respond(self, **message) -> None:
        """Recorded now, delivered after the run commits."""
        self.record_reply(message)

    def record_reply(self, message: dict) -> None:
        reply = Reply(
            user=self.user_id,
            message=message,
            response_url=self.response_url,
            **where_acted(self.payload),
        )
        notices.record(self.workspace_id, reply, self.now)

    @property
    def response_url(self) -> str | None:
        return self.payload.get("response_url")

    def call(self, function: Callable[..., None]) -> None:
        """Call a listener-style function with the arguments it names."""
        available = {
            "body": self.payload,
            "command": self.payload,
            "view": self.payload.get("view"),
            "event": self.payload.get("event"),
            "action": (self.payload.get("actions") or [None])[0],
            "context": RunContext(team_id=self.workspace_id, user_id=self.user_id),
            "client": self.client,
            "respond": self.respond,
            "logger": log,
        }
        wanted = inspect.signature(function).parameters
        function(**{name: available[name] for name in wanted})
