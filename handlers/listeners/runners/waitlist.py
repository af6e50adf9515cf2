"""`/invite` runners for the waitlist."""

from handlers import command_language as cl
from handlers.blocks import waitlist
from handlers.slack.context import Request


def _show(request: Request, command: cl.ShowWaitlist) -> dict:
    return waitlist.queue(request.lobby.waitlist.show(actor=request.actor, team_name=command.team))


def _join(request: Request, command: cl.JoinWaitlist) -> dict:
    place = request.lobby.waitlist.join(
        actor=request.actor, team_name=command.team, directory=request.directory
    )
    return waitlist.on_waitlist(place)


def _leave(request: Request, command: cl.LeaveWaitlist) -> dict:
    return waitlist.left(request.lobby.waitlist.leave(actor=request.actor, team_name=command.team))


RUNNERS = {
    cl.ShowWaitlist: _show,
    cl.JoinWaitlist: _join,
    cl.LeaveWaitlist: _leave,
}
