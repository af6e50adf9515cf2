"""SlackRequests over Socket Mode: the same payloads, sent as envelopes to the app's
WebSocket connection instead of signed HTTP posts; the ack's payload is the answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from tests.support.slack_requests import FORM, AppResponse, SlackRequests
from tests.support.slack_standin import SlackStandIn
from tests.support.socket_mode_standin import SocketModeStandIn

ACK_DEADLINE = 3.0  # Slack's: an envelope not acked by then counts as failed


class SocketModeRequests(SlackRequests):
    def __init__(self, socket_mode: SocketModeStandIn, slack: SlackStandIn) -> None:
        super().__init__("http://socket-mode.invalid", "no signing in Socket Mode", slack)
        self.socket_mode = socket_mode

    def post(self, body: str, content_type: str, **signing: Any) -> AppResponse:
        """Signing options (signature, timestamp, retry headers) have no meaning here."""
        if content_type == FORM:
            fields = dict(parse_qsl(body))
            if "payload" in fields:
                envelope = self.socket_mode.send_interactive(json.loads(fields["payload"]))
            else:
                envelope = self.socket_mode.send_command(fields)
        else:
            envelope = self.socket_mode.send_event(json.loads(body))
        payload = envelope.ack(timeout=ACK_DEADLINE)
        return AppResponse(200, {}, json.dumps(payload) if payload else "")
