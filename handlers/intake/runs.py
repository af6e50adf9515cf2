"""What a worker runs for each kind of acknowledged request, and what a run may use."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from slack_sdk import WebClient

from bot import notices
from bot.access import Actor
from bot.service import Lobby

RUNS: dict[str, Callable[["Run"], None]] = {}


def runs(name: str):
    """Register the function a worker runs for intake items recorded under `name`."""

    def register(function):
        RUNS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Reply(notices.Notice):
    """Answer the person where they acted: the response_url of their command or click,
    or by DM when there is none (a modal). Sent through the outbox, so a reply commits
    with the run's effects and is sent once."""

    kind: ClassVar[str] = "reply"
    secret_fields: ClassVar[tuple[str, ...]] = ("response_url",)
    user: str
    message: dict
    response_url: str | None = None
    replace_original: bool = False


@dataclass
class Run:
    """One acknowledged request, being run inside one transaction."""

    payload: dict
    workspace_id: str
    user_id: str
    lobby: Lobby
    client: WebClient
    now: datetime

    @property
    def actor(self) -> Actor:
        return Actor(workspace_id=self.workspace_id, user_id=self.user_id)

    def reply(self, message: dict, *, replace_original: bool = False) -> None:
        """Recorded now, delivered after the run commits."""
        reply = Reply(
            user=self.user_id,
            message=message,
            response_url=self.payload.get("response_url"),
            replace_original=replace_original,
        )
        notices.record(self.workspace_id, reply, self.now)
