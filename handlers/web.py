"""The HTTP surface: Slack's requests on /slack/events, the health check on /healthz, and
for the distributable app "Add to Slack" on /slack/install and /slack/oauth_redirect.

While the app stops, new requests from Slack get 503 (Slack's own retry, or the person,
tries again, maybe on another instance) and the ones already in flight finish.
"""

import threading

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from handlers.health import HealthCheck

JSON = [("Content-Type", "application/json")]
TEXT = [("Content-Type", "text/plain; charset=utf-8")]


class Gate:
    """Counts requests in flight, and turns new ones away once closed."""

    def __init__(self):
        self._open = True
        self._in_flight = 0
        self._idle = threading.Condition()

    @property
    def is_open(self) -> bool:
        return self._open

    def enter(self) -> bool:
        with self._idle:
            if self._open:
                self._in_flight += 1
            return self._open

    def leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def close(self, wait_seconds: float) -> None:
        """Take no more; wait (up to `wait_seconds`) for those in flight."""
        with self._idle:
            self._open = False
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=wait_seconds)


def wsgi_app(bolt_app: App | None, health: HealthCheck, gate: Gate):
    """With no Bolt app (Socket Mode), only /healthz is served."""
    slack = SlackRequestHandler(bolt_app, path="/slack/events") if bolt_app else None
    paths = {"/slack/events"}
    if bolt_app is not None and bolt_app.oauth_flow is not None:  # "Add to Slack"
        paths |= {bolt_app.oauth_flow.install_path, bolt_app.oauth_flow.redirect_uri_path}

    def application(environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method == "GET":
            healthy, body = health()
            start_response("200 OK" if healthy else "503 Service Unavailable", JSON)
            return [body]
        if slack is None or path not in paths:
            start_response("404 Not Found", TEXT)
            return [b"not found"]
        if not gate.enter():
            start_response("503 Service Unavailable", TEXT + [("Retry-After", "5")])
            return [b"Lobby is stopping"]
        try:
            return slack(environ, start_response)
        finally:
            gate.leave()

    return application
