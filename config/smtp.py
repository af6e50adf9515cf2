"""SMTP_URL, read into the SmtpServer that invitation emails go through."""

import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from urllib.parse import parse_qs, unquote, urlsplit

from config.errors import SettingsError

SMTP_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SMTP_HOST = re.compile(r"[a-z0-9._-]+|[0-9a-f:.]+")  # urlsplit lowercases and strips IPv6 [ ]
_BAD_PORT = "has a bad port (a whole number from 1 to 65535)"


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
