"""Events API listeners: a new person in the workspace may have an invitation waiting."""

from slack_bolt.response import BoltResponse

from bot.access import Actor
from bot.outbox.inbox import first_delivery
from bot.service import Lobby


def register(app, lobby: Lobby) -> None:
    @app.middleware
    def each_event_once(body, next):
        """Slack retries deliveries it thinks failed (X-Slack-Retry-Num): one effect each."""
        if body.get("type") == "event_callback" and body.get("event_id"):
            workspace_id = body.get("team_id", "")
            if not first_delivery(workspace_id, body["event_id"], lobby.clock.now()):
                return BoltResponse(status=200, body="")
        return next()

    @app.event("user_change")
    def on_user_change(event, context):
        """Someone deactivated in Slack stops being a member everywhere."""
        user = event["user"]
        if user.get("deleted"):
            lobby.removal.left_workspace(workspace_id=context.team_id, user_id=user["id"])

    @app.event("team_join")
    def on_team_join(event, context):
        user = event["user"]
        actor = Actor(workspace_id=context.team_id, user_id=user["id"])
        email = user.get("profile", {}).get("email")
        lobby.email_claims.user_appeared(actor=actor, email=email)


def offer_waiting_invitations(lobby: Lobby, actor: Actor, directory) -> None:
    """On someone's first use of Lobby, look up their email once for waiting invitations."""
    if not lobby.email_claims.is_known(actor):
        email = directory.email_of(actor.user_id)
        lobby.email_claims.user_appeared(actor=actor, email=email)
