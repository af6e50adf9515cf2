"""The real app over HTTP, against the Slack stand-in."""

import threading
from dataclasses import dataclass

import pytest
from waitress.server import create_server

from app import LobbyApp, create_app
from bot import outbox
from config import Settings
from tests.support.database import close_database, database_url
from tests.support.fixtures import APP_METHODS_SEEN
from tests.support.slack_requests import SlackRequests
from tests.support.slack_standin import SlackStandIn

SIGNING_SECRET = "lobby-test-signing-secret"
ADMIN, ALICE, BOB, CAROL = "U0ADMIN1", "U0ALICE1", "U0BOB001", "U0CAROL1"


@dataclass
class Running:
    app: LobbyApp
    slack: SlackStandIn
    requests: SlackRequests
    url: str

    def command(self, text: str, *, user_id: str = ADMIN, **kwargs):
        return self.requests.command(text, user_id=user_id, **kwargs)

    def reply_to(self, response) -> str:
        """What the person saw: the ack's text, or the first response_url post's blocks."""
        if response.json and response.json.get("text"):
            return response.json["text"]
        url = self.requests.last_payload["response_url"]
        payload = self.slack.wait_for(lambda: self.slack.responses_to(url))[0].payload
        sections = [b["text"]["text"] for b in payload.get("blocks", []) if "text" in b]
        return "\n".join(sections) or payload["text"]

    def settled(self) -> None:
        """Wait until the outbox has delivered everything due."""
        self.slack.wait_for(lambda: outbox.pending_count() == 0)

    def delivered(self, predicate, timeout: float = 5.0):
        return self.slack.wait_for(predicate, timeout=timeout)


def populate(slack: SlackStandIn) -> None:
    slack.add_user(ADMIN, "admin", email="admin@example.com", is_admin=True)
    slack.add_user(ALICE, "alice", email="alice@example.com")
    slack.add_user(BOB, "bob", email="bob@example.com")
    slack.add_user(CAROL, "carol", email="carol@example.com")


@pytest.fixture(params=["sqlite", "postgres"])
def running(request, slack, tmp_path):
    populate(slack)
    settings = Settings(
        bot_token=slack.token,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        database_url=database_url(request.param, tmp_path),
        slack_api_url=slack.api_url,
        port=0,
        smtp_url=None,
        join_url=None,
    )
    lobby_app = create_app(settings)
    server = create_server(lobby_app.wsgi, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    lobby_app.worker.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    yield Running(lobby_app, slack, SlackRequests(url, SIGNING_SECRET, slack), url)
    lobby_app.worker.stop()
    server.close()
    APP_METHODS_SEEN.update(call.method for call in slack.calls if call.ok)
    assert not slack.block_failures, f"the app sent invalid Block Kit: {slack.block_failures}"
    close_database()
