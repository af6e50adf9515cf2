"""`/invite` runners for invitations: the invite form, inviting in words, the list."""

from bot.errors import NotAllowed
from handlers import command_language as cl
from handlers.blocks import invitations, requests
from handlers.blocks import mrkdwn as md
from handlers.blocks import seats as seats_blocks
from handlers.slack.context import Request


def _open_invite_modal(request: Request, command: cl.OpenInviteModal) -> None:
    options = request.lobby.invitations.options(actor=request.actor)
    if not options:
        teams = request.lobby.requests.requestable_teams(actor=request.actor)
        if not teams:
            raise NotAllowed(action="invite")
        needing_note = request.lobby.requests.teams_needing_note(
            actor=request.actor, team_names=teams
        )
        view = requests.request_modal(teams, needing_note)
        request.client.views_open(trigger_id=request.trigger_id, view=view)
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
        term=command.term,
    )
    return invitations.invite_summary(result, unknown_names=unknown)


def _list_invitations(request: Request, command: cl.ListInvitations) -> dict:
    page = request.lobby.invitation_admin.list(
        actor=request.actor, team_name=command.team, status=command.status
    )
    return invitations.invitations_page(page)


RUNNERS = {
    cl.OpenInviteModal: _open_invite_modal,
    cl.Invite: _invite,
    cl.ListInvitations: _list_invitations,
}
