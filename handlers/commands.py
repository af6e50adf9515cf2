"""The /invite (and /lobby) slash command: ack at once, then run the parsed command."""

from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.errors import LobbyError, NotAllowed
from bot.service import Lobby
from handlers import blocks, replies
from handlers import command_language as cl
from handlers.context import Request, actor_of
from handlers.errors import report, report_slack_failure
from handlers.mrkdwn import escape

COMMAND_NAMES = ("/invite", "/lobby")
RUNNERS: dict[type, Callable[[Request, cl.Command], dict | None]] = {}


def runs(command_type: type):
    def decorate(function):
        RUNNERS[command_type] = function
        return function

    return decorate


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
        )
        try:
            reply = RUNNERS.get(type(parsed), _not_available_yet)(request, parsed)
        except LobbyError as error:
            report(respond, error)
            return
        except SlackApiError as error:
            report_slack_failure(respond, error)
            return
        if reply is not None:
            respond(response_type="ephemeral", **reply)

    for name in COMMAND_NAMES:
        app.command(name)(ack=acknowledge, lazy=[run])


def _not_available_yet(request: Request, command: cl.Command) -> dict:
    return replies.not_available_yet(type(command).__name__)


@runs(cl.Help)
def _help(request: Request, command: cl.Help) -> dict:
    return replies.help_message(request.command_name)


@runs(cl.OpenInviteModal)
def _open_invite_modal(request: Request, command: cl.OpenInviteModal) -> None:
    options = request.lobby.invitations.options(actor=request.actor)
    if not options:
        raise NotAllowed(action="invite")
    first = options[0]
    view = blocks.invite_modal(
        teams=[option.team for option in options],
        roles=first.roles,
        default_role=first.default_role,
    )
    request.client.views_open(trigger_id=request.trigger_id, view=view)


@runs(cl.CreateTeam)
def _create_team(request: Request, command: cl.CreateTeam) -> dict:
    if command.parent:
        return replies.not_available_yet("team create … parent")
    team = request.lobby.teams.create(
        actor=request.actor, name=command.name, directory=request.directory
    )
    return replies.team_created(team.name)


@runs(cl.LinkTeam)
def _link_team(request: Request, command: cl.LinkTeam) -> dict:
    result = request.lobby.teams.link(
        actor=request.actor,
        team_name=command.team,
        channels=list(command.channels),
        usergroups=list(command.usergroups),
        directory=request.directory,
    )
    return replies.link_result(result)


@runs(cl.ListTeams)
def _list_teams(request: Request, command: cl.ListTeams) -> dict:
    return replies.teams_list(request.lobby.teams.list(actor=request.actor))


@runs(cl.Members)
def _members(request: Request, command: cl.Members) -> dict:
    team, members = request.lobby.teams.members(actor=request.actor, team_name=command.team)
    return replies.members_list(team.name, members)


@runs(cl.Invite)
def _invite(request: Request, command: cl.Invite) -> dict:
    user_ids = [t.user_id for t in command.targets if isinstance(t, cl.UserTarget) and t.user_id]
    unknown = [t.name for t in command.targets if isinstance(t, cl.UserTarget) and not t.user_id]
    emails = [t.address for t in command.targets if isinstance(t, cl.EmailTarget)]
    if unknown and not user_ids and not emails:
        return replies.unknown_people(unknown)
    result = request.lobby.invitations.invite(
        actor=request.actor,
        team_name=command.team,
        user_ids=user_ids,
        emails=emails,
        roles=list(command.roles),
        message=command.message,
        directory=request.directory,
    )
    return replies.invite_summary(result, unknown_names=unknown)
