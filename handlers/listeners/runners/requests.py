"""`/invite` runners for requests: ask to join or for a role in words, and the pending list."""

from handlers import command_language as cl
from handlers.blocks import requests, role_requests
from handlers.slack.context import Request


def _request_to_join(request: Request, command: cl.RequestToJoin) -> dict:
    asked = request.lobby.requests.ask_in_words(actor=request.actor, text=command.text)
    return requests.request_sent(asked.team.name)


def _request_role(request: Request, command: cl.RequestRole) -> dict:
    asked = request.lobby.role_requests.ask(
        actor=request.actor, role=command.role, team_name=command.team, note=command.note
    )
    return role_requests.role_request_sent(asked.team.name, asked.role)


def _list_requests(request: Request, command: cl.ListRequests) -> dict:
    pending = request.lobby.requests.pending(actor=request.actor, team_name=command.team)
    return requests.pending_requests(pending)


RUNNERS = {
    cl.RequestToJoin: _request_to_join,
    cl.RequestRole: _request_role,
    cl.ListRequests: _list_requests,
}
