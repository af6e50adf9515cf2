"""Buttons: answer an invitation; resend, cancel and page through invitations; join cards;
approve and deny requests. Each click is recorded and acked; the worker runs it."""

import re

from bot.errors import LobbyError
from bot.home.refresh import queue_homes
from bot.service import Lobby
from bot.teams.access_term import AccessTerm
from bot.vocabulary import EXTEND_BUTTON_DAYS
from handlers.blocks import (
    access,
    invitations,
    links,
    requests,
    role_requests,
    sponsors,
    teams,
    waitlist,
)
from handlers.intake.listen import Handoff
from handlers.intake.runs import runs
from handlers.listeners.answers import answer, answer_refusal
from handlers.slack.context import actor_of
from handlers.slack.directory import SlackDirectory
from handlers.slack.in_place import answer_for_click


def acknowledge(ack):
    ack()


PAGE_TURNS = re.compile(f"^{invitations.INVITATIONS_PAGE}_")
# Clicks recorded and run by the worker.
RECORDED = (
    invitations.ACCEPT_INVITATION,
    invitations.DECLINE_INVITATION,
    invitations.RESEND_INVITATION,
    invitations.CANCEL_INVITATION,
    links.JOIN_FROM_CARD,
    links.REQUEST_FROM_CARD,
    links.RESUME_LINK,
    links.RESET_LINK,
    requests.APPROVE_REQUEST,
    requests.REVIEW_REQUESTS,
    role_requests.APPROVE_ROLE_REQUEST,
    role_requests.DENY_ROLE_REQUEST,
    teams.DELETE_TEAM,
    access.EXTEND_ACCESS,
    access.MAKE_PERMANENT,
    sponsors.KEEP_SPONSORED,
    sponsors.REMOVE_SPONSORED,
    waitlist.JOIN_WAITLIST,
    waitlist.LEAVE_WAITLIST,
    PAGE_TURNS,
)


def run_name(action_id: str | re.Pattern) -> str:
    return f"action:{action_id.pattern if isinstance(action_id, re.Pattern) else action_id}"


def register(app, lobby: Lobby, handoff: Handoff) -> None:
    for action_id in RECORDED:
        app.action(action_id)(handoff.durable(run_name(action_id)))

    def deny(ack, body, context, client, respond):
        """Deny asks for an optional reason first: a modal (pushed over a modal), opened at
        once from the click's trigger_id; the decision is the modal's submission."""
        ack()
        respond = answer_for_click(respond, client, body, lobby.clock.now())
        handoff.now(ask_for_a_reason, lobby, body, context, client, respond)

    app.action(requests.DENY_REQUEST)(deny)
    app.action(requests.REQUEST_ROLE)(acknowledge)  # choosing a role alone changes nothing
    app.action(access.REQUEST_ACCESS)(acknowledge)  # nor choosing how long


def ask_for_a_reason(lobby: Lobby, body, context, client, respond) -> None:
    actor = actor_of(context, body["user"]["id"])
    request_id = int(body["actions"][0]["value"])
    try:
        lobby.requests.check_may_decide(actor=actor, request_id=request_id)
    except LobbyError as error:
        answer_refusal(respond, error)
        return
    view = requests.deny_modal(request_id)
    if body.get("view", {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def register_runs(lobby: Lobby) -> None:
    def durably(action_id, run):
        runs(run_name(action_id))(run)

    def on(action_id, work):
        """`work(actor, value)` runs after the ack; its reply or refusal answers the click."""

        def run(body, context, respond, client):
            action = body["actions"][0]
            actor = actor_of(context, body["user"]["id"])
            try:
                answer(respond, work(actor, action["value"]))
            except LobbyError as error:
                answer_refusal(respond, error)
            refresh_if_home(body, actor)

        durably(action_id, run)

    def refresh_if_home(body, actor):
        """Queued with the run (one publish, however many of the run's notices refresh
        the same Home), not published here before the run commits."""
        if body.get("view", {}).get("type") == "home":
            queue_homes(actor.workspace_id, [actor.user_id], lobby.clock.now())

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

    def join(body, context, respond, client):
        """The card's Join button; with link domains, the person's email is looked up."""
        actor = actor_of(context, body["user"]["id"])
        team_id = int(body["actions"][0]["value"])
        try:
            joined = lobby.links.join_from_card(
                actor=actor, team_id=team_id, directory=SlackDirectory(client)
            )
        except LobbyError as error:
            answer_refusal(respond, error)
            return
        answer(
            respond,
            requests.request_sent(joined.team) if joined.requested else links.joined(joined),
        )

    def request_from_card(actor, value):
        request = lobby.requests.ask_by_team_id(actor=actor, team_id=int(value), note=None)
        return requests.request_sent(request.team.name)

    def approve(body, context, respond, client):
        """Approve with the role chosen beside the button: the select's state travels with the
        click (in the message, or in the view for the App Home and its modal)."""
        action = body["actions"][0]
        state = (body.get("view") or body).get("state", {}).get("values", {})
        chosen = state.get(action["block_id"], {})
        role = (chosen.get(requests.REQUEST_ROLE, {}).get("selected_option") or {}).get("value")
        term = (chosen.get(access.REQUEST_ACCESS, {}).get("selected_option") or {}).get("value")
        actor = actor_of(context, body["user"]["id"])
        try:
            lobby.requests.approve(
                actor=actor,
                request_id=int(action["value"]),
                role=role,
                days=access.chosen_days(term),
            )
        except LobbyError as error:
            answer_refusal(respond, error)
        refresh_if_home(body, actor)

    durably(requests.APPROVE_REQUEST, approve)

    def review_requests(actor, value):
        return requests.pending_requests(lobby.requests.pending(actor=actor, team_name=value))

    def delete_team(actor, value):
        return teams.team_deleted(lobby.removal.delete_team(actor=actor, team_name=value))

    def extend_access(term):
        def work(actor, value):
            """Every admin copy is updated through the outbox; only a refusal is answered."""
            team_id, user_id, seen = access.read_button_value(value)
            lobby.access.extend_by_team_id(
                actor=actor, team_id=team_id, user_id=user_id, term=term, seen=seen
            )

        return work

    on(access.EXTEND_ACCESS, extend_access(AccessTerm(days=EXTEND_BUTTON_DAYS)))
    on(access.MAKE_PERMANENT, extend_access(AccessTerm()))

    def decide_role_request(service_call):
        def work(actor, value):
            """Every copy is updated through the outbox; only a refusal is answered."""
            service_call(actor=actor, request_id=int(value))

        return work

    on(role_requests.APPROVE_ROLE_REQUEST, decide_role_request(lobby.role_requests.approve))
    on(role_requests.DENY_ROLE_REQUEST, decide_role_request(lobby.role_requests.deny))
    on(teams.DELETE_TEAM, delete_team)
    on(links.REQUEST_FROM_CARD, request_from_card)
    on(requests.REVIEW_REQUESTS, review_requests)
    on(invitations.RESEND_INVITATION, resend)
    on(invitations.CANCEL_INVITATION, cancel)
    durably(links.JOIN_FROM_CARD, join)

    def resume_link(actor, value):
        code, team = value.split("|", 1)
        info = lobby.links.resume(actor=actor, team_name=team, paused_code=int(code))
        return links.resumed_by_click(info)

    def reset_link(actor, value):
        code, team = value.split("|", 1)
        info = lobby.links.reset(actor=actor, team_name=team, paused_code=int(code))
        return links.reset_by_click(info)

    on(links.RESUME_LINK, resume_link)
    on(links.RESET_LINK, reset_link)

    def decide_sponsored(service_call):
        def work(actor, value):
            """Every copy of the review is updated through the outbox; only a refusal (a
            row already decided, no permission) is answered where they clicked."""
            service_call(actor=actor, row_id=int(value))

        return work

    on(sponsors.KEEP_SPONSORED, decide_sponsored(lobby.sponsors.keep))
    on(sponsors.REMOVE_SPONSORED, decide_sponsored(lobby.sponsors.remove))

    def join_waitlist(body, context, respond, client):
        """Join the waitlist; with link domains, the person's email is looked up."""
        actor = actor_of(context, body["user"]["id"])
        team_id = int(body["actions"][0]["value"])
        try:
            place = lobby.waitlist.join_by_team_id(
                actor=actor, team_id=team_id, directory=SlackDirectory(client)
            )
        except LobbyError as error:
            answer_refusal(respond, error)
            return
        answer(respond, waitlist.on_waitlist(place))

    def leave_waitlist(actor, value):
        return waitlist.left(lobby.waitlist.leave_by_team_id(actor=actor, team_id=int(value)))

    durably(waitlist.JOIN_WAITLIST, join_waitlist)
    on(waitlist.LEAVE_WAITLIST, leave_waitlist)

    def turn_page(body, context, respond):
        team, status, page = body["actions"][0]["value"].split("|")
        actor = actor_of(context, body["user"]["id"])
        try:
            listing = lobby.invitation_admin.list(
                actor=actor, team_name=team, status=status, page=int(page)
            )
        except LobbyError as error:
            answer_refusal(respond, error)
            return
        respond(replace_original=True, **invitations.invitations_page(listing))

    durably(PAGE_TURNS, turn_page)
