"""Tests of the Socket Mode stand-in, with slack_sdk's and Bolt's own Socket Mode clients."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.slack_requests import SlackRequests
from tests.support.slack_standin import SlackStandIn

Answer = Callable[[SocketModeRequest], dict[str, Any] | None]


class Received:
    """What a Socket Mode client got: every message, and the requests it acked."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.requests: list[SocketModeRequest] = []


@contextmanager
def socket_client(slack: SlackStandIn, answer: Answer | None = None) -> Iterator[Received]:
    """slack_sdk's built-in SocketModeClient, connected; acks each request with answer(req)."""
    web_client = WebClient(base_url=slack.api_url, retry_handlers=[])
    client = SocketModeClient(app_token=slack.app_token, web_client=web_client)
    received = Received()

    def on_message(_client: Any, message: dict[str, Any], _raw: str | None) -> None:
        received.messages.append(message)

    def on_request(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.requests.append(request)
        payload = answer(request) if answer else None
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    try:
        client.connect()
        yield received
    finally:
        client.close()


def command_fields(slack: SlackStandIn, text: str = "alice@example.org") -> dict[str, str]:
    requests = SlackRequests("http://127.0.0.1:9", "unused-signing-secret", slack)
    return requests.command_fields(text, user_id="U1")


def open_socket_url(slack: SlackStandIn) -> str:
    return WebClient(base_url=slack.api_url).apps_connections_open(app_token=slack.app_token)["url"]


@pytest.fixture
def slack_with_user(slack: SlackStandIn) -> SlackStandIn:
    slack.add_user("U1", "alice", email="alice@example.org")
    return slack


# ----------------------------------------------------------------- apps.connections.open


def test_connections_open_answers_a_socket_url(slack, socket_mode):
    url = open_socket_url(slack)
    assert url.startswith(f"ws://127.0.0.1:{socket_mode.port}/link/?ticket=")


def test_an_unknown_app_token_is_refused_with_invalid_auth(slack):
    client = WebClient(base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as raised:
        client.apps_connections_open(app_token="xapp-1-A0LOBBY-not-the-token")
    assert raised.value.response["error"] == "invalid_auth"


def test_token_types_are_not_interchangeable(slack):
    bot_client = WebClient(token=slack.token, base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as bot_token_for_socket:
        bot_client.apps_connections_open(app_token=slack.token)
    app_client = WebClient(token=slack.app_token, base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as app_token_for_web_api:
        app_client.auth_test()
    assert bot_token_for_socket.value.response["error"] == "not_allowed_token_type"
    assert app_token_for_web_api.value.response["error"] == "not_allowed_token_type"
    assert not slack.problems


def test_socket_mode_client_with_a_bad_app_token_does_not_connect(slack, socket_mode):
    client = SocketModeClient(
        app_token="xapp-1-A0LOBBY-not-the-token",
        web_client=WebClient(base_url=slack.api_url, retry_handlers=[]),
    )
    try:
        with pytest.raises(SlackApiError) as raised:
            client.connect()
    finally:
        client.close()
    assert raised.value.response["error"] == "invalid_auth"
    assert socket_mode.connections == []


# ----------------------------------------------------------------- handshake


def test_a_ticket_is_single_use(slack, socket_mode):
    url = open_socket_url(slack)
    with connect(url) as first:
        assert '"hello"' in first.recv(timeout=2)
        with pytest.raises(InvalidStatus) as raised:
            connect(url)
    assert raised.value.response.status_code == 401
    assert socket_mode.refused and "already used" in socket_mode.refused[0]


def test_an_unknown_ticket_is_refused(socket_mode):
    with pytest.raises(InvalidStatus):
        connect(f"ws://127.0.0.1:{socket_mode.port}/link/?ticket=made-up")
    assert socket_mode.connections == []


def test_hello_comes_first_and_counts_connections(slack, socket_mode):
    with socket_client(slack) as received:
        socket_mode.wait_for(lambda: received.messages)
        with connect(open_socket_url(slack)) as second:
            second_hello = json.loads(second.recv(timeout=2))
    assert received.messages[0] == {
        "type": "hello",
        "num_connections": 1,
        "debug_info": received.messages[0]["debug_info"],
        "connection_info": {"app_id": slack.app_id},
    }
    assert second_hello["num_connections"] == 2


# ----------------------------------------------------------------- envelopes and acks


def test_a_slash_command_is_delivered_and_acked_with_a_payload(slack_with_user, socket_mode):
    fields = command_fields(slack_with_user)
    with socket_client(slack_with_user, lambda request: {"text": "On it"}) as received:
        envelope = socket_mode.send_command(fields)
        assert envelope.ack(timeout=5) == {"text": "On it"}
    (request,) = received.requests
    assert (request.type, request.envelope_id, request.payload) == (
        "slash_commands",
        envelope.id,
        fields,
    )
    assert request.accepts_response_payload is True
    assert not envelope.received_ack.missed
    assert socket_mode.missed_acks() == []


def test_interactive_and_events_api_envelopes_are_delivered(slack, socket_mode):
    click = {"type": "block_actions", "actions": [{"action_id": "approve"}]}
    event = {"type": "event_callback", "event": {"type": "app_home_opened", "user": "U1"}}
    with socket_client(slack) as received:
        interaction = socket_mode.send_interactive(click)
        callback = socket_mode.send_event(event)
        assert interaction.ack() is None
        assert callback.ack() is None
    by_type = {request.type: request for request in received.requests}
    assert by_type["interactive"].payload == click
    assert by_type["events_api"].payload == event
    assert by_type["events_api"].accepts_response_payload is False


def test_an_ack_after_the_deadline_is_recorded_as_missed(slack, socket_mode):
    socket_mode.ack_deadline = 0.2
    release = threading.Event()

    def slow(request: SocketModeRequest) -> None:
        release.wait(timeout=5)

    with socket_client(slack, slow):
        envelope = socket_mode.send_command({"command": "/invite", "text": ""})
        socket_mode.wait_for(lambda: envelope.overdue)
        assert socket_mode.missed_acks() == [envelope]
        release.set()
        ack = envelope.wait_ack(timeout=5)
    assert ack.missed and ack.seconds > 0.2
    assert socket_mode.missed_acks() == [envelope]


def test_ack_fails_when_the_app_never_acks(slack, socket_mode):
    with connect(open_socket_url(slack)) as app_socket:
        assert json.loads(app_socket.recv(timeout=2))["type"] == "hello"
        envelope = socket_mode.send_event({"type": "event_callback"})
        assert json.loads(app_socket.recv(timeout=2))["envelope_id"] == envelope.id
        with pytest.raises(AssertionError, match="no ack"):
            envelope.ack(timeout=0.2)


def test_a_payload_in_an_event_ack_is_a_problem(slack, socket_mode):
    with connect(open_socket_url(slack)) as app_socket:
        app_socket.recv(timeout=2)
        envelope = socket_mode.send_event({"type": "event_callback"})
        app_socket.recv(timeout=2)
        app_socket.send(json.dumps({"envelope_id": envelope.id, "payload": {"text": "hi"}}))
        assert envelope.ack() == {"text": "hi"}
    assert socket_mode.problems == [f"events_api envelope {envelope.id} acked with a payload"]
    socket_mode.problems.clear()


# ----------------------------------------------------------------- connections


def test_each_envelope_goes_to_one_connection(slack, socket_mode):
    with connect(open_socket_url(slack)) as first, connect(open_socket_url(slack)) as second:
        socket_mode.wait_for_connections(2)
        envelopes = {socket_mode.send_command({"command": "/invite"}).id for _ in range(2)}
        first_hello, first_envelope = (json.loads(first.recv(timeout=2)) for _ in range(2))
        second_hello, second_envelope = (json.loads(second.recv(timeout=2)) for _ in range(2))
    assert {first_envelope["envelope_id"], second_envelope["envelope_id"]} == envelopes


def test_refresh_requested_makes_the_client_reconnect(slack, socket_mode):
    with socket_client(slack) as received:
        (old,) = socket_mode.wait_for_connections(1)
        socket_mode.send_disconnect("refresh_requested")
        socket_mode.wait_for(lambda: not old.is_open and socket_mode.open_connections())
        envelope = socket_mode.send_command({"command": "/invite"})
        assert envelope.ack() is None
    assert old.closed_by == "app"
    assert envelope.connection_id != old.id
    assert len(slack.calls_to("apps.connections.open")) == 2
    assert [r.envelope_id for r in received.requests] == [envelope.id]


def test_a_connection_the_standin_closes_is_marked_so(slack, socket_mode):
    with connect(open_socket_url(slack)) as app_socket:
        (connection,) = socket_mode.wait_for_connections(1)
        socket_mode.close_connection(connection)
        socket_mode.wait_for(lambda: not connection.is_open)
        assert app_socket.close_code == 1001
    assert connection.closed_by == "standin"


def test_a_client_that_closes_is_marked_so(slack, socket_mode):
    with connect(open_socket_url(slack)):
        (connection,) = socket_mode.wait_for_connections(1)
    socket_mode.wait_for(lambda: not socket_mode.open_connections())
    assert (connection.closed_by, connection.close_code) == ("app", 1000)


# ----------------------------------------------------------------- Bolt


def test_bolt_socket_mode_handler_acks_a_command_with_text(slack_with_user, socket_mode):
    slack = slack_with_user
    client = WebClient(token=slack.token, base_url=slack.api_url)
    app = App(token=slack.token, client=client, signing_secret="unused-in-socket-mode")

    @app.command("/invite")
    def invite(ack, command):
        ack(f"Inviting {command['text']}")

    handler = SocketModeHandler(app, slack.app_token)
    try:
        handler.connect()
        envelope = socket_mode.send_command(command_fields(slack, "bob@example.org"))
        assert envelope.ack(timeout=5) == {"text": "Inviting bob@example.org"}
    finally:
        handler.close()
    socket_mode.wait_for(lambda: not socket_mode.open_connections())
    assert socket_mode.connections[0].closed_by == "app"
