"""Bolt's own OAuth flow ("Add to Slack") with Lobby's stores, and a client per workspace.

GET /slack/install starts it (Bolt's state cookie check on; the state kept in the
database); /slack/oauth_redirect finishes it through `oauth.v2.access` at SLACK_API_URL.
"""

import html
import logging
from pathlib import Path

import yaml
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot.clock import Clock
from bot.workspaces import come_back
from config import Settings
from handlers.oauth.cipher import TokenCipher
from handlers.oauth.rotation import BotTokens, WorkspaceAuthorize
from handlers.oauth.stores import DatabaseInstallationStore, DatabaseOAuthStateStore
from storage.db import db

log = logging.getLogger(__name__)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The manifest's bot scopes (tests/test_manifest.py holds them equal).
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def manifest_bot_scopes() -> list[str]:
    """The bot scopes the install asks for are exactly the manifest's: one list."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    return list(manifest["oauth_config"]["scopes"]["bot"])


PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Lobby</title></head>"
    "<body>{}</body></html>"
)
INSTALLED = "<h1>Lobby is installed in {team}</h1><p>Type <code>/invite help</code> in Slack.</p>"
NOT_INSTALLED = (
    "<h1>Lobby was not installed</h1><p>{why} Nothing was stored. "
    "<a href='{install}'>Start again</a>.</p>"
)
WHY = {
    "invalid_browser": "This browser did not start the installation (or its cookie is gone).",
    "invalid_state": "The link was forged, already used, or older than 10 minutes.",
    "missing_code": "Slack sent no code back.",
    "access_denied": "The installation was cancelled in Slack.",
    "invalid_code": "Slack refused the code.",
    "storage_error": "Lobby could not save the installation; try again.",
}


def installation_store(settings: Settings) -> DatabaseInstallationStore:
    return DatabaseInstallationStore(TokenCipher(settings.encryption_keys))


def bot_tokens(settings: Settings, clock: Clock) -> BotTokens:
    """Each workspace's bot token, renewed (through SLACK_API_URL) before it ends."""
    return BotTokens(
        installation_store(settings),
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        client=WebClient(base_url=settings.slack_api_url),
        clock=clock,
    )


def oauth_settings(settings: Settings, clock: Clock) -> OAuthSettings:
    tokens = bot_tokens(settings, clock)
    store = tokens.store
    oauth = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=manifest_bot_scopes(),
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,  # straight to Slack's authorize page
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url(settings.slack_api_url),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=DatabaseOAuthStateStore(clock),
        state_validation_enabled=True,
        callback_options=CallbackOptions(success=installed(clock), failure=not_installed),
    )
    # Each request is authorized with its workspace's bot token, renewed first when it is
    # about to end: by the clock, through SLACK_API_URL, once across instances.
    oauth.authorize = WorkspaceAuthorize(tokens)
    return oauth


def authorize_url(api_url: str) -> str:
    """Slack's authorize page beside its Web API (https://slack.com/oauth/v2/authorize)."""
    return api_url.removesuffix("/").removesuffix("/api") + "/oauth/v2/authorize"


def installed(clock: Clock):
    """The success page; a workspace back within the retention finds its data again."""

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        with db.connection_context():
            come_back(installation.team_id or installation.enterprise_id, clock.now())
        team = html.escape(installation.team_name or installation.team_id or "Slack")
        return _page(200, INSTALLED.format(team=team))

    return success


def not_installed(args: FailureArgs) -> BoltResponse:
    why = WHY.get(args.reason, "Slack or Lobby answered with an error.")
    log.warning("an installation failed: %s (%r)", args.reason, args.error)
    body = NOT_INSTALLED.format(why=html.escape(why), install=INSTALL_PATH)
    return _page(args.suggested_status_code, body)


def _page(status: int, body: str) -> BoltResponse:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return BoltResponse(status=status, body=PAGE.format(body), headers=headers)


class WorkspaceClients:
    """`client_for(workspace_id)`: a WebClient with that workspace's own bot token, renewed
    first when token rotation is on and it is about to end; None once uninstalled. The
    runs, the outbox and the jobs' notices do not pass Bolt's authorize, so they ask here."""

    def __init__(self, settings: Settings, clock: Clock, *, configure=lambda client: client):
        self.tokens = bot_tokens(settings, clock)
        self.api_url = settings.slack_api_url
        self.configure = configure

    def __call__(self, workspace_id: str) -> WebClient | None:
        bot = self.tokens.bot(enterprise_id=None, team_id=workspace_id)
        if bot is None:
            return None
        return self.configure(WebClient(token=bot.bot_token, base_url=self.api_url))
