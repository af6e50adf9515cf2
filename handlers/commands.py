"""The /invite (and /lobby) slash command: ack at once, then run the parsed command."""

from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.errors import BotNotInChannel, LobbyError, NotAllowed, UnknownPerson
from bot.links import Joined
from bot.service import Lobby
from handlers import command_language as cl
from handlers.blocks import audit, invitations, links, requests
from handlers.blocks import help as help_blocks
from handlers.blocks import mrkdwn as md
from handlers.blocks import roles as roles_blocks
from handlers.blocks import seats as seats_blocks
from handlers.blocks import settings as settings_blocks
from handlers.blocks import teams as teams_blocks
from handlers.blocks.mrkdwn import escape
from handlers.context import Request, actor_of
from handlers.errors import report, report_slack_failure
from handlers.events import offer_waiting_invitations

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
            reply = RUNNERS[type(parsed)](request, parsed)
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


@runs(cl.Help)
def _help(request: Request, command: cl.Help) -> dict:
    return help_blocks.help_message(request.command_name)


@runs(cl.OpenInviteModal)
def _open_invite_modal(request: Request, command: cl.OpenInviteModal) -> None:
    options = request.lobby.invitations.options(actor=request.actor)
    if not options:
        teams = request.lobby.requests.requestable_teams(actor=request.actor)
        if not teams:
            raise NotAllowed(action="invite")
        request.client.views_open(trigger_id=request.trigger_id, view=requests.request_modal(teams))
        return None
    first = options[0]
    view = invitations.invite_modal(
        teams=[option.team for option in options],
        roles=first.roles,
        default_role=first.default_role,
        seat_lines=[
            f"{md.team(o.team)} · "
            + seats_blocks.seat_line(o.seats.members, o.seats.pending_invitations, o.seats.limit)
            for o in options
        ],
    )
    request.client.views_open(trigger_id=request.trigger_id, view=view)


@runs(cl.CreateTeam)
def _create_team(request: Request, command: cl.CreateTeam) -> dict:
    if command.parent:
        team = request.lobby.teams.create_sub_team(
            actor=request.actor, name=command.name, parent_name=command.parent
        )
    else:
        team = request.lobby.teams.create(
            actor=request.actor, name=command.name, directory=request.directory
        )
    return teams_blocks.team_created(team.name)


@runs(cl.LinkTeam)
def _link_team(request: Request, command: cl.LinkTeam) -> dict:
    result = request.lobby.teams.link(
        actor=request.actor,
        team_name=command.team,
        channels=list(command.channels),
        usergroups=list(command.usergroups),
        directory=request.directory,
    )
    return teams_blocks.link_result(result)


@runs(cl.ListTeams)
def _list_teams(request: Request, command: cl.ListTeams) -> dict:
    return teams_blocks.teams_list(request.lobby.teams.list(actor=request.actor))


@runs(cl.Members)
def _members(request: Request, command: cl.Members) -> dict:
    team, members = request.lobby.teams.members(actor=request.actor, team_name=command.team)
    return teams_blocks.members_list(team.name, members)


@runs(cl.Invite)
def _invite(request: Request, command: cl.Invite) -> dict:
    user_ids = [t.user_id for t in command.targets if isinstance(t, cl.UserTarget) and t.user_id]
    unknown = [t.name for t in command.targets if isinstance(t, cl.UserTarget) and not t.user_id]
    emails = [t.address for t in command.targets if isinstance(t, cl.EmailTarget)]
    if unknown and not user_ids and not emails:
        return invitations.unknown_people(unknown)
    result = request.lobby.invitations.invite(
        actor=request.actor,
        team_name=command.team,
        user_ids=user_ids,
        emails=emails,
        roles=list(command.roles),
        message=command.message,
        directory=request.directory,
    )
    return invitations.invite_summary(result, unknown_names=unknown)


@runs(cl.ListInvitations)
def _list_invitations(request: Request, command: cl.ListInvitations) -> dict:
    page = request.lobby.invitation_admin.list(
        actor=request.actor, team_name=command.team, status=command.status
    )
    return invitations.invitations_page(page)


@runs(cl.ShowLink)
def _show_link(request: Request, command: cl.ShowLink) -> dict:
    info = request.lobby.links.show(actor=request.actor, team_name=command.team)
    return links.link_info(info, permalink_of(request.client, info.latest_card))


@runs(cl.ResetLink)
def _reset_link(request: Request, command: cl.ResetLink) -> dict:
    info = request.lobby.links.reset(actor=request.actor, team_name=command.team)
    return links.link_reset(info, permalink_of(request.client, info.latest_card))


@runs(cl.LimitLink)
def _limit_link(request: Request, command: cl.LimitLink) -> dict:
    info = request.lobby.links.limit(
        actor=request.actor,
        team_name=command.team,
        max_uses=command.max_uses,
        expires_days=command.expires_days,
        never_expires=command.never_expires,
    )
    return links.link_info(info, permalink_of(request.client, info.latest_card))


@runs(cl.PostCard)
def _post_card(request: Request, command: cl.PostCard) -> dict:
    card = request.lobby.links.card(actor=request.actor, team_name=command.team)
    try:
        posted = request.client.chat_postMessage(
            channel=request.channel_id, **links.join_card(card)
        )
    except SlackApiError as error:
        if error.response.get("error") in ("not_in_channel", "channel_not_found"):
            raise BotNotInChannel() from error
        raise
    request.lobby.links.remember_card(
        actor=request.actor, team_id=card.team_id, channel=posted["channel"], ts=posted["ts"]
    )
    return links.card_posted(card.team)


@runs(cl.JoinWithCode)
def _join_with_code(request: Request, command: cl.JoinWithCode) -> dict:
    invitation = request.lobby.invitations.accept_code(actor=request.actor, code=command.code)
    if invitation is not None:
        return links.joined(Joined(team=invitation.team.name, roles=invitation.role_names))
    joined = request.lobby.links.join_with_code(actor=request.actor, code=command.code)
    return requests.request_sent(joined.team) if joined.requested else links.joined(joined)


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
    return requests.request_sent(asked.team.name)


@runs(cl.ListRequests)
def _list_requests(request: Request, command: cl.ListRequests) -> dict:
    pending = request.lobby.requests.pending(actor=request.actor, team_name=command.team)
    return requests.pending_requests(pending)


@runs(cl.Seats)
def _seats(request: Request, command: cl.Seats) -> dict:
    if command.limit is None:
        return seats_blocks.seats(
            request.lobby.seats.show(actor=request.actor, team_name=command.team)
        )
    use = request.lobby.seats.set_limit(
        actor=request.actor,
        team_name=command.team,
        plan=command.limit.plan,
        seats=command.limit.seats,
    )
    return seats_blocks.seats(use)


def user_id_of(target: cl.UserTarget) -> str:
    """Members are named by mention: a plain @name carries no Slack ID."""
    if not target.user_id:
        raise UnknownPerson(name=target.name or "")
    return target.user_id


@runs(cl.ListRoles)
def _list_roles(request: Request, command: cl.ListRoles) -> dict:
    return roles_blocks.roles_list(
        *request.lobby.roles.overview(actor=request.actor, team_name=command.team)
    )


@runs(cl.CreateRole)
def _create_role(request: Request, command: cl.CreateRole) -> dict:
    role = request.lobby.roles.create(
        actor=request.actor,
        team_name=command.team,
        name=command.name,
        permissions=list(command.permissions),
    )
    return roles_blocks.role_created(role)


@runs(cl.DeleteRole)
def _delete_role(request: Request, command: cl.DeleteRole) -> dict:
    request.lobby.roles.delete(actor=request.actor, team_name=command.team, name=command.name)
    return roles_blocks.role_deleted(command.name)


@runs(cl.SetRoles)
def _set_roles(request: Request, command: cl.SetRoles) -> dict:
    user_id = user_id_of(command.user)
    roles = request.lobby.roles.set_roles(
        actor=request.actor, team_name=command.team, user_id=user_id, roles=list(command.roles)
    )
    return roles_blocks.roles_set(user_id, roles)


@runs(cl.TransferOwnership)
def _transfer(request: Request, command: cl.TransferOwnership) -> dict:
    user_id = user_id_of(command.user)
    team = request.lobby.roles.transfer(
        actor=request.actor, team_name=command.team, user_id=user_id
    )
    return roles_blocks.transferred(team.name, user_id)


@runs(cl.RemoveMember)
def _remove(request: Request, command: cl.RemoveMember) -> dict:
    user_id = user_id_of(command.user)
    team = request.lobby.removal.remove(
        actor=request.actor, user_id=user_id, team_name=command.team
    )
    return teams_blocks.removed(team.name, user_id)


@runs(cl.DeleteTeam)
def _delete_team(request: Request, command: cl.DeleteTeam) -> dict:
    """Only asks: the confirm button does the deletion."""
    team = request.lobby.roles.check_owner(actor=request.actor, team_name=command.team)
    return teams_blocks.delete_team_confirmation(team)


@runs(cl.Settings)
def _settings(request: Request, command: cl.Settings) -> None:
    team, settings, roles = request.lobby.settings.show(actor=request.actor, team_name=command.team)
    view = settings_blocks.settings_modal(team=team.name, settings=settings, roles=roles)
    request.client.views_open(trigger_id=request.trigger_id, view=view)


@runs(cl.Audit)
def _audit(request: Request, command: cl.Audit) -> dict:
    if not command.csv:
        entries = request.lobby.audit.latest(actor=request.actor, team_name=command.team)
        team = entries[0].team_name if entries else command.team or ""
        return audit.audit_list(team, entries)
    entries = request.lobby.audit.everything(actor=request.actor, team_name=command.team)
    team = entries[0].team_name if entries else command.team or "team"
    dm = request.client.conversations_open(users=request.actor.user_id)["channel"]["id"]
    request.client.files_upload_v2(
        channel=dm,
        content=audit.audit_csv(entries),
        filename=f"lobby-audit-{team}.csv",
        title=f"Lobby audit log: {team}",
    )
    return audit.audit_sent(team)
