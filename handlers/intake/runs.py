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
    """Answer the person where they acted: the response_url of their command or click,
    or by DM when there is none (a modal, the App Home). `message` is what Bolt's
    `respond` takes (text, blocks, response_type, replace_original)."""

    kind: ClassVar[str] = "reply"
    secret_fields: ClassVar[tuple[str, ...]] = ("response_url",)
    user: str
    message: dict
    response_url: str | None = None


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
        reply = Reply(user=self.user_id, message=message, response_url=self.response_url)
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
