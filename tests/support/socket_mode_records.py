"""What passes through the Socket Mode stand-in: envelopes, the app's acks, connections."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.sync.server import ServerConnection


@dataclass
class Ack:
    """The app's answer to an envelope."""

    envelope_id: str
    payload: dict[str, Any] | None
    seconds: float  # from sending the envelope to receiving this ack
    connection_id: str
    missed: bool  # later than the deadline: Slack treats the envelope as not acked


@dataclass
class Envelope:
    """An envelope sent to the app; `ack()` waits for the app's answer."""

    id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    connection_id: str
    sent_at: float
    deadline: float
    retry_attempt: int = 0
    received_ack: Ack | None = None
    _acked: threading.Event = field(default_factory=threading.Event, repr=False)

    def as_message(self, retry_reason: str = "") -> dict[str, Any]:
        return {
            "envelope_id": self.id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
            "retry_attempt": self.retry_attempt,
            "retry_reason": retry_reason,
        }

    def wait_ack(self, timeout: float = 5.0) -> Ack:
        """The ack record once the app sent it; AssertionError if none within `timeout`."""
        if not self._acked.wait(timeout):
            raise AssertionError(f"no ack of {self.type} envelope {self.id} within {timeout}s")
        assert self.received_ack is not None
        return self.received_ack

    def ack(self, timeout: float = 5.0) -> dict[str, Any] | None:
        """The ack's payload (None: acked without one); AssertionError if not acked."""
        return self.wait_ack(timeout).payload

    @property
    def overdue(self) -> bool:
        """Not acked, and the deadline has passed."""
        return self.received_ack is None and time.monotonic() - self.sent_at > self.deadline


@dataclass
class SocketConnection:
    """One WebSocket connection from the app."""

    id: str
    ticket: str
    opened_at: float
    websocket: ServerConnection = field(repr=False)
    closed_at: float | None = None
    closed_by: str | None = None  # "app" or "standin"
    close_code: int | None = None
    received: list[dict[str, Any]] = field(default_factory=list)  # every message from the app
    _closing: bool = field(default=False, repr=False)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
