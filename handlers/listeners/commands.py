"""The /invite (and /lobby) slash command: ack at once, then run the parsed command."""

from slack_sdk.errors import SlackApiError

from bot.errors import LobbyError
from bot.service import Lobby
from handlers import command_language as cl
from handlers.blocks.mrkdwn import escape
from handlers.listeners.answers import answer_refusal
from handlers.listeners.events import offer_waiting_invitations
from handlers.listeners.runners import RUNNERS
from handlers.slack.context import Request, actor_of

COMMAND_NAMES = ("/invite", "/lobby")


def register(app, lobby: Lobby) -> None:
    def acknowledge(ack, command):
        """Answer Slack within its 3 seconds: a parse error now, everything else after."""
        try:
            cl.parse(command.get("text", ""))
        except cl.CommandError as error:
            ack(response_type="ephemeral", text=escape(error.message))
            return
        ack()

    def run(command, context, client, respond):
        try:
            parsed = cl.parse(command.get("text", ""))
        except cl.CommandError:
            return  # already answered by acknowledge
        request = Request(
            lobby=lobby,
            actor=actor_of(context, command["user_id"]),
            client=client,
            trigger_id=command.get("trigger_id"),
            command_name=command["command"],
            channel_id=command.get("channel_id"),
        )
        try:
            offer_waiting_invitations(lobby, request.actor, request.directory)
            reply = RUNNERS[type(parsed)](request, parsed)
        except (LobbyError, SlackApiError) as error:
            answer_refusal(command, respond, client, error)
            return
        if reply is not None:
            respond(response_type="ephemeral", **reply)

    for name in COMMAND_NAMES:
        app.command(name)(ack=acknowledge, lazy=[run])
