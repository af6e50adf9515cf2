"""The HTTP surface: Slack's requests on /slack/events and a health check on /healthz."""

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from storage.db import is_healthy


def wsgi_app(bolt_app: App):
    slack = SlackRequestHandler(bolt_app, path="/slack/events")

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            healthy = is_healthy()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok" if healthy else b"database unavailable"]
        return slack(environ, start_response)

    return application
