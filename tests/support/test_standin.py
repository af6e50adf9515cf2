"""Tests of the Slack stand-in and of the request client that plays Slack."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from tests.support.blockkit import assert_valid_message_blocks, assert_valid_view
from tests.support.slack_requests import SlackRequests
from tests.support.slack_standin import SlackStandIn

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}
MODAL = {
    "type": "modal",
    "callback_id": "ask",
    "title": {"type": "plain_text", "text": "Ask"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "who",
            "label": {"type": "plain_text", "text": "Email"},
            "element": {"type": "plain_text_input", "action_id": "email"},
        }
    ],
}
APPROVE = {
    "type": "actions",
    "block_id": "decide",
    "elements": [
        {
            "type": "button",
            "action_id": "approve",
            "text": {"type": "plain_text", "text": "Approve"},
            "value": "req-1",
        }
    ],
}


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        standin.add_user("U1", "alice", email="alice@example.org")
        standin.add_channel("C1", "team", bot_is_member=True)
        standin.add_channel("C2", "elsewhere")
        standin.add_channel("G1", "secret", is_private=True)
        yield standin


def client_for(slack: SlackStandIn, **options) -> WebClient:
    # No retry handlers: each test sees Slack's first answer.
    return WebClient(token=slack.token, base_url=slack.api_url, retry_handlers=[], **options)


def slack_error(call, **kwargs) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call(**kwargs)
    return raised.value


# ----------------------------------------------------------------- the contract


def test_unknown_method_is_refused(slack):
    error = slack_error(client_for(slack).api_call, api_method="users.invent")
    assert error.response.status_code == 404
    assert error.response["error"] == "unknown_method"


def test_unknown_argument_is_refused_by_name(slack):
    error = slack_error(client_for(slack).users_info, user="U1", colour="red")
    assert error.response["error"] == "invalid_arguments"
    assert "colour" in error.response["response_metadata"]["messages"][0]


def test_missing_required_argument_is_refused(slack):
    error = slack_error(client_for(slack).api_call, api_method="users.info", params={})
    assert error.response["error"] == "invalid_arguments"
    assert "user" in error.response["response_metadata"]["messages"][0]


def test_token_is_checked(slack):
    client = WebClient(token="xoxb-wrong", base_url=slack.api_url)
    assert slack_error(client.auth_test).response["error"] == "invalid_auth"
    anonymous = WebClient(base_url=slack.api_url)
    assert slack_error(anonymous.auth_test).response["error"] == "not_authed"


def test_missing_scope_names_needed_and_provided():
    with SlackStandIn(scopes={"chat:write"}) as slack:
        error = slack_error(client_for(slack).users_info, user="U0LOBBYBOT")
    assert error.response["error"] == "missing_scope"
    assert error.response["needed"] == "users:read"
    assert error.response["provided"] == "chat:write"


def test_conversation_scope_follows_the_channel_kind():
    with SlackStandIn(scopes={"channels:read"}) as slack:
        slack.add_channel("G1", "secret", is_private=True, bot_is_member=True)
        client = client_for(slack)
        assert client.conversations_info(channel="C0GENERAL")["channel"]["is_general"]
        error = slack_error(client.conversations_info, channel="G1")
    assert error.response["error"] == "missing_scope"
    assert error.response["needed"] == "groups:read"


def test_calls_are_recorded(slack):
    client_for(slack).auth_test()
    assert [(call.method, call.ok) for call in slack.calls] == [("auth.test", True)]


# ----------------------------------------------------------------- faults


def test_fail_with_429_carries_retry_after(slack):
    slack.fail("users.info", status=429, retry_after=7)
    error = slack_error(client_for(slack).users_info, user="U1")
    assert error.response.status_code == 429
    assert error.response["error"] == "ratelimited"
    assert error.response.headers["Retry-After"] == "7"
    assert client_for(slack).users_info(user="U1")["user"]["name"] == "alice"


def test_rate_limit_window(slack):
    slack.enforce_rate_limit("users.info", per_minute=2)
    client = client_for(slack)
    client.users_info(user="U1")
    client.users_info(user="U1")
    error = slack_error(client.users_info, user="U1")
    assert error.response.status_code == 429
    assert 1 <= int(error.response.headers["Retry-After"]) <= 60


def test_dropped_connection_gets_no_answer(slack):
    slack.drop_connections("users.info", times=1)
    with pytest.raises(ConnectionError):
        client_for(slack).users_info(user="U1")
    assert client_for(slack).users_info(user="U1")["ok"]


# ----------------------------------------------------------------- Block Kit


def test_invented_block_key_is_invalid_blocks(slack):
    invented = {**SECTION, "colour": "red"}
    post = client_for(slack).chat_postMessage
    error = slack_error(post, channel="C1", text="Hello", blocks=[invented])
    assert error.response["error"] == "invalid_blocks"
    assert "colour" in slack.block_failures[0].reason
    assert slack.messages_to("C1") == []


def test_more_than_50_blocks_is_invalid_blocks(slack):
    post = client_for(slack).chat_postMessage
    error = slack_error(post, channel="C1", text="Hello", blocks=[SECTION] * 51)
    assert error.response["error"] == "invalid_blocks"


def test_blockkit_helpers_accept_valid_and_reject_invented():
    assert_valid_message_blocks([SECTION, APPROVE])
    assert_valid_view(MODAL)
    with pytest.raises(AssertionError, match="notify"):
        assert_valid_view({**MODAL, "notify": True})


def test_invalid_view_is_refused(slack):
    bad = {**MODAL, "title": {"type": "plain_text", "text": "x" * 30}}
    error = slack_error(
        client_for(slack).views_open, trigger_id=slack.new_trigger_id("U1"), view=bad
    )
    assert error.response["error"] == "invalid_arguments"
    assert slack.block_failures[0].where == "views.open"


# ----------------------------------------------------------------- the workspace


def test_invite_into_channel_without_the_bot_is_not_in_channel(slack):
    error = slack_error(client_for(slack).conversations_invite, channel="C2", users="U1")
    assert error.response["error"] == "not_in_channel"
    assert "U1" not in slack.channel_members("C2")


def test_invite_adds_member_then_says_already_in_channel(slack):
    client = client_for(slack)
    assert client.conversations_invite(channel="C1", users=["U1"])["channel"]["id"] == "C1"
    assert "U1" in slack.channel_members("C1")
    error = slack_error(client.conversations_invite, channel="C1", users="U1")
    assert error.response["error"] == "already_in_channel"


def test_private_channel_the_bot_is_not_in_is_not_found(slack):
    error = slack_error(client_for(slack).conversations_info, channel="G1")
    assert error.response["error"] == "channel_not_found"


def test_message_to_a_user_lands_in_a_stable_dm(slack):
    client = client_for(slack)
    first = client.chat_postMessage(channel="U1", text="one")
    second = client.chat_postMessage(channel="U1", text="two")
    assert first["channel"] == second["channel"] == slack.dm_channel_id("U1")
    assert first["channel"].startswith("D")
    assert [message.text for message in slack.messages_to("U1")] == ["one", "two"]


def test_trigger_id_is_single_use(slack):
    client = client_for(slack)
    trigger_id = slack.new_trigger_id("U1")
    view_id = client.views_open(trigger_id=trigger_id, view=MODAL)["view"]["id"]
    assert view_id in slack.views
    error = slack_error(client.views_open, trigger_id=trigger_id, view=MODAL)
    assert error.response["error"] == "exchanged_trigger_id"


def test_trigger_id_expires(slack):
    slack.trigger_ttl = 0
    error = slack_error(
        client_for(slack).views_open, trigger_id=slack.new_trigger_id("U1"), view=MODAL
    )
    assert error.response["error"] == "expired_trigger_id"


def test_usergroups_can_be_unavailable(slack):
    slack.add_usergroup("S1", "admins", users=["U1"])
    slack.usergroups_unavailable = True
    error = slack_error(client_for(slack).usergroups_users_list, usergroup="S1")
    assert error.response["error"] == "paid_teams_only"


def test_usergroup_cannot_be_emptied(slack):
    slack.add_usergroup("S1", "admins", users=["U1"])
    error = slack_error(client_for(slack).usergroups_users_update, usergroup="S1", users=[])
    assert error.response["error"] == "invalid_users"
    assert slack.usergroup_users("S1") == ["U1"]


def test_response_url_takes_five_posts(slack):
    url = slack.new_response_url()
    webhook = WebhookClient(url)
    statuses = [webhook.send(text=f"reply {n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]
    assert slack.responses_to(url)[-1].payload == {"text": "reply 5"}


def test_file_upload_round_trip(slack):
    client_for(slack).files_upload_v2(channel="C1", content="a,b\n", filename="list.csv")
    (upload,) = slack.uploads.values()
    assert (upload.data, upload.channel) == (b"a,b\n", "C1")


# ----------------------------------------------------------------- requests as Slack sends them

SIGNING_SECRET = "test-signing-secret"


class BoltServer:
    """A bolt-python app behind a local HTTP server, for checking SlackRequests."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        app = self.app

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                headers = {name.lower(): [value] for name, value in self.headers.items()}
                answer = app.dispatch(BoltRequest(body=body, headers=headers))
                data = answer.body.encode()
                self.send_response(answer.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args) -> None:
                pass

        return Handler


@pytest.fixture
def bolt(slack) -> Iterator[tuple[App, SlackRequests]]:
    app = App(client=client_for(slack), signing_secret=SIGNING_SECRET)
    server = BoltServer(app)
    yield app, SlackRequests(server.url, SIGNING_SECRET, slack)
    server.server.shutdown()
    server.server.server_close()


def test_command_reaches_bolt_and_can_open_a_modal(bolt, slack):
    app, requests = bolt

    @app.command("/invite")
    def invite(ack, command, client):
        ack()
        assert command["text"] == "alice@example.org"
        client.views_open(trigger_id=command["trigger_id"], view=MODAL)

    assert requests.command("alice@example.org", user_id="U1").status == 200
    slack.wait_for(lambda: slack.views)


def test_click_carries_the_message_and_button(bolt, slack):
    app, requests = bolt
    seen = []

    @app.action("approve")
    def approve(ack, body, action, respond):
        ack()
        seen.append((action["value"], action["block_id"], body["container"]["channel_id"]))
        respond(text="Approved", replace_original=True)

    posted = client_for(slack).chat_postMessage(channel="U1", text="Approve?", blocks=[APPROVE])
    message = slack.message(posted["channel"], posted["ts"])
    assert requests.click(message, "approve", user_id="U1").status == 200
    assert seen == [("req-1", "decide", posted["channel"])]
    slack.wait_for(lambda: message.text == "Approved")


def test_click_on_a_missing_button_is_a_clear_failure(bolt, slack):
    _, requests = bolt
    posted = client_for(slack).chat_postMessage(channel="U1", text="Approve?", blocks=[APPROVE])
    with pytest.raises(AssertionError, match="action_id='reject'"):
        requests.click(slack.calls_to("chat.postMessage")[0], "reject", user_id="U1")
    assert posted["ok"]


def test_view_submission_carries_state_values(bolt, slack):
    app, requests = bolt
    submitted = []

    @app.view("ask")
    def on_submit(ack, view):
        ack()
        submitted.append(view["state"]["values"])

    opened = client_for(slack).views_open(trigger_id=slack.new_trigger_id("U1"), view=MODAL)
    values = {"who": {"email": {"value": "bob@example.org"}}}
    assert requests.submit_view(opened["view"]["id"], values, user_id="U1").status == 200
    assert submitted == [
        {"who": {"email": {"type": "plain_text_input", "value": "bob@example.org"}}}
    ]


def test_events_and_url_verification(bolt):
    app, requests = bolt
    received = []

    @app.event("member_joined_channel")
    def joined(event):
        received.append(event["user"])

    event = {"type": "member_joined_channel", "user": "U1", "channel": "C1", "team": "T0LOBBY"}
    assert requests.event(event, retry_num=1).status == 200
    assert requests.url_verification("abc").json == {"challenge": "abc"}


def test_bad_signature_and_stale_timestamp_are_refused(bolt):
    _, requests = bolt
    assert requests.command("x", user_id="U1", signature="v0=bad").status == 401
    assert requests.command("x", user_id="U1", timestamp=1_000_000).status == 401
