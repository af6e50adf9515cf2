"""Lobby is installed in one Slack workspace; requests from any other are refused."""

import json

from slack_bolt.response import BoltResponse

NOT_INSTALLED_HERE = "Lobby isn't installed in this Slack workspace."


def register(app, installed_team_id: str) -> None:
    @app.middleware
    def only_the_installed_workspace(body, context, next):
        if context.team_id == installed_team_id:
            return next()
        if body.get("command"):
            refusal = {"response_type": "ephemeral", "text": NOT_INSTALLED_HERE}
            headers = {"content-type": "application/json;charset=utf-8"}
            return BoltResponse(status=200, body=json.dumps(refusal), headers=headers)
        return BoltResponse(status=200, body="")
