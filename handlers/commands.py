"""The /invite (and /lobby) slash command: ack at once, then run the parsed command."""

from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.errors import BotNotInChannel, LobbyError, NotAllowed
from bot.links import Joined
from bot.service import Lobby
from handlers import blocks, replies
from handlers import command_language as cl
from handlers import mrkdwn as md
from handlers.context import Request, actor_of
from handlers.errors import report, report_slack_failure
from handlers.events import offer_waiting_invitations
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
            channel_id=command.get("channel_id"),
        )
        try:
            offer_waiting_invitations(lobby, request.actor, request.directory)
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
        teams = request.lobby.requests.requestable_teams(actor=request.actor)
        if not teams:
            raise NotAllowed(action="invite")
        request.client.views_open(trigger_id=request.trigger_id, view=blocks.request_modal(teams))
        return None
    first = options[0]
    view = blocks.invite_modal(
        teams=[option.team for option in options],
        roles=first.roles,
        default_role=first.default_role,
        seat_lines=[
            f"{md.team(o.team)} · "
            + blocks.seat_line(o.seats.members, o.seats.pending_invitations, o.seats.limit)
            for o in options
        ],
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


@runs(cl.ListInvitations)
def _list_invitations(request: Request, command: cl.ListInvitations) -> dict:
    page = request.lobby.invitation_admin.list(
        actor=request.actor, team_name=command.team, status=command.status
    )
    return blocks.invitations_page(page)


@runs(cl.ShowLink)
def _show_link(request: Request, command: cl.ShowLink) -> dict:
    info = request.lobby.links.show(actor=request.actor, team_name=command.team)
    return replies.link_info(info, permalink_of(request.client, info.latest_card))


@runs(cl.ResetLink)
def _reset_link(request: Request, command: cl.ResetLink) -> dict:
    info = request.lobby.links.reset(actor=request.actor, team_name=command.team)
    return replies.link_reset(info, permalink_of(request.client, info.latest_card))


@runs(cl.LimitLink)
def _limit_link(request: Request, command: cl.LimitLink) -> dict:
    info = request.lobby.links.limit(
        actor=request.actor,
        team_name=command.team,
        max_uses=command.max_uses,
        expires_days=command.expires_days,
        never_expires=command.never_expires,
    )
    return replies.link_info(info, permalink_of(request.client, info.latest_card))


@runs(cl.PostCard)
def _post_card(request: Request, command: cl.PostCard) -> dict:
    card = request.lobby.links.card(actor=request.actor, team_name=command.team)
    try:
        posted = request.client.chat_postMessage(
            channel=request.channel_id, **blocks.join_card(card)
        )
    except SlackApiError as error:
        if error.response.get("error") in ("not_in_channel", "channel_not_found"):
            raise BotNotInChannel() from error
        raise
    request.lobby.links.remember_card(
        actor=request.actor, team_id=card.team_id, channel=posted["channel"], ts=posted["ts"]
    )
    return replies.card_posted(card.team)


@runs(cl.JoinWithCode)
def _join_with_code(request: Request, command: cl.JoinWithCode) -> dict:
    invitation = request.lobby.invitations.accept_code(actor=request.actor, code=command.code)
    if invitation is not None:
        return replies.joined(Joined(team=invitation.team.name, roles=invitation.role_names))
    joined = request.lobby.links.join_with_code(actor=request.actor, code=command.code)
    return replies.request_sent(joined.team) if joined.requested else replies.joined(joined)


def permalink_of(client, card: tuple[str, str] | None) -> str | None:
    """The team's link: the permalink of its newest join card (a Slack read)."""
    if card is None:
        return None
    channel, ts = card
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        return None


@runs(cl.RequestToJoin)
def _request_to_join(request: Request, command: cl.RequestToJoin) -> dict:
    asked = request.lobby.requests.ask_in_words(actor=request.actor, text=command.text)
    return replies.request_sent(asked.team.name)


@runs(cl.ListRequests)
def _list_requests(request: Request, command: cl.ListRequests) -> dict:
    pending = request.lobby.requests.pending(actor=request.actor, team_name=command.team)
    return replies.pending_requests(pending)


@runs(cl.Seats)
def _seats(request: Request, command: cl.Seats) -> dict:
    if command.limit is None:
        return replies.seats(request.lobby.seats.show(actor=request.actor, team_name=command.team))
    use = request.lobby.seats.set_limit(
        actor=request.actor,
        team_name=command.team,
        plan=command.limit.plan,
        seats=command.limit.seats,
    )
    return replies.seats(use)
