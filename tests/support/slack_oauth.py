"""Slack's side of "Add to Slack" for the stand-in: the authorize page a browser visits
(it sends the browser back to the app with a code) and `oauth.v2.access`, which trades
the code once for the installing workspace's bot token, as Slack does.

The client id and secret come by HTTP Basic auth or in the form; codes are single use
and live 10 minutes; a wrong id, secret, code or redirect gets Slack's error name.
With `rotation` on (Slack's "token rotation"), each bot token ends `token_seconds`
(12 hours) after it was issued, by `clock` (settable, so a test moves Slack's time with
the app's), and comes with a refresh token: `grant_type=refresh_token` trades it once for
a new pair (Slack revokes a refresh token once used). A token past its end is answered
`token_expired`; an earlier token still works until its own end.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

if TYPE_CHECKING:
    from tests.support.slack_standin import SlackStandIn

CODE_TTL_SECONDS = 600
TOKEN_SECONDS = 43_200


@dataclass
class _Grant:
    workspace: SlackStandIn
    user_id: str
    issued_at: float
    redirect_uri: str | None


class OAuthServer:
    def __init__(self, home: SlackStandIn):
        self.home = home
        self.client_id = "1111.2222"
        self.client_secret = "standin-client-secret"
        self.redirect_url: str | None = None  # the app's configured Redirect URL
        self.installing: tuple[SlackStandIn, str] | None = None  # the browser's session
        self.rotation = False
        self.token_seconds = TOKEN_SECONDS
        self.clock: Callable[[], float] = time.time  # Slack's time, for the tokens' ends
        self.refresh_latency = 0.0  # seconds Slack takes to answer a refresh (races)
        self.code_ttl = CODE_TTL_SECONDS
        self._codes: dict[str, _Grant] = {}
        self._refresh: dict[str, SlackStandIn] = {}
        self._lock = threading.Lock()

    # --------------------------------------------------------------- browser

    def serve_authorize(self, handler: BaseHTTPRequestHandler) -> None:
        """GET /oauth/v2/authorize: the person approves; back to the app with a code."""
        args = {k: v[-1] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        workspace, user_id = self.installing or (self.home, "U0ADMIN1")
        redirect = args.get("redirect_uri") or self.redirect_url
        if args.get("client_id") != self.client_id or not redirect:
            self._page(handler, 400, "invalid_client_id" if redirect else "bad_redirect_uri")
            return
        if not set(args.get("scope", "").split(",")) <= workspace.scopes:
            self._page(handler, 400, "invalid_scope")
            return
        code = self.issue_code(workspace, user_id, args.get("redirect_uri"))
        query = urlencode({"code": code, "state": args.get("state", "")})
        handler.send_response(302)
        handler.send_header("Location", f"{redirect}?{query}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def issue_code(self, workspace: SlackStandIn, user_id: str, redirect_uri=None) -> str:
        code = f"{workspace.team_id}.{secrets.token_hex(16)}"
        with self._lock:
            self._codes[code] = _Grant(workspace, user_id, time.monotonic(), redirect_uri)
        return code

    def _page(self, handler: BaseHTTPRequestHandler, status: int, error: str) -> None:
        body = f"Slack: {error}".encode()
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    # --------------------------------------------------------------- oauth.v2.access

    def serve_access(self, handler: BaseHTTPRequestHandler, args: dict[str, Any]) -> None:
        from tests.support.slack_standin import Call, _send_json

        call = Call("oauth.v2.access", dict(args), time.time())
        try:
            body = {"ok": True, **self._access(handler, args)}
        except _Refused as refused:
            body = {"ok": False, "error": refused.error}
        call.response = body
        with self.home._lock:
            self.home.calls.append(call)
        _send_json(handler, 200, body)

    def _access(self, handler: BaseHTTPRequestHandler, args: dict[str, Any]) -> dict[str, Any]:
        client_id, client_secret = _client_of(handler, args)
        if client_id != self.client_id:
            raise _Refused("invalid_client_id")
        if client_secret != self.client_secret:
            raise _Refused("bad_client_secret")
        grant_type = args.get("grant_type", "authorization_code")
        if grant_type == "refresh_token":
            return self._refreshed(args.get("refresh_token", ""))
        if grant_type != "authorization_code":
            raise _Refused("invalid_grant_type")
        with self._lock:
            grant = self._codes.pop(args.get("code", ""), None)  # single use
        if grant is None or time.monotonic() - grant.issued_at > self.code_ttl:
            raise _Refused("invalid_code")
        if grant.redirect_uri and args.get("redirect_uri") != grant.redirect_uri:
            raise _Refused("bad_redirect_uri")
        return {**self._granted(grant.workspace), "authed_user": {"id": grant.user_id}}

    def _granted(self, workspace: SlackStandIn) -> dict[str, Any]:
        return {
            **self._tokens(workspace),
            "token_type": "bot",
            "scope": ",".join(sorted(workspace.scopes)),
            "bot_user_id": workspace.bot_user_id,
            "app_id": workspace.app_id,
            "team": {"id": workspace.team_id, "name": workspace.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _tokens(self, workspace: SlackStandIn) -> dict[str, Any]:
        if not self.rotation:
            return {"access_token": workspace.token}
        refresh = f"xoxe-1-{secrets.token_hex(12)}"
        with self._lock:
            self._refresh[refresh] = workspace
            workspace.token_ends[workspace.token] = self.clock() + self.token_seconds
        return {
            "access_token": workspace.token,
            "refresh_token": refresh,
            "expires_in": self.token_seconds,
        }

    def _refreshed(self, refresh_token: str) -> dict[str, Any]:
        time.sleep(self.refresh_latency)  # Slack's answer in flight, as on the network
        with self._lock:
            workspace = self._refresh.pop(refresh_token, None)
        if workspace is None:
            raise _Refused("invalid_refresh_token")
        workspace.token = f"xoxe.xoxb-{workspace.team_id.lower()}-{secrets.token_hex(6)}"
        return self._granted(workspace)


class _Refused(Exception):
    def __init__(self, error: str):
        self.error = error


def _client_of(handler: BaseHTTPRequestHandler, args: dict[str, Any]) -> tuple[str, str]:
    """HTTP Basic auth first (as Slack prefers), else the form's client_id/client_secret."""
    authorization = handler.headers.get("Authorization", "")
    if authorization.startswith("Basic "):
        decoded = base64.b64decode(authorization[len("Basic ") :]).decode()
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return str(args.get("client_id", "")), str(args.get("client_secret", ""))
