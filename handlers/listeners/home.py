"""The App Home tab: published when opened and after changes that concern the person."""

import re

from slack_sdk import WebClient

from bot.access import Actor
from bot.errors import LobbyError
from bot.home.service import all_pending
from bot.service import Lobby
from handlers.blocks.home import HOME_SHOW_ALL, parse_show_all, show_all_modal
from handlers.intake.listen import Handoff
from handlers.intake.runs import runs
from handlers.listeners.answers import answer_refusal
from handlers.listeners.events import record_event
from handlers.slack import in_place
from handlers.slack.context import actor_of
from handlers.slack.in_place import answer_for_click


def publish_home(client: WebClient, actor: Actor, lobby: Lobby) -> None:
    in_place.publish_home(client, actor, lobby.clock.now())


def register_runs(lobby: Lobby) -> None:
    @runs("event:app_home_opened")
    def on_home_opened(event, context, client):
        if event.get("tab", "home") == "home":
            publish_home(client, actor_of(context, event["user"]), lobby)


def register(app, lobby: Lobby, handoff: Handoff) -> None:
    app.event("app_home_opened")(record_event(handoff, "event:app_home_opened"))

    def show_all(ack, body, context, client, respond):
        """Opens (or pages) a modal from the click's trigger_id: at once, in this process."""
        ack()
        respond = answer_for_click(respond, client, body, lobby.clock.now())
        handoff.now(open_show_all, body, context, client, respond)

    def open_show_all(body, context, client, respond):
        actor = actor_of(context, body["user"]["id"])
        kind, team, page = parse_show_all(body["actions"][0]["value"])
        try:
            shown = all_pending(
                actor=actor, kind=kind, team_name=team, page=page, now=lobby.clock.now()
            )
        except LobbyError as error:
            answer_refusal(respond, error)
            return
        view = show_all_modal(shown)
        if body.get("view", {}).get("type") == "modal":
            client.views_update(view_id=body["view"]["id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(re.compile(f"^{HOME_SHOW_ALL}"))(show_all)
