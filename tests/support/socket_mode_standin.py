"""A local stand-in of Slack's Socket Mode: the WebSocket side of Slack.

`SocketModeStandIn` is a real WebSocket server (the `websockets` package, sync API) on
127.0.0.1. `SlackStandIn.socket_mode` starts one; `apps.connections.open` hands out its
URL with a single-use ticket. As Slack does (https://api.slack.com/apis/socket-mode), it
sends `hello` on connect, then envelopes (`slash_commands`, `interactive`, `events_api`),
each to one open connection, and records the app's acks with the time they took: an ack
later than `ack_deadline` seconds is missed. It can send `disconnect` messages, close
connections, and shows which connections are open and who closed the others.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.support.socket_mode_records import Ack, Envelope, SocketConnection

__all__ = ["Ack", "Envelope", "SocketConnection", "SocketModeStandIn"]

ACK_DEADLINE_SECONDS = 3.0
# Commands and interactions may answer inside the ack (a message, a response_action);
# events may not.
ACCEPTS_RESPONSE_PAYLOAD = {"slash_commands": True, "interactive": True, "events_api": False}


class SocketModeStandIn:
    """Slack's Socket Mode endpoint, for one app. See the module docstring."""

    def __init__(self, app_id: str = "A0LOBBY", *, ack_deadline: float = ACK_DEADLINE_SECONDS):
        self.app_id = app_id
        self.ack_deadline = ack_deadline
        self.connections: list[SocketConnection] = []  # every connection, closed ones too
        self.envelopes: list[Envelope] = []
        self.acks: list[Ack] = []
        self.refused: list[str] = []  # why handshakes were refused
        self.problems: list[str] = []  # what the app did that Slack would not accept
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._envelopes_by_id: dict[str, Envelope] = {}
        self._next_connection = itertools.count(1)
        self._turn = itertools.count()
        self._changed = threading.Condition(threading.RLock())
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> SocketModeStandIn:
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            close_timeout=2,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (code 1001, as a server going away) and stop listening."""
        if self._server is None:
            return
        with self._changed:
            for connection in self.connections:
                connection._closing = True
        self._server.shutdown()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server, "the Socket Mode stand-in is not started"
        return self._server.socket.getsockname()[1]

    def issue_url(self) -> str:
        """A WebSocket URL with a new single-use ticket, as apps.connections.open answers."""
        ticket = f"{uuid.uuid4()}-{secrets.token_hex(8)}"
        with self._changed:
            self._tickets[ticket] = False
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    # ----------------------------------------------------------------- sending

    def send_command(self, fields: dict[str, Any], **options: Any) -> Envelope:
        """A slash command: `fields` as SlackRequests.command_fields builds them."""
        return self.send_envelope("slash_commands", fields, **options)

    def send_interactive(self, payload: dict[str, Any], **options: Any) -> Envelope:
        """A block_actions / view_submission / ... payload."""
        return self.send_envelope("interactive", payload, **options)

    def send_event(self, body: dict[str, Any], **options: Any) -> Envelope:
        """An Events API `event_callback` body."""
        return self.send_envelope("events_api", body, **options)

    def send_envelope(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        connection: SocketConnection | None = None,
        wait_for_connection: float = 5.0,
    ) -> Envelope:
        """Send to `connection`, or to one open connection in turn (waiting for one)."""
        target = connection or self._pick_connection(wait_for_connection)
        envelope = Envelope(
            id=str(uuid.uuid4()),
            type=envelope_type,
            payload=payload,
            accepts_response_payload=(
                ACCEPTS_RESPONSE_PAYLOAD[envelope_type]
                if accepts_response_payload is None
                else accepts_response_payload
            ),
            connection_id=target.id,
            sent_at=time.monotonic(),
            deadline=self.ack_deadline,
        )
        with self._changed:
            self.envelopes.append(envelope)
            self._envelopes_by_id[envelope.id] = envelope
        target.websocket.send(json.dumps(envelope.as_message()))
        return envelope

    def send_disconnect(
        self, reason: str = "refresh_requested", connection: SocketConnection | None = None
    ) -> None:
        """Slack's `disconnect` message (`warning`, `refresh_requested`, `link_disabled`)."""
        message = json.dumps(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "socket-standin"}}
        )
        for target in [connection] if connection else self.open_connections():
            target.websocket.send(message)

    def close_connection(self, connection: SocketConnection | None = None) -> None:
        """Close `connection` (all open ones without it) from Slack's side."""
        for target in [connection] if connection else self.open_connections():
            target._closing = True
            target.websocket.close(code=1001, reason="closed by the stand-in")
            target.websocket.wait_closed(timeout=3)

    # ----------------------------------------------------------------- queries

    def open_connections(self) -> list[SocketConnection]:
        with self._changed:
            return [connection for connection in self.connections if connection.is_open]

    def missed_acks(self) -> list[Envelope]:
        """Envelopes acked too late, or not acked and past their deadline."""
        with self._changed:
            return [
                envelope
                for envelope in self.envelopes
                if envelope.overdue or (envelope.received_ack and envelope.received_ack.missed)
            ]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy: re-checked on every change, and every 50 ms."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (value := predicate()) and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(min(left, 0.05))
        if not value:
            raise AssertionError(
                f"Socket Mode condition not met within {timeout}s; connections: "
                f"{[(c.id, c.is_open, c.closed_by) for c in self.connections]}"
            )
        return value

    def wait_for_connections(self, count: int = 1, timeout: float = 5.0) -> list[SocketConnection]:
        """Wait until at least `count` connections are open (each has had its hello)."""

        def enough_open() -> list[SocketConnection]:
            opened = self.open_connections()
            return opened if len(opened) >= count else []

        return self.wait_for(enough_open, timeout)

    # ----------------------------------------------------------------- serving

    def _check_ticket(self, websocket: ServerConnection, request: Any) -> Any:
        url = urlsplit(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._changed:
            known, used = ticket in self._tickets, self._tickets.get(ticket, False)
            if url.path.rstrip("/") == "/link" and known and not used:
                self._tickets[ticket] = True
                websocket.ticket = ticket  # type: ignore[attr-defined]
                return None
            reason = "ticket already used" if used else "unknown ticket"
            self.refused.append(f"{request.path}: {reason}")
        return websocket.respond(HTTPStatus.UNAUTHORIZED, f"{reason}\n")

    def _handle(self, websocket: ServerConnection) -> None:
        connection = self._open(websocket)
        try:
            for raw in websocket:
                self._receive(connection, raw)
        except ConnectionClosed:
            pass  # the app dropped the socket without a close frame
        finally:
            with self._changed:
                connection.closed_at = time.monotonic()
                connection.closed_by = "standin" if connection._closing else "app"
                connection.close_code = websocket.close_code
                self._changed.notify_all()

    def _open(self, websocket: ServerConnection) -> SocketConnection:
        with self._changed:
            connection = SocketConnection(
                id=f"socket-{next(self._next_connection)}",
                ticket=getattr(websocket, "ticket", ""),
                opened_at=time.monotonic(),
                websocket=websocket,
            )
            hello = {
                "type": "hello",
                "num_connections": len(self.open_connections()) + 1,
                "debug_info": {
                    "host": "socket-standin",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
            websocket.send(json.dumps(hello))
            self.connections.append(connection)
            self._changed.notify_all()
        return connection

    def _receive(self, connection: SocketConnection, raw: str | bytes) -> None:
        at = time.monotonic()
        with self._changed:
            try:
                message = json.loads(raw)
            except ValueError:
                self.problems.append(f"{connection.id} sent something not JSON: {raw!r:.200}")
                return
            connection.received.append(message)
            envelope = self._envelopes_by_id.get(str(message.get("envelope_id")))
            if envelope is None:
                self.problems.append(f"{connection.id} sent a message acking nothing: {message}")
            elif envelope.received_ack is not None:
                self.problems.append(f"envelope {envelope.id} acked twice")
            else:
                self._record_ack(connection, envelope, message, at - envelope.sent_at)

    def _record_ack(
        self, connection: SocketConnection, envelope: Envelope, message: dict, seconds: float
    ) -> None:
        payload = message.get("payload")
        if payload is not None and not envelope.accepts_response_payload:
            self.problems.append(f"{envelope.type} envelope {envelope.id} acked with a payload")
        ack = Ack(envelope.id, payload, seconds, connection.id, seconds > envelope.deadline)
        envelope.received_ack = ack
        self.acks.append(ack)
        envelope._acked.set()
        self._changed.notify_all()

    def _pick_connection(self, timeout: float) -> SocketConnection:
        """Slack sends each envelope to one of the open connections."""
        open_now = self.wait_for_connections(1, timeout)
        return open_now[next(self._turn) % len(open_now)]
