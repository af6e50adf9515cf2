"""Buttons: answer an invitation; resend, cancel and page through invitations; join cards."""

import re

from bot.errors import LobbyError
from bot.service import Lobby
from handlers.blocks import invitations, links, requests, teams
from handlers.listeners.answers import answer, answer_refusal
from handlers.listeners.home import publish_home
from handlers.slack.context import actor_of


def acknowledge(ack):
    ack()


def register(app, lobby: Lobby) -> None:
    def on(action_id, work):
        """Ack at once; run `work(actor, value)` after, answering with its reply or refusal."""

        def run(body, context, respond, client):
            action = body["actions"][0]
            actor = actor_of(context, body["user"]["id"])
            try:
                answer(body, respond, client, work(actor, action["value"]))
            except LobbyError as error:
                answer_refusal(body, respond, client, error)
            refresh_if_home(body, client, actor)

        app.action(action_id)(ack=acknowledge, lazy=[run])

    def refresh_if_home(body, client, actor):
        if body.get("view", {}).get("type") == "home":
            publish_home(client, actor, lobby)

    def answer_invitation(service_call):
        def work(actor, value):
            """The DM itself is updated through the outbox; only a refusal is answered."""
            invitation_id, generation = map(int, value.split(":"))
            service_call(actor=actor, invitation_id=invitation_id, generation=generation)

        return work

    on(invitations.ACCEPT_INVITATION, answer_invitation(lobby.invitations.accept))
    on(invitations.DECLINE_INVITATION, answer_invitation(lobby.invitations.decline))

    def resend(actor, value):
        resent = lobby.invitation_admin.resend(actor=actor, invitation_id=int(value))
        return invitations.resent(resent.invitation, resent.code)

    def cancel(actor, value):
        cancelled = lobby.invitation_admin.cancel(actor=actor, invitation_id=int(value))
        return invitations.cancelled(cancelled)

    def join(actor, value):
        joined = lobby.links.join_from_card(actor=actor, team_id=int(value))
        return requests.request_sent(joined.team) if joined.requested else links.joined(joined)

    def request_from_card(actor, value):
        request = lobby.requests.ask_by_team_id(actor=actor, team_id=int(value), note=None)
        return requests.request_sent(request.team.name)

    def approve(body, context, respond, client):
        """Approve with the role chosen beside the button: the select's state travels with the
        click (in the message, or in the view for the App Home and its modal)."""
        action = body["actions"][0]
        state = (body.get("view") or body).get("state", {}).get("values", {})
        option = state.get(action["block_id"], {}).get(requests.REQUEST_ROLE, {})
        role = (option.get("selected_option") or {}).get("value")
        actor = actor_of(context, body["user"]["id"])
        try:
            lobby.requests.approve(actor=actor, request_id=int(action["value"]), role=role)
        except LobbyError as error:
            answer_refusal(body, respond, client, error)
        refresh_if_home(body, client, actor)

    def deny(body, context, client, respond):
        """Deny asks for an optional reason first: a modal (pushed over a modal)."""
        actor = actor_of(context, body["user"]["id"])
        request_id = int(body["actions"][0]["value"])
        try:
            lobby.requests.check_may_decide(actor=actor, request_id=request_id)
        except LobbyError as error:
            answer_refusal(body, respond, client, error)
            return
        view = requests.deny_modal(request_id)
        if body.get("view", {}).get("type") == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(requests.APPROVE_REQUEST)(ack=acknowledge, lazy=[approve])
    app.action(requests.DENY_REQUEST)(ack=acknowledge, lazy=[deny])
    app.action(requests.REQUEST_ROLE)(acknowledge)  # choosing a role alone changes nothing

    def review_requests(actor, value):
        return requests.pending_requests(lobby.requests.pending(actor=actor, team_name=value))

    def delete_team(actor, value):
        return teams.team_deleted(lobby.removal.delete_team(actor=actor, team_name=value))

    on(teams.DELETE_TEAM, delete_team)
    on(links.REQUEST_FROM_CARD, request_from_card)
    on(requests.REVIEW_REQUESTS, review_requests)
    on(invitations.RESEND_INVITATION, resend)
    on(invitations.CANCEL_INVITATION, cancel)
    on(links.JOIN_FROM_CARD, join)

    def turn_page(body, context, respond, client):
        team, status, page = body["actions"][0]["value"].split("|")
        actor = actor_of(context, body["user"]["id"])
        try:
            listing = lobby.invitation_admin.list(
                actor=actor, team_name=team, status=status, page=int(page)
            )
        except LobbyError as error:
            answer_refusal(body, respond, client, error)
            return
        respond(replace_original=True, **invitations.invitations_page(listing))

    app.action(re.compile(f"^{invitations.INVITATIONS_PAGE}_"))(ack=acknowledge, lazy=[turn_page])
