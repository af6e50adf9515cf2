"""Email delivery of invitations to addresses that have no Slack user yet.

`Mailer.from_url` reads the SMTP_URL setting:

    smtp://[user:password@]host[:port][?from=lobby@example.com][&starttls=1]
    smtps://[user:password@]host[:port][?from=lobby@example.com]

`smtp` is plain SMTP on port 25 (STARTTLS only with `starttls=1`), `smtps` is implicit
TLS on port 465. User and password are percent-decoded (so a password containing
`@`, `:`, `/`, `?` or `#` must be percent-encoded). The password never appears in a
log line, an exception message or a repr.
"""

import copy
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT_SECONDS = 10
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_HOST = re.compile(r"[a-z0-9._-]+|[0-9a-f:.]+")  # urlsplit lowercases and strips IPv6 [ ]
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


class Mailer:
    """Sends email through one SMTP server; build it with `Mailer.from_url(SMTP_URL)`."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        implicit_tls: bool = False,
        starttls: bool = False,
    ):
        if implicit_tls and starttls:
            raise ValueError("use either implicit TLS or STARTTLS, not both")
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self._password = password
        self.implicit_tls = implicit_tls
        self.starttls = starttls

    @classmethod
    def from_url(cls, url: str) -> "Mailer":
        """Parse SMTP_URL; if malformed, raise a one-line ValueError that names it."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            raise _bad("is not a valid URL") from None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise _bad("must start with smtp:// or smtps://")
        if not parts.hostname:
            raise _bad("has no host")
        if not _HOST.fullmatch(parts.hostname):
            raise _bad("has a bad host name")
        try:
            port = parts.port
        except ValueError:
            raise _bad("has a bad port (a whole number from 1 to 65535)") from None
        if port is None:
            if parts.netloc.endswith(":"):
                raise _bad("has a bad port (a whole number from 1 to 65535)")
            port = DEFAULT_PORTS[scheme]
        elif port == 0:
            raise _bad("has a bad port (a whole number from 1 to 65535)")
        if parts.path not in ("", "/"):
            raise _bad("must not have a path")
        if parts.fragment:
            raise _bad("must not have a #fragment")

        username = unquote(parts.username) if parts.username is not None else None
        password = unquote(parts.password) if parts.password is not None else None
        if username is not None and password is None:
            raise _bad("has a user but no password (use smtp://user:password@host)")
        if not username:
            if password:
                raise _bad("has a password but no user")
            username = password = None

        try:
            query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
        except ValueError:
            raise _bad("has a malformed query string") from None
        unknown = sorted(set(query) - {"from", "starttls"})
        if unknown:
            raise _bad(f"has an unknown parameter {_safe(unknown[0])!r} (known: from, starttls)")
        for name, values in query.items():
            if len(values) > 1:
                raise _bad(f"has {name} more than once")

        domain = f"[IPv6:{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        sender = query.get("from", [f"lobby@{domain}"])[0]
        try:
            Address(addr_spec=sender)
        except (ValueError, HeaderParseError):
            raise _bad(f"has a bad from address {_safe(sender)!r}") from None

        starttls_value = query.get("starttls", ["0"])[0].lower()
        if starttls_value not in _TRUE | _FALSE:
            raise _bad("has a bad starttls value (use starttls=1)")
        starttls = starttls_value in _TRUE
        if starttls and scheme == "smtps":
            raise _bad("cannot use starttls with smtps:// (smtps is already TLS)")

        return cls(
            parts.hostname,
            port,
            sender=sender,
            username=username,
            password=password,
            implicit_tls=scheme == "smtps",
            starttls=starttls,
        )

    def __repr__(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}:***@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        tls = ", starttls" if self.starttls else ""
        return f"<Mailer {scheme}://{user}{host}:{self.port} from {self.sender}{tls}>"

    def send(self, message: EmailMessage) -> None:
        """Connect, log in if configured, send, quit.

        smtplib.SMTPException and OSError (connection, TLS, timeout) propagate so the
        caller can retry. The envelope sender is `self.sender`; recipients come from the
        message's To/Cc/Bcc. Date and Message-ID are added (to a copy) when missing.
        """
        message = _with_standard_headers(message, self.sender)
        context = ssl.create_default_context()
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self._password or "")
            smtp.send_message(message, from_addr=self.sender)


def invitation_email(
    *,
    to: str,
    sender: str,
    team: str,
    inviter_name: str,
    roles: list[str],
    personal_message: str | None,
    code: str,
    join_url: str | None,
    expires_at: datetime,
) -> EmailMessage:
    """The plain-text invitation email for someone who is not in the Slack workspace yet.

    `to` and `sender` must be bare addresses (ValueError otherwise, including for CR/LF).
    Line breaks in the team and inviter names are flattened, so they cannot add headers.
    A naive `expires_at` is taken as UTC.
    """
    team = _one_line(team)
    inviter_name = _one_line(inviter_name)
    code = _one_line(code)
    join_url = _one_line(join_url or "")

    message = EmailMessage()
    message["To"] = _address(to)
    message["From"] = _address(sender, display_name="Lobby")
    message["Subject"] = f"You're invited to join {team} on Slack"
    message["Auto-Submitted"] = "auto-generated"
    body = _invitation_body(
        team=team,
        inviter_name=inviter_name,
        roles=roles,
        personal_message=personal_message,
        code=code,
        join_url=join_url,
        expires_at=expires_at,
    )
    # Plain ASCII goes as 7bit (lines up to RFC 5322's 998) so a long join URL is not
    # split by quoted-printable soft breaks; anything else lets EmailMessage choose.
    ascii_ok = body.isascii() and max(map(len, body.splitlines())) <= 998
    message.set_content(body, cte="7bit" if ascii_ok else None)
    return message


def _invitation_body(*, team, inviter_name, roles, personal_message, code, join_url, expires_at):
    role_names = ", ".join(_one_line(role).capitalize() for role in roles if role.strip())
    as_roles = f" as {role_names}" if role_names else ""
    lines = ["Hi,", "", f"{inviter_name} invited you to join {team} on Slack{as_roles}."]

    personal_message = (personal_message or "").strip()
    if personal_message:
        lines += ["", f"{inviter_name} wrote:", ""]
        lines += [f"> {line}".rstrip() for line in personal_message.splitlines()]

    if join_url:
        get_in = f"Join the Slack workspace: {join_url}"
    else:
        get_in = f"Ask {inviter_name}, who invited you, to add you to the Slack workspace."
    lines += [
        "",
        f"Your invite code: {code}",
        "",
        "How to join:",
        "",
        f"1. {get_in}",
        "",
        "2. Once you are in the workspace, your invitation will be waiting for you",
        "   there in a message from Lobby. Or type this in any Slack message box:",
        "",
        f"   /invite join {code}",
        "",
        f"This invitation expires on {_utc_date(expires_at)}.",
        "",
        "Lobby",
    ]
    return "\n".join(lines) + "\n"


def _utc_date(moment: datetime) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    month = _MONTHS[moment.month - 1]  # not %b, which follows the process locale
    return f"{month} {moment.day}, {moment.year} at {moment:%H:%M} UTC"


def _address(addr_spec: str, display_name: str = "") -> Address:
    """One bare address, or ValueError (the parser also raises HeaderParseError)."""
    try:
        return Address(display_name=display_name, addr_spec=addr_spec)
    except HeaderParseError:
        raise ValueError(f"not a single email address: {addr_spec!r}") from None


def _with_standard_headers(message: EmailMessage, sender: str) -> EmailMessage:
    if "Date" in message and "Message-ID" in message:
        return message
    message = copy.deepcopy(message)
    if "Date" not in message:
        message["Date"] = formatdate(usegmt=True)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "lobby.invalid")
    return message


def _one_line(text: str) -> str:
    """Collapse line breaks (CR, LF and their Unicode cousins) into single spaces."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


def _safe(text: str) -> str:
    return _one_line(text)[:80]


def _bad(problem: str) -> ValueError:
    return ValueError(f"SMTP_URL {problem}")
