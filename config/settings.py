"""Settings from the environment (and a .env file when present)."""

import os
import socket
from dataclasses import dataclass, field
from urllib.parse import urlparse

from dotenv import find_dotenv, load_dotenv

from bot.roles.permissions import INVITE_POLICIES, LINK_POLICIES
from bot.teams.settings import TeamSettings
from config import modes
from config.errors import SettingsError
from config.smtp import SmtpServer, parse_smtp_url

DEFAULT_SLACK_API_URL = "https://slack.com/api/"

# Where each Slack value comes from, said whenever one is missing or malformed.
WHERE_FROM = {
    "SLACK_BOT_TOKEN": (
        "the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page"
    ),
    "SLACK_SIGNING_SECRET": (
        "the Signing Secret from your Slack app's Basic Information page (App Credentials)"
    ),
    "SLACK_APP_TOKEN": (
        "an App-Level Token (xapp-…) with connections:write, made on your Slack app's "
        "Basic Information page; leave it unset to serve HTTP"
    ),
}


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    database_url: str
    slack_api_url: str
    port: int
    smtp: SmtpServer | None
    join_url: str | None
    instance_id: str = "lobby"
    team_defaults: TeamSettings = field(default_factory=TeamSettings)
    max_backlog: int = 1000  # requests waiting to run; past it, new ones are refused
    shutdown_seconds: int = 30  # SIGTERM to exit
    # The distributable app (no bot token): OAuth install, tokens encrypted at rest.
    client_id: str | None = None
    client_secret: str | None = None
    encryption_keys: tuple[str, ...] = ()  # the first encrypts; every one decrypts
    retention_days: int = 30  # an uninstalled workspace's data is deleted this long after

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def distributable(self) -> bool:
        return self.bot_token is None


def load_settings(environ=None) -> Settings:
    """Read settings; raise SettingsError naming the first missing or malformed one."""
    if environ is None:
        load_dotenv(find_dotenv(usecwd=True))
        environ = os.environ
    env = {k: v.strip() for k, v in environ.items() if v.strip()}
    app_token = env.get("SLACK_APP_TOKEN")
    port = _int(env, "PORT", 3000, low=1, high=65535)
    distributable = modes.distributable(env)
    return Settings(
        bot_token=None if distributable else _prefixed(env, "SLACK_BOT_TOKEN", "xoxb-"),
        signing_secret=env.get("SLACK_SIGNING_SECRET")
        or (None if app_token else _required(env, "SLACK_SIGNING_SECRET")),
        app_token=_prefixed(env, "SLACK_APP_TOKEN", "xapp-") if app_token else None,
        database_url=_database_url(env.get("DATABASE_URL", "sqlite:///lobby.db")),
        slack_api_url=_api_url(env.get("SLACK_API_URL", DEFAULT_SLACK_API_URL)),
        port=port,
        smtp=parse_smtp_url(env["SMTP_URL"]) if "SMTP_URL" in env else None,
        join_url=env.get("SLACK_JOIN_URL"),
        instance_id=env.get("LOBBY_INSTANCE_ID")
        or f"{socket.gethostname()}:{env.get('PORT', 3000)}",
        team_defaults=_team_defaults(env),
        max_backlog=_int(env, "LOBBY_MAX_BACKLOG", 1000, low=1, high=1_000_000),
        shutdown_seconds=_int(env, "LOBBY_SHUTDOWN_SECONDS", 30, low=5, high=600),
        client_id=env.get("SLACK_CLIENT_ID") if distributable else None,
        client_secret=env.get("SLACK_CLIENT_SECRET") if distributable else None,
        encryption_keys=modes.encryption_keys(env) if distributable else (),
        retention_days=_int(env, "LOBBY_RETENTION_DAYS", 30, low=1, high=3650),
    )


def _required(env, name, prefix=None) -> str:
    if name not in env:
        raise SettingsError(_where_from(f"{name} is not set", name))
    return _prefixed(env, name, prefix) if prefix else env[name]


def _where_from(problem: str, name: str) -> str:
    return f"{problem}: {WHERE_FROM[name]}; see README" if name in WHERE_FROM else problem


def _prefixed(env, name, prefix) -> str:
    value = env[name]
    if not value.startswith(prefix):
        raise SettingsError(_where_from(f"{name} must start with {prefix}", name))
    return value


def _int(env, name, default, *, low, high) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def _choice(env, name, default, choices) -> str:
    value = env.get(name, default)
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _database_url(url: str) -> str:
    scheme = urlparse(url).scheme
    if scheme not in ("sqlite", "postgres", "postgresql"):
        raise SettingsError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
    return url


def _api_url(url: str) -> str:
    if urlparse(url).scheme not in ("http", "https"):
        raise SettingsError("SLACK_API_URL must be an http(s) URL")
    return url if url.endswith("/") else url + "/"


def _team_defaults(env) -> TeamSettings:
    """Defaults for new teams, overridable with LOBBY_DEFAULT_* variables."""
    base = TeamSettings()
    return TeamSettings(
        invite_policy=_choice(
            env, "LOBBY_DEFAULT_INVITE_POLICY", base.invite_policy, INVITE_POLICIES
        ),
        link_policy=_choice(env, "LOBBY_DEFAULT_LINK_POLICY", base.link_policy, LINK_POLICIES),
        invitation_expiry_days=_int(
            env, "LOBBY_DEFAULT_INVITATION_EXPIRY_DAYS", base.invitation_expiry_days, low=1, high=90
        ),
        request_expiry_days=_int(
            env, "LOBBY_DEFAULT_REQUEST_EXPIRY_DAYS", base.request_expiry_days, low=1, high=90
        ),
        daily_invite_limit=_int(
            env, "LOBBY_DEFAULT_DAILY_INVITE_LIMIT", base.daily_invite_limit, low=1, high=10_000
        ),
    )
