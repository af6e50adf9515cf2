"""The floor: a bare Bolt app that only acks `/invite`, with Bolt's fastest settings.

`process_before_response=True` (no ack polling), the same signature check and the
same waitress server as Lobby. `/healthz` answers at once (it has no database).
Run alone: `PORT=3000 SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=… SLACK_API_URL=…
python bench/bare_app.py`.
"""

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def make_wsgi():
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    bolt = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
    )

    @bolt.command("/invite")
    def only_ack(ack):
        ack()

    slack = SlackRequestHandler(bolt, path="/slack/events")

    def application(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        return slack(environ, start_response)

    return application


if __name__ == "__main__":
    from waitress import serve

    serve(make_wsgi(), host="127.0.0.1", port=int(os.environ["PORT"]), threads=8)
