"""A local stand-in of Slack's Web API, held to Slack's published contract.

`SlackStandIn` is a real HTTP server that `slack_sdk.WebClient(base_url=standin.api_url)`
talks to. It checks each call against `tests/slack_reference/methods/<method>.json`
(method exists, argument names, required arguments, bot scopes), keeps a small fake
workspace, answers with Slack's response shapes and error names, validates Block Kit,
serves response_urls and file upload URLs, records every call and injects faults.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import inspect
import itertools
import json
import math
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.support.blockkit import assert_valid_message_blocks, assert_valid_view
from tests.support.slack_oauth import OAuthServer
from tests.support.slack_tiers import TierLimits
from tests.support.socket_mode_standin import SocketModeStandIn

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "slack_reference"
METHODS_DIR = REFERENCE_DIR / "methods"


# Errors any method can answer, beyond those its reference file lists.
GENERIC_ERRORS = {
    "not_authed",
    "invalid_auth",
    "missing_scope",
    "invalid_arguments",
    "ratelimited",
    "internal_error",
    "fatal_error",
    "unknown_method",
    "token_expired",  # a rotating token past its end (docs.slack.dev, token rotation)
}
# Errors Slack is seen answering that the reference does not list for the method:
# free workspaces get `paid_teams_only` from every usergroups.* method, and an unknown
# user group id is `no_such_subteam`.
UNDOCUMENTED_ERRORS = {"paid_teams_only", "no_such_subteam"}
# Slack answers `not_allowed_token_type` to a token of the wrong kind on any method (an
# app-level token on chat.postMessage, a bot token on apps.connections.open); the
# reference lists it only for a few methods (views.publish, team.accessLogs).
TOKEN_TYPE_ERRORS = {"not_allowed_token_type"}
# Methods that take the app-level token (xapp-) and no other.
APP_TOKEN_METHODS = {"apps.connections.open"}

# slack_sdk adds WebClient(team_id=...) to every call (bolt sets it); Slack accepts it.
TOLERATED_ARGS = {"team_id"}

TRIGGER_TTL_SECONDS = 3.0
RESPONSE_URL_TTL_SECONDS = 30 * 60
RESPONSE_URL_MAX_POSTS = 5
BLOCK_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}
VIEW_METHODS = {"views.open", "views.update", "views.publish"}


# --------------------------------------------------------------------------- reference


@functools.cache
def method_spec(method: str) -> dict[str, Any] | None:
    """The reference description of `method`, or None if Slack has no such method."""
    path = METHODS_DIR / f"{method}.json"
    if method == "methods" or not path.is_file():
        return None
    return json.loads(path.read_text())


def bot_scopes_of(method: str) -> list[str]:
    """Alternative bot scopes for `method` (empty: no scope needed)."""
    spec = method_spec(method) or {}
    return list((spec.get("scope") or {}).get("bot") or [])


def known_errors_of(method: str) -> set[str]:
    spec = method_spec(method) or {}
    return set(spec.get("errors") or {}) | GENERIC_ERRORS | UNDOCUMENTED_ERRORS | TOKEN_TYPE_ERRORS


def scopes_from_manifest(path: str | Path) -> set[str]:
    """The bot scopes (`oauth_config.scopes.bot`) an app manifest.yml requests."""
    manifest = yaml.safe_load(Path(path).read_text()) or {}
    return set(manifest.get("oauth_config", {}).get("scopes", {}).get("bot") or [])


def default_scopes() -> set[str]:
    """Every bot scope named by the methods the stand-in implements."""
    return {
        scope for method in SlackStandIn.implemented_methods() for scope in bot_scopes_of(method)
    }


# --------------------------------------------------------------------------- records


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float
    status: int = 200
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")


@dataclass
class Message:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]]
    user: str
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None

    def as_slack(self, team_id: str) -> dict[str, Any]:
        """The message object as Slack returns it and embeds it in payloads."""
        message: dict[str, Any] = {"type": "message", "user": self.user, "ts": self.ts}
        message["text"] = self.text or ""
        if self.bot_id:
            message.update(bot_id=self.bot_id, app_id=self.app_id)
        message["team"] = team_id
        if self.blocks:
            message["blocks"] = self.blocks
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        return message


@dataclass
class ResponsePost:
    url: str
    payload: dict[str, Any]
    status: int


@dataclass
class Upload:
    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None


@dataclass
class BlockFailure:
    where: str
    reason: str


@dataclass
class _User:
    id: str
    name: str
    email: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_bot: bool = False


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    members: set[str] = field(default_factory=set)
    is_archived: bool = False
    is_general: bool = False


@dataclass
class _Usergroup:
    id: str
    handle: str
    users: list[str]
    enabled: bool = True


@dataclass
class _Fault:
    error: str | None
    status: int
    retry_after: int | None
    times: int
    drop: bool = False


@dataclass
class _ResponseUrl:
    issued_at: float
    message: Message | None
    posts: int = 0


class SlackError(Exception):
    """Raised by a method implementation: answer `{"ok": false, "error": ...}`."""

    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


class _Drop(Exception):
    """Close the connection without answering."""


# --------------------------------------------------------------------------- HTTP


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.standin._serve(self)

    def do_POST(self) -> None:
        self.server.standin._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: SlackStandIn


def _read_args(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    """Arguments from the query string and a form-encoded or JSON body."""
    args: dict[str, Any] = _parse_form(urlsplit(handler.path).query)
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else b""
    content_type = handler.headers.get("Content-Type", "")
    if body and content_type.startswith("application/json"):
        parsed = json.loads(body)
        if not isinstance(parsed, dict):
            raise SlackError("invalid_arguments")
        args.update(parsed)
    elif body:
        args.update(_parse_form(body.decode()))
    return args


def _parse_form(text: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}


def _send_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


def _as_list(value: Any) -> list[str]:
    """`users`-style arguments: a comma-separated string or a JSON list."""
    if isinstance(value, list):
        return [str(item) for item in value]
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def _as_json(value: Any, error: str) -> Any:
    """`blocks`/`view`/`files` come as JSON strings in form bodies, as objects in JSON."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as problem:
        raise SlackError(error) from problem


def _metadata(args: dict[str, Any]) -> dict[str, Any] | None:
    if "metadata" not in args:
        return None
    metadata = _as_json(args["metadata"], "invalid_metadata_format")
    if not isinstance(metadata, dict) or not {"event_type", "event_payload"} <= set(metadata):
        raise SlackError("invalid_metadata_schema")
    return metadata


def _with_block_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks as Slack stores them: it gives every block without a block_id one."""
    stored = []
    for index, block in enumerate(blocks):
        if "block_id" not in block:
            digest = hashlib.sha1(f"{index}:{json.dumps(block, sort_keys=True)}".encode())
            block = {**block, "block_id": base64.b32encode(digest.digest()).decode()[:5]}
        stored.append(block)
    return stored


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


# --------------------------------------------------------------------------- stand-in


class SlackStandIn:
    """A fake Slack workspace behind a local Web API server. See the module docstring."""

    def __init__(
        self,
        scopes: Iterable[str] | None = None,
        *,
        token: str = "xoxb-lobby-test-token",
        app_token: str = "xapp-1-A0LOBBY-lobby-test-token",
        team_id: str = "T0LOBBY",
        team_domain: str = "lobby-test",
        team_name: str = "Lobby Test",
        bot_user_id: str = "U0LOBBYBOT",
        bot_id: str = "B0LOBBY",
        usergroups_unavailable: bool = False,
    ) -> None:
        self.scopes = set(default_scopes() if scopes is None else scopes)
        self.token = token
        self.token_ends: dict[str, float] = {}  # token rotation: each issued token's end
        self.app_token = app_token  # app-level token: apps.connections.open only
        self.team_id = team_id
        self.team_domain = team_domain
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = "A0LOBBY"
        self.usergroups_unavailable = usergroups_unavailable
        self.kicks_restricted = False  # True: conversations.kick answers restricted_action
        self.trigger_ttl = TRIGGER_TTL_SECONDS
        self.response_url_ttl = RESPONSE_URL_TTL_SECONDS

        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.ephemeral_messages: list[dict[str, Any]] = []
        self.responses: list[ResponsePost] = []
        self.block_failures: list[BlockFailure] = []
        self.views: dict[str, dict[str, Any]] = {}  # opened with views.open, by view id
        self.view_users: dict[str, str | None] = {}  # whose trigger_id opened each view
        self.problems: list[str] = []  # stand-in shortcomings met while serving
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, Upload] = {}

        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._usergroups: dict[str, _Usergroup] = {}
        self._triggers: dict[str, dict[str, Any]] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._rate_limits: dict[str, int] = {}
        self._rate_windows: dict[str, deque[float]] = defaultdict(deque)
        self._tiers: TierLimits | None = None
        self.clock: Callable[[], float] = time.monotonic  # rate limits' time; tests move it
        self._ids = itertools.count(1)
        self._epoch = int(time.time())
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket_mode: SocketModeStandIn | None = None

        self._workspaces: dict[str, SlackStandIn] = {}  # others behind this URL, by team
        self._home: SlackStandIn | None = None  # the stand-in whose server this one shares
        self.oauth = OAuthServer(self)
        self._users[bot_user_id] = _User(bot_user_id, "lobby", is_bot=True)
        self.add_channel("C0GENERAL", "general", is_general=True)

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> SlackStandIn:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._socket_mode:
            self._socket_mode.stop()
            self._socket_mode = None
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- workspaces

    def add_workspace(self, team_id: str, team_domain: str, **options: Any) -> SlackStandIn:
        """Another workspace behind this stand-in's URL, with its own token, people and
        calls; the app reaches it with the token it got when installed there."""
        other = SlackStandIn(
            self.scopes,
            token=f"xoxb-{team_id.lower()}-test-token",
            team_id=team_id,
            team_domain=team_domain,
            **{"team_name": team_domain.replace("-", " ").title(), **options},
        )
        other._home, other.oauth = self, self.oauth
        with self._lock:
            self._workspaces[team_id] = other
        return other

    def workspaces(self) -> list[SlackStandIn]:
        with self._lock:
            return [self, *self._workspaces.values()]

    def workspace_of_token(self, token: str | None) -> SlackStandIn:
        """The workspace `token` was issued in (this one for an unknown token)."""
        for workspace in self.workspaces():
            if token in (workspace.token, workspace.app_token, *workspace.token_ends):
                return workspace
        return self

    def workspace_of_team(self, team_id: str) -> SlackStandIn:
        return self._workspaces.get(team_id, self)

    def workspace_of_file(self, file_id: str) -> SlackStandIn:
        return next((w for w in self.workspaces() if file_id in w.uploads), self)

    @property
    def base_url(self) -> str:
        if self._home is not None:
            return self._home.base_url
        assert self._server, "the stand-in is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def socket_mode(self) -> SocketModeStandIn:
        """The Socket Mode endpoint apps.connections.open points at (started on first use)."""
        with self._lock:
            if self._socket_mode is None:
                self._socket_mode = SocketModeStandIn(self.app_id).start()
            return self._socket_mode

    @classmethod
    def implemented_methods(cls) -> list[str]:
        prefix = "_api_"
        return [
            name[len(prefix) :].replace("_", ".") for name in dir(cls) if name.startswith(prefix)
        ]

    # ----------------------------------------------------------------- workspace

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
    ) -> None:
        with self._lock:
            self._users[user_id] = _User(user_id, name, email, is_admin, is_owner, deleted)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = (),
        bot_is_member: bool = False,
        is_archived: bool = False,
        is_general: bool = False,
    ) -> None:
        member_ids = set(members) | ({self.bot_user_id} if bot_is_member else set())
        with self._lock:
            self._channels[channel_id] = _Channel(
                channel_id, name, is_private, member_ids, is_archived, is_general
            )

    def add_usergroup(self, usergroup_id: str, handle: str, users: Iterable[str] = ()) -> None:
        with self._lock:
            self._usergroups[usergroup_id] = _Usergroup(usergroup_id, handle, list(users))

    def channel_members(self, channel_id: str) -> set[str]:
        with self._lock:
            return set(self._channels[channel_id].members)

    def usergroup_users(self, usergroup_id: str) -> list[str]:
        with self._lock:
            return list(self._usergroups[usergroup_id].users)

    def usergroup_enabled(self, usergroup_id: str) -> bool:
        with self._lock:
            return self._usergroups[usergroup_id].enabled

    def user_name(self, user_id: str) -> str | None:
        with self._lock:
            user = self._users.get(user_id)
            return user.name if user else None

    def channel_name(self, channel_id: str) -> str | None:
        with self._lock:
            channel = self._channels.get(channel_id)
            return channel.name if channel else None

    def dm_channel_id(self, user_id: str) -> str:
        """The app's DM channel with `user_id`: stable per user."""
        return "D" + user_id[1:]

    def post_as_user(self, channel_id: str, user_id: str, text: str) -> Message:
        """A message some person wrote (the bot cannot update it)."""
        with self._lock:
            message = Message(channel_id, self._new_ts(), text, [], user_id)
            self.messages.append(message)
            return message

    # ----------------------------------------------------------------- tokens, URLs

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """A trigger_id as an interaction payload carries: views.open takes it once, within 3 s."""
        trigger_id = f"{next(self._ids)}.{self._epoch}.{secrets.token_hex(16)}"
        with self._lock:
            self._triggers[trigger_id] = {"at": time.monotonic(), "user": user_id, "used": False}
        return trigger_id

    def new_response_url(self, message: Message | None = None) -> str:
        """A response_url; posts with replace_original/delete_original act on `message`."""
        path = f"/hooks/actions/{self.team_id}/{next(self._ids)}/{secrets.token_hex(12)}"
        with self._lock:
            self._response_urls[path] = _ResponseUrl(time.monotonic(), message)
        return self.base_url + path

    # ----------------------------------------------------------------- faults

    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with an error."""
        error = error or {429: "ratelimited"}.get(status, "internal_error")
        assert error in known_errors_of(method), f"Slack never answers {method} with {error!r}"
        with self._lock:
            self._faults[method].append(_Fault(error, status, retry_after, times))

    def drop_connections(self, method: str, times: int = 1) -> None:
        """Close the socket without answering the next `times` calls of `method`."""
        with self._lock:
            self._faults[method].append(_Fault(None, 0, None, times, drop=True))

    def enforce_rate_limit(self, method: str, per_minute: int) -> None:
        """Beyond `per_minute` calls in any 60 s window, answer 429 with Retry-After."""
        with self._lock:
            self._rate_limits[method] = per_minute

    def enforce_tiers(self) -> None:
        """Every method limited by its reference tier in this workspace, as Slack does
        (tests/support/slack_tiers.py), measured on `self.clock`."""
        with self._lock:
            self._tiers = TierLimits(
                lambda method: method_spec(method)["rate_limits"], lambda: self.clock()
            )

    # ----------------------------------------------------------------- queries

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def messages_to(self, user_or_channel_id: str) -> list[Message]:
        """Messages in a channel, or in the app's DM with a user."""
        channel = self._resolve_dm(user_or_channel_id)
        with self._lock:
            return [message for message in self.messages if message.channel == channel]

    def message(self, channel_id: str, ts: str) -> Message | None:
        with self._lock:
            for message in self.messages:
                if message.channel == channel_id and message.ts == ts:
                    return message
        return None

    def responses_to(self, response_url: str) -> list[ResponsePost]:
        with self._lock:
            return [post for post in self.responses if post.url == response_url]

    def wait_for(self, predicate: Callable[..., Any], timeout: float = 5.0) -> Any:
        """Poll `predicate()` (or `predicate(standin)`) until it is truthy; return its value."""
        takes_standin = bool(inspect.signature(predicate).parameters)
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self) if takes_standin else predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                recent = [(call.method, call.error) for call in self.calls[-10:]]
                raise AssertionError(f"condition not met within {timeout}s; last calls: {recent}")
            time.sleep(0.02)

    # ----------------------------------------------------------------- serving

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        if path.startswith("/api/"):
            self._serve_api(handler, path[len("/api/") :])
        elif path == "/oauth/v2/authorize":
            self.oauth.serve_authorize(handler)
        elif path.startswith("/hooks/"):
            self.workspace_of_team(path.split("/")[3])._serve_response_url(handler, path)
        elif path.startswith("/upload/"):
            self.workspace_of_file(path.rsplit("/", 1)[-1])._serve_upload(handler, path)
        else:
            _send_json(handler, 404, {"ok": False, "error": "not_found"})

    def _serve_api(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        try:
            args = _read_args(handler)
        except (SlackError, ValueError):
            _send_json(handler, 200, {"ok": False, "error": "invalid_arguments"})
            return
        if method == "oauth.v2.access":
            self.oauth.serve_access(handler, args)
            return
        token = self._token_of(handler, args)
        # Several workspaces behind one URL: the token says whose call it is.
        self.workspace_of_token(token)._serve_call(handler, method, args, token)

    def _serve_call(
        self, handler: BaseHTTPRequestHandler, method: str, args: dict[str, Any], token: str | None
    ) -> None:
        call = Call(method, args, time.time())
        with self._lock:
            self.calls.append(call)
            try:
                status, body, headers = self._answer(method, token, args)
            except _Drop:
                call.status = 0
                handler.close_connection = True
                return
        call.status, call.response = status, body
        _send_json(handler, status, body, headers)

    def _token_of(self, handler: BaseHTTPRequestHandler, args: dict[str, Any]) -> str | None:
        token = args.pop("token", None)
        authorization = handler.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            token = authorization[len("Bearer ") :]
        return token

    def _answer(
        self, method: str, token: str | None, args: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        headers = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))}
        try:
            self._check_call(method, token, args)
            body = {"ok": True, **self._implementation(method)(args)}
            return 200, body, headers
        except AssertionError as problem:
            self.problems.append(f"{method}: {problem}")
            return 500, {"ok": False, "error": "internal_error", "standin": str(problem)}, headers
        except SlackError as failure:
            if failure.error not in known_errors_of(method):
                self.problems.append(f"{method}: {failure.error!r} is not an error of it")
            if failure.error == "ratelimited" and "Retry-After" in failure.extra:
                headers["Retry-After"] = str(failure.extra.pop("Retry-After"))
            return failure.status, {"ok": False, "error": failure.error, **failure.extra}, headers

    def _check_call(self, method: str, token: str | None, args: dict[str, Any]) -> None:
        spec = method_spec(method)
        if spec is None:
            raise SlackError("unknown_method", status=404)
        self._apply_faults(method, args)
        self._check_token(method, token)
        self._check_arguments(method, spec, args)
        self._check_scopes(method, args)

    def _check_token(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackError("not_authed")
        if token in self.token_ends and self.oauth.clock() >= self.token_ends[token]:
            raise SlackError("token_expired")
        bot_tokens = {self.token, *self.token_ends}
        wanted, other = (
            ({self.app_token}, bot_tokens)
            if method in APP_TOKEN_METHODS
            else (bot_tokens, {self.app_token})
        )
        if token in other:
            raise SlackError("not_allowed_token_type")
        if token not in wanted:
            raise SlackError("invalid_auth")

    def _implementation(self, method: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        implementation = getattr(self, "_api_" + method.replace(".", "_"), None)
        if implementation is None:
            raise AssertionError(f"the stand-in does not implement {method} yet")
        return implementation

    def _apply_faults(self, method: str, args: dict[str, Any]) -> None:
        faults = self._faults[method]
        if faults:
            fault = faults[0]
            fault.times -= 1
            if fault.times <= 0:
                faults.popleft()
            if fault.drop:
                raise _Drop()
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            raise SlackError(fault.error or "internal_error", status=fault.status, **extra)
        self._apply_rate_limit(method, args)

    def _apply_rate_limit(self, method: str, args: dict[str, Any]) -> None:
        if self._tiers is not None:
            retry_after = self._tiers.retry_after(method, args)
            if retry_after is not None:
                raise SlackError("ratelimited", status=429, **{"Retry-After": retry_after})
        limit = self._rate_limits.get(method)
        if limit is None:
            return
        now = self.clock()
        window = self._rate_windows[method]
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= limit:
            retry_after = max(1, math.ceil(window[0] + 60 - now))
            raise SlackError("ratelimited", status=429, **{"Retry-After": retry_after})
        window.append(now)

    def _check_arguments(self, method: str, spec: dict[str, Any], args: dict[str, Any]) -> None:
        known = set(spec["args"].get("properties") or {}) | TOLERATED_ARGS
        unknown = sorted(set(args) - known)
        missing = [name for name in spec["args"].get("required", []) if name not in args]
        missing = [name for name in missing if name != "token"]
        messages = [f"[ERROR] unknown argument '{name}' for {method}" for name in unknown]
        messages += [f"[ERROR] missing required field: {name}" for name in missing]
        if messages:
            raise SlackError("invalid_arguments", response_metadata={"messages": messages})

    def _check_scopes(self, method: str, args: dict[str, Any]) -> None:
        accepted = self._accepted_scopes(method, args)
        if accepted and not self.scopes & set(accepted):
            raise SlackError(
                "missing_scope",
                needed=",".join(accepted),
                provided=",".join(sorted(self.scopes)),
            )

    def _accepted_scopes(self, method: str, args: dict[str, Any]) -> list[str]:
        kinds = self._conversation_kinds(method, args)
        return self._scopes_for_kind(method, kinds[0]) if len(kinds) == 1 else bot_scopes_of(method)

    def scope_needs(self, method: str, args: dict[str, Any]) -> list[tuple[str, ...]]:
        """What one call needs: for each kind of conversation it touches, the scopes that
        grant it (any one of them), in the order Slack lists them."""
        if not bot_scopes_of(method):
            return []
        kinds = self._conversation_kinds(method, args) or [None]
        return [tuple(self._scopes_for_kind(method, kind)) for kind in kinds]

    def _scopes_for_kind(self, method: str, kind: str | None) -> list[str]:
        scopes = bot_scopes_of(method)
        if kind is None:
            return scopes
        return [scope for scope in scopes if scope.startswith(kind)] or scopes

    def _conversation_kinds(self, method: str, args: dict[str, Any]) -> list[str]:
        """A conversations.* call needs a scope for each kind of conversation it touches:
        public channels (channels:), private ones (groups:), DMs (im:)."""
        if not method.startswith("conversations."):
            return []
        channel_id = str(args.get("channel", ""))
        channel = self._channels.get(channel_id)
        if channel is not None:
            return ["groups:" if channel.is_private else "channels:"]
        if channel_id.startswith("D") or (
            method == "conversations.open" and "," not in str(args.get("users", ","))
        ):
            return ["im:"]
        types = {"public_channel": "channels:", "private_channel": "groups:", "im": "im:"}
        asked = str(args.get("types", "")).split(",")
        return [types[name] for name in asked if name in types]

    # ----------------------------------------------------------------- helpers

    def _new_ts(self) -> str:
        return f"{self._epoch}.{next(self._ids):06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _resolve_dm(self, user_or_channel_id: str) -> str:
        if user_or_channel_id[:1] in ("U", "W"):
            return self.dm_channel_id(user_or_channel_id)
        return user_or_channel_id

    def _user(self, user_id: Any, error: str = "user_not_found") -> _User:
        user = self._users.get(str(user_id))
        if user is None:
            raise SlackError(error)
        return user

    def _visible_channel(self, channel_id: Any) -> _Channel:
        """A channel the bot can see: public ones, and private ones it is in."""
        channel = self._channels.get(str(channel_id))
        if channel is None or (channel.is_private and self.bot_user_id not in channel.members):
            raise SlackError("channel_not_found")
        return channel

    def _channel_bot_is_in(self, channel_id: Any) -> _Channel:
        channel = self._visible_channel(channel_id)
        if channel.is_archived:
            raise SlackError("is_archived")
        if self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def _dm_user(self, channel_id: str) -> _User | None:
        for user in self._users.values():
            if self.dm_channel_id(user.id) == channel_id and not user.is_bot:
                return user
        return None

    def _postable_channel(self, channel_arg: Any) -> str:
        """The channel id chat.postMessage-like calls post into, or a Slack error."""
        channel_id = str(channel_arg).lstrip("#")
        if channel_id[:1] in ("U", "W"):
            self._user(channel_id, error="channel_not_found")
            return self.dm_channel_id(channel_id)
        if channel_id.startswith("D"):
            if self._dm_user(channel_id) is None:
                raise SlackError("channel_not_found")
            return channel_id
        by_name = {channel.name: channel.id for channel in self._channels.values()}
        channel = self._visible_channel(by_name.get(channel_id, channel_id))
        if channel.is_archived:
            raise SlackError("is_archived")
        can_post_anywhere_public = "chat:write.public" in self.scopes and not channel.is_private
        if self.bot_user_id not in channel.members and not can_post_anywhere_public:
            raise SlackError("not_in_channel")
        return channel.id

    def _checked_blocks(self, where: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        if "blocks" not in args or args["blocks"] in (None, ""):
            return []
        blocks = _as_json(args["blocks"], "invalid_blocks_format")
        try:
            assert_valid_message_blocks(blocks)
        except AssertionError as problem:
            self.block_failures.append(BlockFailure(where, str(problem)))
            raise SlackError(
                "invalid_blocks",
                errors=[str(problem)],
                response_metadata={"messages": [f"[ERROR] {problem}"]},
            ) from problem
        return blocks

    def _checked_view(self, where: str, args: dict[str, Any]) -> dict[str, Any]:
        view = _as_json(args["view"], "invalid_arguments")
        try:
            assert_valid_view(view)
        except AssertionError as problem:
            self.block_failures.append(BlockFailure(where, str(problem)))
            # Slack reports a malformed view as invalid_arguments naming the problem.
            raise SlackError(
                "invalid_arguments", response_metadata={"messages": [f"[ERROR] {problem}"]}
            ) from problem
        return view

    def _require_text_or_blocks(self, args: dict[str, Any], blocks: list[Any]) -> None:
        if not (args.get("text") or blocks or args.get("attachments")):
            raise SlackError("no_text")

    def _user_object(self, user: _User) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": user.name,
            "display_name": user.name,
            "real_name_normalized": user.name,
            "display_name_normalized": user.name,
            "team": self.team_id,
        }
        if user.email and "users:read.email" in self.scopes:
            profile["email"] = user.email
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "real_name": user.name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": profile,
            "is_admin": user.is_admin,
            "is_owner": user.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": self._epoch,
        }

    def _channel_object(self, channel: _Channel, *, with_count: bool = False) -> dict[str, Any]:
        subject = {"value": "", "creator": "", "last_set": 0}
        conversation = {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private,
            "is_group": channel.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel.is_private,
            "created": self._epoch,
            "creator": "U0CREATOR",
            "is_archived": channel.is_archived,
            "is_general": channel.is_general,
            "unlinked": 0,
            "name_normalized": channel.name,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "is_member": self.bot_user_id in channel.members,
            "topic": dict(subject),
            "purpose": dict(subject),
            "previous_names": [],
        }
        if with_count:
            conversation["num_members"] = len(channel.members)
        return conversation

    def _im_object(self, channel_id: str, user: _User) -> dict[str, Any]:
        return {
            "id": channel_id,
            "created": self._epoch,
            "is_im": True,
            "is_org_shared": False,
            "user": user.id,
            "is_user_deleted": user.deleted,
        }

    def _usergroup_object(self, group: _Usergroup, args: dict[str, Any]) -> dict[str, Any]:
        subteam: dict[str, Any] = {
            "id": group.id,
            "team_id": self.team_id,
            "is_usergroup": True,
            "is_subteam": True,
            "name": group.handle,
            "description": "",
            "handle": group.handle,
            "is_external": False,
            "date_create": self._epoch,
            "date_update": self._epoch,
            "date_delete": 0 if group.enabled else self._epoch,
            "auto_type": None,
            "auto_provision": False,
            "enterprise_subteam_id": "",
            "created_by": "U0CREATOR",
            "updated_by": self.bot_user_id,
            "deleted_by": None,
            "prefs": {"channels": [], "groups": []},
        }
        if _truthy(args.get("include_users", True)):
            subteam["users"] = list(group.users)
        if _truthy(args.get("include_count")):
            subteam["user_count"] = len(group.users)
        return subteam

    def _usergroup(self, args: dict[str, Any]) -> _Usergroup:
        self._check_usergroups_available()
        group = self._usergroups.get(str(args.get("usergroup")))
        if group is None:
            raise SlackError("no_such_subteam")
        return group

    def _check_usergroups_available(self) -> None:
        if self.usergroups_unavailable:
            raise SlackError("paid_teams_only")

    def _view_object(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    # ----------------------------------------------------------------- auth, users

    def _api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.socket_mode.issue_url()}

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": "lobby",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user_object(self._user(args["user"]))}

    def _api_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = str(args["email"]).lower()
        for user in self._users.values():
            if user.email and user.email.lower() == wanted:
                return {"user": self._user_object(user)}
        raise SlackError("users_not_found")

    def _api_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        members = [self._user_object(user) for user in self._users.values()]
        return {
            "members": members,
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": ""},
        }

    # ----------------------------------------------------------------- conversations

    def _api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args["channel"])
        dm_user = self._dm_user(channel_id) if channel_id.startswith("D") else None
        if dm_user:
            return {"channel": self._im_object(channel_id, dm_user)}
        channel = self._visible_channel(channel_id)
        with_count = _truthy(args.get("include_num_members"))
        return {"channel": self._channel_object(channel, with_count=with_count)}

    def _api_conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        types = set(_as_list(args.get("types") or "public_channel"))
        if not types <= {"public_channel", "private_channel", "mpim", "im"}:
            raise SlackError("invalid_types")
        exclude_archived = _truthy(args.get("exclude_archived"))
        listed = [
            channel
            for channel in self._channels.values()
            if ("private_channel" if channel.is_private else "public_channel") in types
            and (not channel.is_private or self.bot_user_id in channel.members)
            and not (exclude_archived and channel.is_archived)
        ]
        page, next_cursor = self._page(listed, args)
        return {
            "channels": [self._channel_object(channel) for channel in page],
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _page(self, items: list[Any], args: dict[str, Any]) -> tuple[list[Any], str]:
        limit = int(args.get("limit") or 100)
        start = 0
        if args.get("cursor"):
            try:
                start = int(base64.b64decode(str(args["cursor"])).decode().split(":")[1])
            except (ValueError, IndexError) as problem:
                raise SlackError("invalid_cursor") from problem
        end = start + limit
        next_cursor = (
            base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
        )
        return items[start:end], next_cursor

    def _api_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._visible_channel(args["channel"])
        page, next_cursor = self._page(sorted(channel.members), args)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = _as_list(args.get("users"))
        if len(users) != 1:
            raise SlackError("users_list_not_supplied" if not users else "not_enough_users")
        user = self._user(users[0])
        return {"channel": {"id": self.dm_channel_id(user.id)}}

    def _api_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channels.get(str(args["channel"]))
        if channel is None:
            raise SlackError("channel_not_found")
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        answer: dict[str, Any] = {}
        if self.bot_user_id in channel.members:
            answer["warning"] = "already_in_channel"
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        channel.members.add(self.bot_user_id)
        return {"channel": self._channel_object(channel), **answer}

    def _api_conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_bot_is_in(args["channel"])
        user_ids = _as_list(args["users"])
        if not user_ids:
            raise SlackError("no_user")
        problems = [
            {"user": user_id, "ok": False, "error": error}
            for user_id in user_ids
            if (error := self._invite_problem(channel, user_id))
        ]
        if problems and not _truthy(args.get("force")):
            raise SlackError(problems[0]["error"], errors=problems)
        failed = {problem["user"] for problem in problems}
        channel.members.update(user_id for user_id in user_ids if user_id not in failed)
        answer = {"channel": self._channel_object(channel)}
        return {**answer, "errors": problems} if problems else answer

    def _invite_problem(self, channel: _Channel, user_id: str) -> str | None:
        user = self._users.get(user_id)
        if user is None:
            return "user_not_found"
        if user_id == self.bot_user_id:
            return "cant_invite_self"
        if user.deleted:
            return "cant_invite"
        if user_id in channel.members:
            return "already_in_channel"
        return None

    def _api_conversations_kick(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_bot_is_in(args["channel"])
        user_id = str(args.get("user", ""))
        if channel.is_general:
            raise SlackError("cant_kick_from_general")
        if self.kicks_restricted:
            raise SlackError("restricted_action")
        if user_id == self.bot_user_id:
            raise SlackError("cant_kick_self")
        self._user(user_id)
        if user_id not in channel.members:
            raise SlackError("not_in_channel")
        channel.members.discard(user_id)
        return {}

    # ----------------------------------------------------------------- chat

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._postable_channel(args["channel"])
        blocks = self._checked_blocks("chat.postMessage", args)
        self._require_text_or_blocks(args, blocks)
        message = Message(
            channel=channel_id,
            ts=self._new_ts(),
            text=args.get("text"),
            blocks=_with_block_ids(blocks),
            user=self.bot_user_id,
            thread_ts=args.get("thread_ts"),
            bot_id=self.bot_id,
            app_id=self.app_id,
            metadata=_metadata(args),
        )
        self.messages.append(message)
        return {"channel": channel_id, "ts": message.ts, "message": message.as_slack(self.team_id)}

    def _api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, as Slack answers; metadata only with include_all_metadata."""
        channel_id = str(args["channel"])
        if not channel_id.startswith("D"):
            self._channel_bot_is_in(channel_id)
        oldest = float(args.get("oldest") or 0)
        found = [m for m in self.messages if m.channel == channel_id and float(m.ts) > oldest]
        limit = int(args.get("limit") or 100)
        with_metadata = _truthy(args.get("include_all_metadata"))
        messages = []
        for message in sorted(found, key=lambda m: float(m.ts), reverse=True)[:limit]:
            item = message.as_slack(self.team_id)
            if with_metadata and message.metadata:
                item["metadata"] = message.metadata
            messages.append(item)
        return {"messages": messages, "has_more": len(found) > limit}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args["channel"])
        if not channel_id.startswith("D"):
            self._visible_channel(channel_id)
        message = self.message(channel_id, str(args["ts"]))
        if message is None:
            raise SlackError("message_not_found")
        if message.user != self.bot_user_id:
            raise SlackError("cant_update_message")
        blocks = self._checked_blocks("chat.update", args)
        message.edits.append({"text": message.text, "blocks": message.blocks})
        if "text" in args:
            message.text = args["text"]
        if "blocks" in args:
            message.blocks = _with_block_ids(blocks)
        answer = {"channel": channel_id, "ts": message.ts, "text": message.text or ""}
        return {**answer, "message": message.as_slack(self.team_id)}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._postable_channel(args["channel"])
        user_id = str(args["user"])
        channel = self._channels.get(channel_id)
        in_channel = (
            user_id in channel.members if channel else channel_id == self.dm_channel_id(user_id)
        )
        if not in_channel:
            raise SlackError("user_not_in_channel")
        blocks = self._checked_blocks("chat.postEphemeral", args)
        self._require_text_or_blocks(args, blocks)
        ts = self._new_ts()
        self.ephemeral_messages.append(
            {
                "channel": channel_id,
                "user": user_id,
                "ts": ts,
                "text": args.get("text"),
                "blocks": blocks,
            }
        )
        return {"message_ts": ts}

    def _api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args["channel"])
        if not channel_id.startswith("D"):
            self._visible_channel(channel_id)
        message = self.message(channel_id, str(args["message_ts"]))
        if message is None:
            raise SlackError("message_not_found")
        path = f"archives/{channel_id}/p{message.ts.replace('.', '')}"
        return {"channel": channel_id, "permalink": f"https://{self.team_domain}.slack.com/{path}"}

    # ----------------------------------------------------------------- usergroups

    def _api_usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        self._check_usergroups_available()
        include_disabled = _truthy(args.get("include_disabled"))
        groups = [group for group in self._usergroups.values() if group.enabled or include_disabled]
        options = {"include_users": args.get("include_users", False), **args}
        return {"usergroups": [self._usergroup_object(group, options) for group in groups]}

    def _api_usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"users": list(self._usergroup(args).users)}

    def _api_usergroups_users_update(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self._usergroup(args)
        user_ids = _as_list(args["users"])
        # Slack refuses to empty a user group; its reference names this invalid_users.
        if not user_ids or any(user_id not in self._users for user_id in user_ids):
            raise SlackError("invalid_users")
        group.users = user_ids
        return {"usergroup": self._usergroup_object(group, args)}

    def _api_usergroups_enable(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self._usergroup(args)
        group.enabled = True
        return {"usergroup": self._usergroup_object(group, args)}

    def _api_usergroups_disable(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self._usergroup(args)
        group.enabled = False
        return {"usergroup": self._usergroup_object(group, args)}

    # ----------------------------------------------------------------- views

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = self._exchange_trigger(
            args.get("trigger_id") or args.get("interactivity_pointer")
        )
        view = self._checked_view("views.open", args)
        view_id = self._new_id("V")
        opened = self._view_object(view, view_id)
        self.views[view_id] = opened
        self.view_users[view_id] = trigger["user"]
        return {"view": opened}

    def _exchange_trigger(self, trigger_id: Any) -> dict[str, Any]:
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger["used"]:
            raise SlackError("exchanged_trigger_id")
        if time.monotonic() - trigger["at"] > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        trigger["used"] = True
        return trigger

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        current = self._existing_view(args)
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._checked_view("views.update", args)
        updated = self._view_object(view, current["id"])
        self.views[current["id"]] = updated
        return {"view": updated}

    def _existing_view(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("view_id"):
            found = self.views.get(str(args["view_id"]))
        else:
            external_id = args.get("external_id")
            found = next(
                (v for v in self.views.values() if external_id and v["external_id"] == external_id),
                None,
            )
        if found is None:
            raise SlackError("not_found")
        return found

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view("views.publish", args)
        user_id = str(args["user_id"])
        current = self.home_views.get(user_id)
        if current and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view_id = current["id"] if current else self._new_id("V")
        published = self._view_object(view, view_id)
        self.home_views[user_id] = published
        return {"view": published}

    # ----------------------------------------------------------------- files

    def _api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = self._new_id("F")
        self.uploads[file_id] = Upload(file_id, str(args["filename"]), int(args["length"]))
        return {"upload_url": f"{self.base_url}/upload/v1/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = _as_json(args["files"], "invalid_arguments")
        uploads = [self.uploads.get(str(entry.get("id"))) for entry in entries]
        if not uploads or any(upload is None or upload.data is None for upload in uploads):
            raise SlackError("file_not_found")
        channel_id = args.get("channel_id") or args.get("channels")
        if channel_id:
            channel_id = self._postable_channel(str(channel_id).split(",")[0])
        for upload, entry in zip(uploads, entries, strict=True):
            upload.title = entry.get("title") or upload.filename
            upload.channel = channel_id
            upload.initial_comment = args.get("initial_comment")
        return {"files": [{"id": upload.file_id, "title": upload.title} for upload in uploads]}

    def _serve_upload(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        file_id = path.rsplit("/", 1)[-1]
        length = int(handler.headers.get("Content-Length") or 0)
        data = handler.rfile.read(length)
        with self._lock:
            upload = self.uploads.get(file_id)
            if upload is not None:
                upload.data = data
        status, text = (200, f"OK - {len(data)}") if upload else (404, "file_not_found")
        body = text.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/plain; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    # ----------------------------------------------------------------- response_url

    def _serve_response_url(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        url = self.base_url + path
        with self._lock:
            try:
                payload = json.loads(raw or b"{}")
            except ValueError:
                payload = {"unparsed": raw.decode(errors="replace")}
            status, error = self._accept_response_post(path, payload)
            self.responses.append(ResponsePost(url, payload, status))
        body = {"ok": True} if error is None else {"ok": False, "error": error}
        _send_json(handler, status, body)

    def _accept_response_post(self, path: str, payload: dict[str, Any]) -> tuple[int, str | None]:
        issued = self._response_urls.get(path)
        if issued is None:
            return 404, "no_service"
        if time.monotonic() - issued.issued_at > self.response_url_ttl:
            return 404, "expired_url"
        issued.posts += 1
        if issued.posts > RESPONSE_URL_MAX_POSTS:
            return 404, "used_url"
        try:
            blocks = self._checked_blocks("response_url", payload)
        except SlackError as failure:
            return 400, failure.error
        self._apply_to_original(issued.message, payload, blocks)
        return 200, None

    def _apply_to_original(
        self, message: Message | None, payload: dict[str, Any], blocks: list[dict[str, Any]]
    ) -> None:
        if message is None:
            return
        if _truthy(payload.get("delete_original")):
            self.messages = [kept for kept in self.messages if kept is not message]
        elif _truthy(payload.get("replace_original")):
            message.edits.append({"text": message.text, "blocks": message.blocks})
            message.text, message.blocks = payload.get("text"), _with_block_ids(blocks)
