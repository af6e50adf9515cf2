"""Send requests to the app under test exactly as Slack sends them: signed, real shapes.

Payload shapes follow Slack's documentation and bolt-python's own scenario tests
(slash command form body, `block_actions` and `view_submission` as a `payload=` form
field, Events API `event_callback` envelope, `url_verification`).
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.support.slack_standin import Call, Message, SlackStandIn

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
ACTION_ELEMENT_TYPES = {"button", "overflow", "static_select", "users_select", "datepicker"}


@dataclass
class AppResponse:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON (e.g. an empty ack)."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None


class SlackRequests:
    """A client that plays Slack towards the app's `POST /slack/events`."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        slack: SlackStandIn,
        *,
        path: str = "/slack/events",
        verification_token: str = "lobby-verification-token",
    ) -> None:
        self.url = base_url.rstrip("/") + path
        self.verifier = SignatureVerifier(signing_secret)
        self.slack = slack
        self.verification_token = verification_token
        self.last_payload: Any = None

    # ----------------------------------------------------------------- payloads

    def command(
        self,
        text: str,
        *,
        user_id: str,
        team_id: str | None = None,
        command: str = "/invite",
        channel_id: str = "C0GENERAL",
        **signing: Any,
    ) -> AppResponse:
        """A slash command invocation, form-encoded as Slack posts it."""
        fields = self.command_fields(
            text, user_id=user_id, team_id=team_id, command=command, channel_id=channel_id
        )
        self.last_payload = fields
        return self.post(urlencode(fields), FORM, **signing)

    def command_fields(
        self,
        text: str,
        *,
        user_id: str,
        team_id: str | None = None,
        command: str = "/invite",
        channel_id: str = "C0GENERAL",
    ) -> dict[str, str]:
        return {
            "token": self.verification_token,
            "team_id": team_id or self.slack.team_id,
            "team_domain": self.slack.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.slack.app_id,
            "is_enterprise_install": "false",
            "response_url": self.slack.new_response_url(),
            "trigger_id": self.slack.new_trigger_id(user_id),
        }

    def click(
        self,
        message: Message | Call,
        action_id: str,
        *,
        user_id: str,
        value: str | None = None,
        selected: dict[str, str] | None = None,
        **signing: Any,
    ) -> AppResponse:
        """A `block_actions` payload for clicking a button of a message the stand-in holds.

        `selected` maps a select's action_id to the option value chosen before the click;
        other selects keep their initial option, as Slack reports them in `state`.
        """
        message = self._recorded_message(message)
        block_id, element = _find_element(message, action_id, value)
        action = {
            "action_id": action_id,
            "block_id": block_id,
            "text": element.get("text"),
            "value": element.get("value"),
            "type": element["type"],
            "action_ts": f"{time.time():.6f}",
        }
        if "style" in element:
            action["style"] = element["style"]
        payload = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.slack.app_id,
            "token": self.verification_token,
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": False,
            },
            "trigger_id": self.slack.new_trigger_id(user_id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": message.channel, "name": self._channel_name(message.channel)},
            "message": message.as_slack(self.slack.team_id),
            "state": {"values": _message_state(message, selected or {})},
            "response_url": self.slack.new_response_url(message),
            "actions": [action],
        }
        return self._post_payload(payload, **signing)

    def submit_view(
        self,
        view: dict[str, Any] | str,
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user_id: str,
        **signing: Any,
    ) -> AppResponse:
        """A `view_submission` payload for a view opened through the stand-in.

        `values` is `{block_id: {action_id: value_dict}}`, e.g.
        `{"who": {"email": {"value": "a@b.org"}}}`; a missing `type` is taken from the view.
        """
        opened = self.slack.views[view] if isinstance(view, str) else view
        submitted = {**opened, "state": {"values": _state_values(opened, values)}}
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.slack.app_id,
            "token": self.verification_token,
            "trigger_id": self.slack.new_trigger_id(user_id),
            "view": submitted,
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return self._post_payload(payload, **signing)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **signing: Any,
    ) -> AppResponse:
        """An Events API `event_callback`; with `retry_num`, marked as Slack's retry."""
        now = time.time()
        envelope = {
            "token": self.verification_token,
            "team_id": self.slack.team_id,
            "api_app_id": self.slack.app_id,
            "event": {"event_ts": f"{now:.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.slack.team_id,
                    "user_id": self.slack.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(16)}",
        }
        headers = dict(signing.pop("headers", None) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        self.last_payload = envelope
        return self.post(json.dumps(envelope), JSON, headers=headers, **signing)

    def url_verification(
        self,
        challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        **signing: Any,
    ) -> AppResponse:
        payload = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        self.last_payload = payload
        return self.post(json.dumps(payload), JSON, **signing)

    # ----------------------------------------------------------------- transport

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> AppResponse:
        """POST a raw body, signed with the signing secret unless `signature` is given."""
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        if signature is None:
            signature = self.verifier.generate_signature(timestamp=timestamp, body=body)
        request = urllib.request.Request(self.url, data=body.encode(), method="POST")
        request.add_header("Content-Type", content_type)
        request.add_header("X-Slack-Request-Timestamp", timestamp)
        request.add_header("X-Slack-Signature", signature)
        request.add_header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return AppResponse(answer.status, dict(answer.headers), answer.read().decode())
        except urllib.error.HTTPError as answer:
            return AppResponse(answer.code, dict(answer.headers), answer.read().decode())

    def _post_payload(self, payload: dict[str, Any], **signing: Any) -> AppResponse:
        self.last_payload = payload
        return self.post(urlencode({"payload": json.dumps(payload)}), FORM, **signing)

    # ----------------------------------------------------------------- workspace facts

    def _recorded_message(self, message: Message | Call) -> Message:
        if isinstance(message, Message):
            return message
        assert message.ok and message.response, f"{message.method} call did not post a message"
        found = self.slack.message(message.response["channel"], message.response["ts"])
        assert found, f"the stand-in holds no message {message.response['ts']}"
        return found

    def _user_name(self, user_id: str) -> str:
        return self.slack.user_name(user_id) or user_id.lower()

    def _user(self, user_id: str) -> dict[str, str]:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.slack.team_id}

    def _team(self) -> dict[str, str]:
        return {"id": self.slack.team_id, "domain": self.slack.team_domain}

    def _channel_name(self, channel_id: str) -> str:
        if channel_id.startswith("D"):
            return "directmessage"
        return self.slack.channel_name(channel_id) or "unknown-channel"


def _find_element(message: Message, action_id: str, value: str | None) -> tuple[str, dict]:
    """The block_id and interactive element a click on `action_id` (and `value`) hits."""
    for block in message.blocks:
        candidates = list(block.get("elements") or []) + [block.get("accessory") or {}]
        for element in candidates:
            if element.get("action_id") != action_id:
                continue
            if value is None or element.get("value") == value:
                return block["block_id"], element
    buttons = [
        (element.get("action_id"), element.get("value"))
        for block in message.blocks
        for element in list(block.get("elements") or []) + [block.get("accessory") or {}]
        if element.get("type") in ACTION_ELEMENT_TYPES
    ]
    raise AssertionError(
        f"message {message.ts} has no element with action_id={action_id!r}"
        + (f" and value={value!r}" if value is not None else "")
        + f"; it has {buttons}"
    )


def _state_values(
    view: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """`state.values` for `values`, checked against the view's input blocks."""
    inputs = {
        block.get("block_id"): block.get("element") or {}
        for block in view.get("blocks", [])
        if block.get("type") == "input"
    }
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id, by_action in values.items():
        assert block_id in inputs, f"view has no input block {block_id!r}; it has {sorted(inputs)}"
        element = inputs[block_id]
        for action_id, value in by_action.items():
            assert element.get("action_id") == action_id, (
                f"input block {block_id!r} holds action_id {element.get('action_id')!r}, "
                f"not {action_id!r}"
            )
            state.setdefault(block_id, {})[action_id] = {"type": element.get("type"), **value}
    for block_id, element in inputs.items():
        if block_id not in state and element.get("action_id"):
            state[block_id] = {element["action_id"]: _initial_value(element)}
    return state


INITIAL_TO_STATE = {
    "initial_value": "value",
    "initial_option": "selected_option",
    "initial_options": "selected_options",
    "initial_users": "selected_users",
    "initial_user": "selected_user",
}
EMPTY_STATE = {
    "plain_text_input": {"value": None},
    "static_select": {"selected_option": None},
    "multi_static_select": {"selected_options": []},
    "multi_users_select": {"selected_users": []},
    "users_select": {"selected_user": None},
}


def _initial_value(element: dict[str, Any]) -> dict[str, Any]:
    """What Slack puts in state.values for an input the person left as it was."""
    value = {"type": element.get("type"), **EMPTY_STATE.get(element.get("type"), {})}
    for initial, state_key in INITIAL_TO_STATE.items():
        if initial in element:
            value[state_key] = element[initial]
    return value


def _message_state(message: Message, selected: dict[str, str]) -> dict[str, Any]:
    """`state.values` of a message's selects: the chosen option, else the initial one."""
    state: dict[str, Any] = {}
    for block in message.blocks:
        for element in block.get("elements") or []:
            if element.get("type") != "static_select":
                continue
            option = element.get("initial_option")
            if element["action_id"] in selected:
                wanted = selected[element["action_id"]]
                option = next(o for o in element["options"] if o["value"] == wanted)
            state.setdefault(block["block_id"], {})[element["action_id"]] = {
                "type": "static_select",
                "selected_option": option,
            }
    return state
