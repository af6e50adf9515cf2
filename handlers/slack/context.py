"""What a listener hands to the code that answers one person's request."""

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.access import Actor
from bot.service import Lobby
from handlers.slack.directory import SlackDirectory


@dataclass
class Request:
    lobby: Lobby
    actor: Actor
    client: WebClient
    trigger_id: str | None = None
    command_name: str = "/invite"
    channel_id: str | None = None

    @property
    def directory(self) -> SlackDirectory:
        return SlackDirectory(self.client)


def actor_of(context, user_id: str) -> Actor:
    return Actor(workspace_id=context.team_id, user_id=user_id)
