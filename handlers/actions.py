"""Buttons: accept or decline an invitation."""

from bot.errors import LobbyError
from bot.service import Lobby
from handlers.blocks import ACCEPT_INVITATION, DECLINE_INVITATION
from handlers.context import actor_of
from handlers.errors import report


def acknowledge(ack):
    ack()


def register(app, lobby: Lobby) -> None:
    def accept(body, context, respond):
        _answer_invitation(lobby.invitations.accept, body, context, respond)

    def decline(body, context, respond):
        _answer_invitation(lobby.invitations.decline, body, context, respond)

    app.action(ACCEPT_INVITATION)(ack=acknowledge, lazy=[accept])
    app.action(DECLINE_INVITATION)(ack=acknowledge, lazy=[decline])


def _answer_invitation(service_call, body, context, respond) -> None:
    """The DM itself is updated through the outbox; only a refusal is answered here."""
    try:
        invitation_id, generation = map(int, body["actions"][0]["value"].split(":"))
        service_call(
            actor=actor_of(context, body["user"]["id"]),
            invitation_id=invitation_id,
            generation=generation,
        )
    except LobbyError as error:
        report(respond, error)
