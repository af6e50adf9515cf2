"""`/invite` runners for join requests: ask in words, and the pending list."""

from handlers import command_language as cl
from handlers.blocks import requests
from handlers.slack.context import Request


def _request_to_join(request: Request, command: cl.RequestToJoin) -> dict:
    asked = request.lobby.requests.ask_in_words(actor=request.actor, text=command.text)
    return requests.request_sent(asked.team.name)


def _list_requests(request: Request, command: cl.ListRequests) -> dict:
    pending = request.lobby.requests.pending(actor=request.actor, team_name=command.team)
    return requests.pending_requests(pending)


RUNNERS = {
    cl.RequestToJoin: _request_to_join,
    cl.ListRequests: _list_requests,
}
