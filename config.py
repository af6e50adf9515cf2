"""Settings from the environment (and a .env file when present)."""

import os
import re
import socket
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from urllib.parse import parse_qs, unquote, urlparse, urlsplit

from dotenv import find_dotenv, load_dotenv

from bot.roles.permissions import INVITE_POLICIES, LINK_POLICIES
from bot.teams.settings import TeamSettings

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """A missing or malformed setting; the message names it."""


@dataclass(frozen=True)
class SmtpServer:
    """Where invitation emails go, read from SMTP_URL by `parse_smtp_url`.

    The password never appears in a log line, an exception message or a repr.
    """

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False
    starttls: bool = False

    def __post_init__(self):
        if self.implicit_tls and self.starttls:
            raise ValueError("use either implicit TLS or STARTTLS, not both")

    @property
    def redacted_url(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}:***@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"

    def __repr__(self) -> str:
        tls = ", starttls" if self.starttls else ""
        return f"<SmtpServer {self.redacted_url} from {self.sender}{tls}>"


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str | None
    app_token: str | None
    database_url: str
    slack_api_url: str
    port: int
    smtp: SmtpServer | None
    join_url: str | None
    instance_id: str = "lobby"
    team_defaults: TeamSettings = field(default_factory=TeamSettings)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def load_settings(environ=None) -> Settings:
    """Read settings; raise SettingsError naming the first missing or malformed one."""
    if environ is None:
        load_dotenv(find_dotenv(usecwd=True))
        environ = os.environ
    env = {k: v.strip() for k, v in environ.items() if v.strip()}
    app_token = env.get("SLACK_APP_TOKEN")
    port = _int(env, "PORT", 3000, low=1, high=65535)
    return Settings(
        bot_token=_required(env, "SLACK_BOT_TOKEN", prefix="xoxb-"),
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
    )


def _required(env, name, prefix=None) -> str:
    if name not in env:
        raise SettingsError(f"{name} is not set")
    return _prefixed(env, name, prefix) if prefix else env[name]


def _prefixed(env, name, prefix) -> str:
    value = env[name]
    if not value.startswith(prefix):
        raise SettingsError(f"{name} must start with {prefix}")
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


SMTP_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SMTP_HOST = re.compile(r"[a-z0-9._-]+|[0-9a-f:.]+")  # urlsplit lowercases and strips IPv6 [ ]
_BAD_PORT = "has a bad port (a whole number from 1 to 65535)"


def parse_smtp_url(url: str) -> SmtpServer:
    """Read SMTP_URL, or raise a one-line SettingsError that names it:

        smtp://[user:password@]host[:port][?from=lobby@example.com][&starttls=1]
        smtps://[user:password@]host[:port][?from=lobby@example.com]

    `smtp` is plain SMTP on port 25 (STARTTLS only with `starttls=1`), `smtps` is implicit
    TLS on port 465. User and password are percent-decoded (so a password containing
    `@`, `:`, `/`, `?` or `#` must be percent-encoded).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise _bad_smtp("is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in SMTP_DEFAULT_PORTS:
        raise _bad_smtp("must start with smtp:// or smtps://")
    if not parts.hostname:
        raise _bad_smtp("has no host")
    if not _SMTP_HOST.fullmatch(parts.hostname):
        raise _bad_smtp("has a bad host name")
    port = _smtp_port(parts, scheme)
    if parts.path not in ("", "/"):
        raise _bad_smtp("must not have a path")
    if parts.fragment:
        raise _bad_smtp("must not have a #fragment")
    username, password = _smtp_credentials(parts)
    query = _smtp_query(parts.query)
    sender = _smtp_sender(query, parts.hostname)
    return SmtpServer(
        parts.hostname,
        port,
        sender=sender,
        username=username,
        password=password,
        implicit_tls=scheme == "smtps",
        starttls=_smtp_starttls(query, scheme),
    )


def _smtp_port(parts, scheme: str) -> int:
    try:
        port = parts.port
    except ValueError:
        raise _bad_smtp(_BAD_PORT) from None
    if port is None:
        if parts.netloc.endswith(":"):
            raise _bad_smtp(_BAD_PORT)
        return SMTP_DEFAULT_PORTS[scheme]
    if port == 0:
        raise _bad_smtp(_BAD_PORT)
    return port


def _smtp_credentials(parts) -> tuple[str | None, str | None]:
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if username is not None and password is None:
        raise _bad_smtp("has a user but no password (use smtp://user:password@host)")
    if not username:
        if password:
            raise _bad_smtp("has a password but no user")
        return None, None
    return username, password


def _smtp_query(raw: str) -> dict[str, str]:
    try:
        query = parse_qs(raw, keep_blank_values=True, strict_parsing=bool(raw))
    except ValueError:
        raise _bad_smtp("has a malformed query string") from None
    unknown = sorted(set(query) - {"from", "starttls"})
    if unknown:
        raise _bad_smtp(f"has an unknown parameter {_safe(unknown[0])!r} (known: from, starttls)")
    for name, values in query.items():
        if len(values) > 1:
            raise _bad_smtp(f"has {name} more than once")
    return {name: values[0] for name, values in query.items()}


def _smtp_sender(query: dict[str, str], hostname: str) -> str:
    domain = f"[IPv6:{hostname}]" if ":" in hostname else hostname
    sender = query.get("from", f"lobby@{domain}")
    try:
        Address(addr_spec=sender)
    except (ValueError, HeaderParseError):
        raise _bad_smtp(f"has a bad from address {_safe(sender)!r}") from None
    return sender


def _smtp_starttls(query: dict[str, str], scheme: str) -> bool:
    value = query.get("starttls", "0").lower()
    if value not in _TRUE | _FALSE:
        raise _bad_smtp("has a bad starttls value (use starttls=1)")
    starttls = value in _TRUE
    if starttls and scheme == "smtps":
        raise _bad_smtp("cannot use starttls with smtps:// (smtps is already TLS)")
    return starttls


def _safe(text: str) -> str:
    """User text quoted in a one-line message: line breaks flattened, cut short."""
    return " ".join(text.split())[:80]


def _bad_smtp(problem: str) -> SettingsError:
    return SettingsError(f"SMTP_URL {problem}")
