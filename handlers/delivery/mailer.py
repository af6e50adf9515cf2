"""Email delivery of invitations to addresses that have no Slack user yet.

The server comes from the SMTP_URL setting, parsed by `config.parse_smtp_url`.
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

from config import SmtpServer

TIMEOUT_SECONDS = 10
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


class Mailer:
    """Sends email through one SMTP server."""

    def __init__(self, server: SmtpServer):
        self.server = server

    @property
    def sender(self) -> str:
        return self.server.sender

    def __repr__(self) -> str:
        tls = ", starttls" if self.server.starttls else ""
        return f"<Mailer {self.server.redacted_url} from {self.sender}{tls}>"

    def send(self, message: EmailMessage) -> None:
        """Connect, log in if configured, send, quit.

        smtplib.SMTPException and OSError (connection, TLS, timeout) propagate so the
        caller can retry. The envelope sender is `self.sender`; recipients come from the
        message's To/Cc/Bcc. Date and Message-ID are added (to a copy) when missing.
        """
        server = self.server
        message = _with_standard_headers(message, server.sender)
        context = ssl.create_default_context()
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(
                server.host, server.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if server.starttls:
                smtp.starttls(context=context)
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message, from_addr=server.sender)


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
    workspace: str | None = None,
    workspace_url: str | None = None,
) -> EmailMessage:
    """The plain-text invitation email for someone who is not in the Slack workspace yet.

    With `workspace` (its name, and its address), the email says which Slack workspace
    the team is in: the same team name may be in several workspaces Lobby serves.

    `to` and `sender` must be bare addresses (ValueError otherwise, including for CR/LF).
    Line breaks in the team and inviter names are flattened, so they cannot add headers.
    A naive `expires_at` is taken as UTC.
    """
    team = _one_line(team)
    inviter_name = _one_line(inviter_name)
    code = _one_line(code)
    join_url = _one_line(join_url or "")
    workspace = _one_line(workspace or "")
    where = f"{team} in {workspace}" if workspace else team

    message = EmailMessage()
    message["To"] = _address(to)
    message["From"] = _address(sender, display_name="Lobby")
    message["Subject"] = f"You're invited to join {where} on Slack"
    message["Auto-Submitted"] = "auto-generated"
    body = _invitation_body(
        team=where,
        workspace=_workspace_words(workspace, workspace_url),
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


def _workspace_words(workspace: str, url: str | None) -> str:
    """'the Slack workspace', or which one: 'the Acme Slack workspace (acme.slack.com)'."""
    if not workspace:
        return "the Slack workspace"
    host = _one_line(url or "").removeprefix("https://").removesuffix("/")
    return f"the {workspace} Slack workspace" + (f" ({host})" if host else "")


def _invitation_body(
    *, team, workspace, inviter_name, roles, personal_message, code, join_url, expires_at
):
    role_names = ", ".join(_one_line(role).capitalize() for role in roles if role.strip())
    as_roles = f" as {role_names}" if role_names else ""
    lines = ["Hi,", "", f"{inviter_name} invited you to join {team} on Slack{as_roles}."]

    personal_message = (personal_message or "").strip()
    if personal_message:
        lines += ["", f"{inviter_name} wrote:", ""]
        lines += [f"> {line}".rstrip() for line in personal_message.splitlines()]

    if join_url:
        get_in = f"Join {workspace}: {join_url}"
    else:
        get_in = f"Ask {inviter_name}, who invited you, to add you to {workspace}."
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
