"""The real app over HTTP, against the Slack stand-in."""

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from waitress.server import create_server

from app import Worker, create_web, create_worker
from config import Settings, parse_smtp_url
from handlers.delivery.pacing import Pacer
from handlers.health import HealthCheck
from handlers.web import wsgi_app
from storage import intake
from tests.support.clock import ManualClock
from tests.support.database import close_database, database_url
from tests.support.fixtures import APP_METHODS_SEEN, APP_SCOPE_NEEDS
from tests.support.outbox import unsettled_count
from tests.support.slack_requests import SlackRequests
from tests.support.slack_standin import SlackStandIn
from tests.support.smtp import start_server
from tests.support.socket_mode_requests import SocketModeRequests

SIGNING_SECRET = "lobby-test-signing-secret"
ADMIN, ALICE, BOB, CAROL = "U0ADMIN1", "U0ALICE1", "U0BOB001", "U0CAROL1"


@dataclass
class Running:
    app: Worker
    slack: SlackStandIn
    requests: SlackRequests
    url: str
    clock: ManualClock
    settings: Settings

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
        """Wait until every request has run, the outbox has delivered everything due, and
        Slack has gone quiet (the worker re-publishes App Homes just after a batch)."""
        self.slack.wait_for(lambda: intake.backlog_size()[0] == 0 and unsettled_count() == 0)
        seen = -1
        while len(self.slack.calls) != seen:
            seen = len(self.slack.calls)
            time.sleep(0.25)

    def delivered(self, predicate, timeout: float = 5.0):
        return self.slack.wait_for(predicate, timeout=timeout)


def populate(slack: SlackStandIn) -> None:
    slack.add_user(ADMIN, "admin", email="admin@example.com", is_admin=True)
    slack.add_user(ALICE, "alice", email="alice@example.com")
    slack.add_user(BOB, "bob", email="bob@example.com")
    slack.add_user(CAROL, "carol", email="carol@example.com")


def serve_until_closed(server) -> None:
    """waitress's loop may see its sockets closed under it at teardown (EBADF)."""
    try:
        server.run()
    except OSError:
        if not getattr(server, "closing", False):
            raise


TRANSPORTS = {"sqlite": ("sqlite", "http"), "postgres": ("postgres", "http")}
TRANSPORTS["sqlite-socket-mode"] = ("sqlite", "socket")


@pytest.fixture(params=list(TRANSPORTS))
def start_app(request, slack, tmp_path):
    """Start the real app over HTTP against the stand-in; options: smtp_url, join_url."""
    populate(slack)
    kind, transport = TRANSPORTS[request.param]
    if transport == "socket" and request.node.get_closest_marker("http_only"):
        pytest.skip("about HTTP itself (signatures, status codes)")
    url = database_url(kind, tmp_path)
    started = []

    def start(*, smtp_url=None, join_url=None, max_backlog=1000, run_worker=True) -> Running:
        settings = Settings(
            bot_token=slack.token,
            signing_secret=SIGNING_SECRET,
            database_url=url,
            slack_api_url=slack.api_url,
            port=0,
            smtp=parse_smtp_url(smtp_url) if smtp_url else None,
            join_url=join_url,
            app_token=slack.app_token if transport == "socket" else None,
            max_backlog=max_backlog,
        )
        clock = ManualClock(datetime.now(UTC).replace(tzinfo=None, microsecond=0))
        # As `python app.py` splits them, with one clock: the web side records and acks,
        # the worker side runs what was recorded and delivers the notices.
        web = create_web(settings, clock=clock)
        # The clock stands still unless a test moves it, and this stand-in enforces no
        # tiers: the outbox is not paced here (tests/handlers/delivery/test_pacing.py is).
        unpaced = Pacer(lambda: clock.now().timestamp(), tiers={})
        worker = create_worker(settings, clock=clock, jobs=False, pacer=unpaced)
        health = HealthCheck(clock, worker_alive=lambda: True, max_backlog=max_backlog)
        over_http = web.bolt if transport == "http" else None
        application = wsgi_app(over_http, health, web.gate)
        server = create_server(application, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=serve_until_closed, args=(server,), daemon=True).start()
        if run_worker:
            worker.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        if transport == "socket":
            handler = SocketModeHandler(web.bolt, slack.app_token)
            handler.connect()
            slack.socket_mode.wait_for_connections(1)
            requests = SocketModeRequests(slack.socket_mode, slack)
        else:
            handler, requests = None, SlackRequests(base, SIGNING_SECRET, slack)
        started.append((web, worker, server, handler))
        return Running(worker, slack, requests, base, clock, settings)

    yield start
    for web, worker, server, handler in started:
        if handler is not None:
            handler.close()
        server.closing = True
        server.close()
        web.writer.close()
        if worker.runner.is_alive():
            worker.stop(timeout=10)
    APP_METHODS_SEEN.update(call.method for call in slack.calls if call.ok)
    APP_SCOPE_NEEDS.update(
        need
        for call in slack.calls
        if call.ok
        for need in slack.scope_needs(call.method, call.args)
    )
    assert not slack.block_failures, f"the app sent invalid Block Kit: {slack.block_failures}"
    close_database()


@pytest.fixture
def running(start_app) -> Running:
    return start_app()


@pytest.fixture
def smtp():
    controller, inbox = start_server()
    yield f"smtp://127.0.0.1:{controller.port}?from=lobby@example.com", inbox
    controller.stop()
