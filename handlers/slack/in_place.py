"""Answers shown where a click without a response_url was made: the App Home, or the
"show all" modal opened from it. Never a new DM."""

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import Actor
from bot.errors import LobbyError
from bot.home.role_requests import role_requests_on_home
from bot.home.service import all_pending, home_for
from handlers.blocks.home import home_view, parse_show_all, show_all_modal

log = logging.getLogger(__name__)


def publish_home(client: WebClient, actor: Actor, now: datetime, note: str | None = None) -> None:
    """The person's Home as it is now; a `note` (an answer to their click) at its top."""
    home = home_for(actor=actor, now=now)
    role_requests = role_requests_on_home(actor=actor, now=now)
    view = home_view(home, note=note, role_requests=role_requests)
    client.views_publish(user_id=actor.user_id, view=view)


def update_show_all(
    client: WebClient, actor: Actor, view_id: str, metadata: str | None, note: str, now: datetime
) -> None:
    """The "show all" modal, shown again as it is now, with the answer at its top."""
    try:
        kind, team, page = parse_show_all(metadata or "")
        shown = all_pending(actor=actor, kind=kind, team_name=team, page=page, now=now)
        client.views_update(view_id=view_id, view=show_all_modal(shown, note=note))
    except (ValueError, LobbyError, SlackApiError) as error:  # closed, or no longer theirs
        log.warning("could not answer a click in modal %s: %r", view_id, error)


def answer_for_click(respond, client: WebClient, body: dict, now: datetime):
    """For work done at once in the web process: Bolt's `respond` where the click came with
    a response_url; otherwise a function that shows the answer where the click was made."""
    if respond is not None:
        return respond
    actor = Actor(workspace_id=_workspace_of(body), user_id=body["user"]["id"])
    view = body.get("view") or {}

    def in_place(**message):
        note = message.get("text") or ""
        if view.get("type") == "modal":
            update_show_all(client, actor, view["id"], view.get("private_metadata"), note, now)
        else:
            publish_home(client, actor, now, note=note)

    return in_place


def _workspace_of(body: dict) -> str:
    return (body.get("team") or {}).get("id") or body["user"].get("team_id")
