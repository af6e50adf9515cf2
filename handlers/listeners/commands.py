"""The /invite (and /lobby) slash command: parse, record, ack; the worker runs it."""

from slack_sdk.errors import SlackApiError

from bot.errors import LobbyError
from bot.service import Lobby
from handlers import command_language as cl
from handlers.blocks.mrkdwn import escape
from handlers.intake.listen import Handoff
from handlers.intake.runs import runs
from handlers.listeners.answers import answer_refusal
from handlers.listeners.events import offer_waiting_invitations
from handlers.listeners.runners import RUNNERS
from handlers.slack.context import Request, actor_of

COMMAND_NAMES = ("/invite", "/lobby")
# They open a modal from the command's trigger_id, which lives 3 seconds: run at once.
OPENS_A_MODAL = (cl.OpenInviteModal, cl.Settings)


def register(app, lobby: Lobby, handoff: Handoff) -> None:
    def acknowledge(ack, command, context, client, respond):
        """Answer a malformed command at once; record the rest before the ack."""
        try:
            parsed = cl.parse(command.get("text", ""))
        except cl.CommandError as error:
            ack(response_type="ephemeral", text=escape(error.message))
            return
        if isinstance(parsed, OPENS_A_MODAL):
            ack()
            handoff.now(run_parsed, lobby, parsed, command, context, client, respond)
            return
        person = command["user_id"]
        refusal = handoff.take("command", command, workspace_id=context.team_id, person=person)
        if refusal:
            ack(response_type="ephemeral", text=refusal)
        else:
            ack()

    for name in COMMAND_NAMES:
        app.command(name)(acknowledge)


def register_runs(lobby: Lobby) -> None:
    @runs("command")
    def run(command, context, client, respond):
        parsed = cl.parse(command.get("text", ""))
        run_parsed(lobby, parsed, command, context, client, respond, first_use=True)


def run_parsed(lobby, parsed, command, context, client, respond, first_use=False) -> None:
    """Run a parsed command: in the worker, or at once when it opens a modal."""
    request = Request(
        lobby=lobby,
        actor=actor_of(context, command["user_id"]),
        client=client,
        trigger_id=command.get("trigger_id"),
        command_name=command["command"],
        channel_id=command.get("channel_id"),
    )
    try:
        if first_use:
            offer_waiting_invitations(lobby, request.actor, request.directory)
        reply = RUNNERS[type(parsed)](request, parsed)
    except (LobbyError, SlackApiError) as error:
        answer_refusal(respond, error)
        return
    if reply is not None:
        respond(response_type="ephemeral", **reply)
