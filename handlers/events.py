"""Events API listeners: a new person in the workspace may have an invitation waiting."""

from bot.access import Actor
from bot.service import Lobby


def register(app, lobby: Lobby) -> None:
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
