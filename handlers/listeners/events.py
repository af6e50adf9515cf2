"""Events API listeners: someone deactivated leaves every team; a new person in the
workspace may have an invitation waiting. Each is recorded under its event id, so
Slack's retries of a delivery (X-Slack-Retry-Num) have one effect."""

from bot.access import Actor
from bot.service import Lobby
from handlers.intake.listen import Handoff
from handlers.intake.runs import runs


def register(app, lobby: Lobby, handoff: Handoff) -> None:
    for event_type in ("user_change", "team_join"):
        app.event(event_type)(record_event(handoff, f"event:{event_type}"))


def register_runs(lobby: Lobby) -> None:
    @runs("event:user_change")
    def on_user_change(event, context):
        user = event["user"]
        if user.get("deleted"):
            lobby.removal.left_workspace(workspace_id=context.team_id, user_id=user["id"])

    @runs("event:team_join")
    def on_team_join(event, context):
        user = event["user"]
        actor = Actor(workspace_id=context.team_id, user_id=user["id"])
        email = user.get("profile", {}).get("email")
        lobby.email_claims.user_appeared(actor=actor, email=email)


def record_event(handoff: Handoff, name: str):
    """A Bolt listener that records the event for the worker (Bolt acks events itself)."""

    def record(body, event, context):
        user = event.get("user")
        person = user["id"] if isinstance(user, dict) else user
        key = f"event:{body['event_id']}" if body.get("event_id") else None
        handoff.take(name, body, workspace_id=context.team_id, person=person, key=key)

    return record


def offer_waiting_invitations(lobby: Lobby, actor: Actor, directory) -> None:
    """On someone's first use of Lobby, look up their email once for waiting invitations."""
    if not lobby.email_claims.is_known(actor):
        email = directory.email_of(actor.user_id)
        lobby.email_claims.user_appeared(actor=actor, email=email)
