"""The command language after `/invite`: Slack's escaped text in, a small frozen command out.

Pure: no database, no Slack API. Every failure is a CommandError whose plain-text message
names the word that could not be used and the form that was expected.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from bot.teams import ChannelRef, UserGroupRef

MAX_TARGETS = 50
MAX_SEATS = 100_000
MAX_LINK_USES = 100_000
MAX_LINK_DAYS = 3650

STATUSES = ("pending", "accepted", "declined", "expired", "cancelled", "all")
PLANS = ("starter", "professional", "enterprise", "unlimited")
_COMMAND_WORDS = (
    "help", "teams", "members", "list", "link", "card", "join", "request", "requests",
    "role", "roles", "transfer", "remove", "team", "seats", "settings", "audit",
)  # fmt: skip
_OTHER_WORDS = (
    "reset", "limit", "create", "delete", "to", "as", "in", "from", "message",
    "parent", "uses", "expires", "never", "csv",
)  # fmt: skip
KEYWORDS: frozenset[str] = frozenset(_COMMAND_WORDS + _OTHER_WORDS + STATUSES + PLANS)
_INVITE_CLAUSES = ("to", "as", "message")
_SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone"})
T = TypeVar("T")


class CommandError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Command:
    """Base of every parsed command."""

    __slots__ = ()


_frozen = dataclass(frozen=True)


@_frozen
class UserTarget:
    user_id: str | None  # from a mention or a raw U…/W… id
    name: str | None  # from a plain @alice, or the label of a mention


@_frozen
class EmailTarget:
    address: str


Target = UserTarget | EmailTarget


@_frozen
class SeatLimit:
    """Exactly one is set: a plan word (starter, …, unlimited) or a number of seats."""

    plan: str | None = None
    seats: int | None = None


@_frozen
class OpenInviteModal(Command): ...


@_frozen
class Help(Command): ...


@_frozen
class ListTeams(Command): ...


@_frozen
class Members(Command):
    team: str | None = None


@_frozen
class Invite(Command):
    targets: tuple[Target, ...]
    team: str | None = None
    roles: tuple[str, ...] = ()
    message: str | None = None


@_frozen
class ListInvitations(Command):
    team: str | None = None
    status: str = "pending"


@_frozen
class ShowLink(Command):
    team: str | None = None


@_frozen
class ResetLink(Command):
    team: str | None = None


@_frozen
class LimitLink(Command):
    team: str | None = None
    max_uses: int | None = None
    expires_days: int | None = None
    never_expires: bool = False


@_frozen
class PostCard(Command):
    team: str | None = None


@_frozen
class JoinWithCode(Command):
    code: str


@_frozen
class RequestToJoin(Command):
    text: str  # "[TEAM] [note…]", resolved later against the real team names


@_frozen
class ListRequests(Command):
    team: str | None = None


@_frozen
class SetRoles(Command):
    user: UserTarget
    roles: tuple[str, ...]
    team: str | None = None


@_frozen
class ListRoles(Command):
    team: str | None = None


@_frozen
class CreateRole(Command):
    name: str
    permissions: tuple[str, ...]
    team: str | None = None


@_frozen
class DeleteRole(Command):
    name: str
    team: str | None = None


@_frozen
class TransferOwnership(Command):
    team: str
    user: UserTarget


@_frozen
class DeleteTeam(Command):
    team: str


@_frozen
class RemoveMember(Command):
    user: UserTarget
    team: str | None = None


@_frozen
class CreateTeam(Command):
    name: str
    parent: str | None = None


@_frozen
class LinkTeam(Command):
    team: str | None
    channels: tuple[ChannelRef, ...] = ()
    usergroups: tuple[UserGroupRef, ...] = ()


@_frozen
class Seats(Command):
    team: str | None = None
    limit: SeatLimit | None = None


@_frozen
class Settings(Command):
    team: str | None = None


@_frozen
class Audit(Command):
    team: str | None = None
    csv: bool = False


# --- Tokens -------------------------------------------------------------------------------


class Kind(Enum):
    WORD = "word"
    QUOTED = "quoted"
    UNTERMINATED = "unterminated quote"
    USER = "user mention"
    CHANNEL = "channel mention"
    USERGROUP = "user group mention"
    SPECIAL = "special mention"  # @here, @channel, @everyone
    EMAIL = "email link"
    LINK = "link"
    MALFORMED = "malformed entity"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # unescaped, readable: what error messages quote
    start: int  # span in the raw text, so a command can take "the rest of the text"
    end: int
    ident: str | None = None  # Slack id, or the address of a mailto link
    label: str | None = None


_ENTITY = re.compile(r"<([^<>]*)>")
_ESCAPE = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_RAW_USER_ID = re.compile(r"[UW](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}")  # a digit, so WORKSHOP isn't one
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
_USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_PLAIN_NAME = re.compile(r"@([\w.\-]+)")
_PLAIN_CHANNEL = re.compile(r"#([\w.\-]+)")
_ROLE_NAME = re.compile(r"[A-Za-z][\w-]{0,31}")
_PERMISSION = re.compile(r"[A-Za-z][A-Za-z_]{0,31}")
_NUMBERISH = re.compile(r"[+-]?[0-9][0-9.]*")


def _unescape(text: str) -> str:
    # One pass, so "&amp;lt;" becomes "&lt;" and not "<".
    return _ESCAPE.sub(lambda match: _UNESCAPED[match[1]], text)


def _entity(match: re.Match[str]) -> Token:
    target, _, label = match[1].partition("|")
    label = _unescape(label).strip()
    start, end = match.span()
    if target.startswith("@") and _USER_ID.fullmatch(target[1:]):
        return Token(Kind.USER, "@" + (label or target[1:]), start, end, target[1:], label)
    if target.startswith("#") and _CHANNEL_ID.fullmatch(target[1:]):
        return Token(Kind.CHANNEL, "#" + (label or target[1:]), start, end, target[1:], label)
    if target.startswith("!subteam^") and _USERGROUP_ID.fullmatch(target[9:]):
        handle = label.lstrip("@")
        return Token(Kind.USERGROUP, "@" + (handle or target[9:]), start, end, target[9:], handle)
    if target.startswith("!") and target[1:].lower() in _SPECIAL_MENTIONS:
        return Token(Kind.SPECIAL, "@" + target[1:].lower(), start, end)
    if target.startswith("mailto:"):
        address = _unescape(target[7:])
        return Token(Kind.EMAIL, label or address, start, end, address, label)
    if _URL.match(target):
        url = _unescape(target)
        return Token(Kind.LINK, label or url, start, end, url, label)
    return Token(Kind.MALFORMED, _unescape(match[0]), start, end)


def _plain_text(raw: str) -> str:
    """Free text (a message, a note) as a person reads it: entities by name, unescaped once."""
    parts, position = [], 0
    for match in _ENTITY.finditer(raw):
        parts += [_unescape(raw[position : match.start()]), _entity(match).text]
        position = match.end()
    parts.append(_unescape(raw[position:]))
    return "".join(parts).strip()


def _separates(text: str, index: int) -> bool:
    char = text[index]
    return char.isspace() or char == "," or (char == "<" and bool(_ENTITY.match(text, index)))


def _word(text: str, start: int, end: int) -> Token:
    word = _unescape(text[start:end])
    special = word.startswith("@") and word[1:].lower() in _SPECIAL_MENTIONS
    return Token(Kind.SPECIAL if special else Kind.WORD, word, start, end)


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace() or char == ",":
            index += 1
        elif entity := _ENTITY.match(text, index):
            tokens.append(_entity(entity))
            index = entity.end()
        elif char in _QUOTES:
            close = text.find(_QUOTES[char], index + 1)
            if close < 0:
                tokens.append(Token(Kind.UNTERMINATED, _unescape(text[index:]), index, len(text)))
                break
            tokens.append(
                Token(Kind.QUOTED, _plain_text(text[index + 1 : close]), index, close + 1)
            )
            index = close + 1
        else:
            end = index + 1
            while end < len(text) and not _separates(text, end):
                end += 1
            tokens.append(_word(text, index, end))
            index = end
    return tokens


# --- Errors -------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return "“" + (text if len(text) <= 40 else text[:39] + "…") + "”"


def _cannot_use(token: Token, after: str, expected: str) -> CommandError:
    if token.kind is Kind.UNTERMINATED:
        closing = _QUOTES[token.text[0]]
        return CommandError(
            f"The quote {_quote(token.text)} is never closed: expected a closing {closing}."
        )
    where = f" after {_quote(after)}" if after else ""
    if token.kind is Kind.SPECIAL:
        return CommandError(
            f"I couldn't use {_quote(token.text)}{where}: @here, @channel and @everyone are "
            f"never targets. Expected {expected}."
        )
    return CommandError(f"I couldn't use {_quote(token.text)}{where}: expected {expected}.")


def _unknown_command(token: Token) -> CommandError:
    if token.kind is not Kind.WORD:
        return _cannot_use(token, "", "a command like list, or people like @alice or a@x.com")
    guesses = difflib.get_close_matches(token.text.lower()[:30], _COMMAND_WORDS, n=1)
    hint = f" Did you mean {_quote(guesses[0])}?" if guesses else ""
    return CommandError(f"Unknown command {_quote(token.text)}.{hint} Try /invite help.")


# --- Reading tokens -----------------------------------------------------------------------


class _Cursor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.after = ""  # the last word taken, which errors name

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def remaining(self) -> int:
        return len(self.tokens) - self.index

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        self.after = token.text
        return token

    def keyword(self) -> str | None:
        token = self.peek()
        return token.text.lower() if token and token.kind is Kind.WORD else None

    def take_keyword(self, *words: str) -> str | None:
        return self.take().text.lower() if self.keyword() in words else None

    def rest(self) -> str:
        token = self.peek()
        self.index = len(self.tokens)
        return _plain_text(self.text[token.start :]) if token else ""

    def fail(self, expected: str) -> CommandError:
        token = self.peek()
        if token is None:
            return CommandError(f"{_quote(self.after)} needs more: expected {expected}.")
        return _cannot_use(token, self.after, expected)

    def finish(self, command: Command, usage: str) -> Command:
        if self.peek() is not None:
            raise self.fail(f"nothing more, as in {usage}")
        return command

    def clauses(self, names: tuple[str, ...], usage: str) -> Iterator[str]:
        """Yield each optional clause keyword (like `to`, `as`) as it is taken, each once."""
        seen: set[str] = set()
        while (word := self.keyword()) in names:
            if word in seen:
                raise self.fail(f"{_quote(word)} only once, as in {usage}")
            seen.add(word)
            yield self.take().text.lower()


# --- Slots: what one token may mean in a given place --------------------------------------


def _is_team_word(token: Token | None) -> bool:
    return (
        token is not None
        and token.kind is Kind.WORD
        and token.text.lower() not in KEYWORDS
        and "@" not in token.text
        and not token.text.startswith("#")
    )


def _team(cursor: _Cursor, usage: str) -> str:
    if not _is_team_word(cursor.peek()):
        raise cursor.fail(f"a team name, as in {usage}")
    return cursor.take().text


def _optional_team(cursor: _Cursor) -> str | None:
    return cursor.take().text if _is_team_word(cursor.peek()) else None


def _team_after(cursor: _Cursor, keyword: str, usage: str) -> str | None:
    return _team(cursor, usage) if cursor.take_keyword(keyword) else None


def _as_user(token: Token) -> UserTarget | None:
    if token.kind is Kind.USER:
        return UserTarget(token.ident, token.label or None)
    if token.kind is Kind.WORD and _RAW_USER_ID.fullmatch(token.text):
        return UserTarget(token.text, None)
    if token.kind is Kind.WORD and (name := _PLAIN_NAME.fullmatch(token.text)):
        return UserTarget(None, name[1])
    return None


def _as_email(address: str) -> EmailTarget | None:
    local, _, domain = address.partition("@")
    labels = domain.split(".")
    if not local or address.count("@") != 1 or len(labels) < 2 or not all(labels):
        return None
    if any(char.isspace() or char in "<>,\"'" for char in address):
        return None
    return EmailTarget(f"{local}@{domain.lower()}")


def _as_target(token: Token) -> Target | None:
    if token.kind is Kind.EMAIL:
        return _as_email(token.ident or "")
    if token.kind is Kind.WORD and "@" in token.text[1:]:
        return _as_email(token.text)
    return _as_user(token)


def _as_resource(token: Token) -> ChannelRef | UserGroupRef | None:
    if token.kind is Kind.CHANNEL:
        return ChannelRef(token.ident, token.label or None)
    if token.kind is Kind.USERGROUP:
        return UserGroupRef(token.ident, token.label or None)
    if token.kind is Kind.WORD and (channel := _PLAIN_CHANNEL.fullmatch(token.text)):
        return ChannelRef(None, channel[1])
    if token.kind is Kind.WORD and (group := _PLAIN_NAME.fullmatch(token.text)):
        return UserGroupRef(None, group[1])
    return None


def _as_role(token: Token) -> str | None:
    if token.kind is Kind.QUOTED and 0 < len(token.text) <= 32:  # "Core Team"
        return token.text.lower()
    if token.kind is Kind.WORD and _ROLE_NAME.fullmatch(token.text):
        return token.text.lower() if token.text.lower() not in KEYWORDS else None
    return None


def _as_permission(token: Token) -> str | None:
    if token.kind is Kind.WORD and _PERMISSION.fullmatch(token.text):
        return token.text.lower()
    return None


def _take(cursor: _Cursor, convert: Callable[[Token], T | None], expected: str) -> T:
    """Take the next token as what `convert` makes of it, or fail naming it."""
    token = cursor.peek()
    value = convert(token) if token is not None else None
    if value is None:
        raise cursor.fail(expected)
    cursor.take()
    return value


def _names(
    cursor: _Cursor, stops: tuple[str, ...], convert: Callable[[Token], str | None], expected: str
) -> tuple[str, ...]:
    """Role or permission names, split by commas or spaces, up to a stop keyword."""
    names: list[str] = []
    while cursor.peek() is not None and cursor.keyword() not in stops:
        names.append(_take(cursor, convert, expected))
    if not names:
        raise cursor.fail(expected)
    return tuple(dict.fromkeys(names))


def _number(cursor: _Cursor, highest: int, expected: str) -> int:
    def in_range(token: Token) -> int | None:
        # At most 7 digits: int() of a huge digit string raises ValueError, not CommandError.
        if token.kind is Kind.WORD and re.fullmatch(r"[0-9]{1,7}", token.text):
            return int(token.text) if 1 <= int(token.text) <= highest else None
        return None

    return _take(cursor, in_range, expected)


# --- Commands -----------------------------------------------------------------------------

_ROLES_EXPECTED = "role names like member or admin,manager"
_PEOPLE_EXPECTED = "people like @alice or alice@example.com"


def _invite(cursor: _Cursor) -> Command:
    usage = '/invite @alice @bob [to TEAM] [as ROLE[,ROLE]] [message "…"]'
    targets: dict[tuple[str, str], Target] = {}
    while cursor.peek() is not None and cursor.keyword() not in _INVITE_CLAUSES:
        target = _take(cursor, _as_target, _PEOPLE_EXPECTED)
        targets.setdefault(_identity(target), target)
    if not targets:
        raise cursor.fail(f"people to invite first, as in {usage}")
    if len(targets) > MAX_TARGETS:
        raise CommandError(
            f"I can invite at most {MAX_TARGETS} people at once, and {len(targets)} were given."
        )
    team, roles, message = None, (), None
    for clause in cursor.clauses(_INVITE_CLAUSES, usage):
        if clause == "to":
            team = _team(cursor, usage)
        elif clause == "as":
            roles = _names(cursor, _INVITE_CLAUSES, _as_role, _ROLES_EXPECTED)
        else:
            message = _message(cursor)
    return cursor.finish(Invite(tuple(targets.values()), team, roles, message), usage)


def _identity(target: Target) -> tuple[str, str]:
    if isinstance(target, EmailTarget):
        return ("email", target.address.lower())
    return ("id", target.user_id) if target.user_id else ("name", (target.name or "").lower())


def _message(cursor: _Cursor) -> str:
    token = cursor.peek()
    if token is not None and token.kind is Kind.UNTERMINATED:
        raise cursor.fail("a closed quote")
    message = cursor.take().text if token and token.kind is Kind.QUOTED else cursor.rest()
    if not message:
        raise CommandError('“message” needs some text: expected message "Welcome aboard!".')
    return message


def _list(cursor: _Cursor) -> Command:
    team = _optional_team(cursor)
    status = cursor.take_keyword(*STATUSES) or "pending"
    return cursor.finish(
        ListInvitations(team, status), "/invite list [TEAM] [" + "|".join(STATUSES) + "]"
    )


def _link(cursor: _Cursor) -> Command:
    if cursor.take_keyword("reset"):
        return cursor.finish(ResetLink(_optional_team(cursor)), "/invite link reset [TEAM]")
    if cursor.take_keyword("limit"):
        return _link_limit(cursor)
    return cursor.finish(ShowLink(_optional_team(cursor)), "/invite link [TEAM]")


def _link_limit(cursor: _Cursor) -> Command:
    usage = "/invite link limit [TEAM] [uses N] [expires DAYS|never]"
    team = _optional_team(cursor)
    max_uses = expires_days = None
    never_expires = False
    for clause in cursor.clauses(("uses", "expires"), usage):
        if clause == "uses":
            max_uses = _number(cursor, MAX_LINK_USES, f"a number of uses from 1 to {MAX_LINK_USES}")
        elif cursor.take_keyword("never"):
            never_expires = True
        else:
            expires_days = _number(
                cursor, MAX_LINK_DAYS, f"days from 1 to {MAX_LINK_DAYS}, or never"
            )
    if max_uses is None and expires_days is None and not never_expires:
        raise cursor.fail(f"uses N or expires DAYS|never, as in {usage}")
    return cursor.finish(LimitLink(team, max_uses, expires_days, never_expires), usage)


def _join(cursor: _Cursor) -> Command:
    usage = "/invite join CODE"
    token = cursor.peek()
    if token is None or token.kind is not Kind.WORD:
        raise cursor.fail(f"an invite code, as in {usage}")
    return cursor.finish(JoinWithCode(cursor.take().text), usage)


def _role(cursor: _Cursor) -> Command:
    if cursor.take_keyword("create"):
        usage = "/invite role create NAME PERM[,PERM] [in TEAM]"
        name = _take(cursor, _as_role, f"a new role name, as in {usage}")
        permissions = _names(cursor, ("in",), _as_permission, "permissions like invite,view")
        return cursor.finish(CreateRole(name, permissions, _team_after(cursor, "in", usage)), usage)
    if cursor.take_keyword("delete"):
        usage = "/invite role delete NAME [in TEAM]"
        name = _take(cursor, _as_role, f"a role name, as in {usage}")
        return cursor.finish(DeleteRole(name, _team_after(cursor, "in", usage)), usage)
    usage = "/invite role @alice ROLE[,ROLE] [in TEAM]"
    user = _take(cursor, _as_user, f"a person, create or delete, as in {usage}")
    roles = _names(cursor, ("in",), _as_role, _ROLES_EXPECTED)
    return cursor.finish(SetRoles(user, roles, _team_after(cursor, "in", usage)), usage)


def _transfer(cursor: _Cursor) -> Command:
    usage = "/invite transfer TEAM @alice"
    team = _team(cursor, usage)
    return cursor.finish(
        TransferOwnership(team, _take(cursor, _as_user, f"a person, as in {usage}")), usage
    )


def _remove(cursor: _Cursor) -> Command:
    usage = "/invite remove @alice [from TEAM]"
    user = _take(cursor, _as_user, f"a person, as in {usage}")
    return cursor.finish(RemoveMember(user, _team_after(cursor, "from", usage)), usage)


def _team_command(cursor: _Cursor) -> Command:
    if cursor.take_keyword("create"):
        usage = "/invite team create NAME [parent PARENT]"
        name = _team(cursor, usage)
        return cursor.finish(CreateTeam(name, _team_after(cursor, "parent", usage)), usage)
    if cursor.take_keyword("delete"):
        usage = "/invite team delete TEAM"
        return cursor.finish(DeleteTeam(_team(cursor, usage)), usage)
    if cursor.take_keyword("link"):
        return _link_team(cursor)
    raise cursor.fail("create, delete or link, as in /invite team create NAME")


def _link_team(cursor: _Cursor) -> Command:
    expected = "channels like #design or a user group like @design-team"
    team = _optional_team(cursor)
    resources: list[ChannelRef | UserGroupRef] = []
    while cursor.peek() is not None:
        resources.append(_take(cursor, _as_resource, expected))
    if not resources:
        raise cursor.fail(f"{expected}, as in /invite team link TEAM #chan @group")
    unique = tuple(dict.fromkeys(resources))
    channels = tuple(r for r in unique if isinstance(r, ChannelRef))
    return LinkTeam(team, channels, tuple(r for r in unique if isinstance(r, UserGroupRef)))


def _seats(cursor: _Cursor) -> Command:
    usage = "/invite seats [TEAM] [N|" + "|".join(PLANS) + "]"
    token = cursor.peek()
    # A trailing number is the limit, so "seats 2024" sets 2024 seats, not team 2024's.
    lone_number = cursor.remaining() == 1 and bool(_NUMBERISH.fullmatch(token.text))
    team = None if lone_number else _optional_team(cursor)
    limit = None
    if plan := cursor.take_keyword(*PLANS):
        limit = SeatLimit(plan=plan)
    elif cursor.peek() is not None:
        expected = f"a seat count from 1 to {MAX_SEATS} or a plan: " + ", ".join(PLANS)
        limit = SeatLimit(seats=_number(cursor, MAX_SEATS, expected))
    return cursor.finish(Seats(team, limit), usage)


def _team_only(command: type[Command], usage: str):
    return lambda cursor: cursor.finish(command(_optional_team(cursor)), usage)


_COMMANDS = {
    "help": lambda cursor: Help(),  # "help link" and the like still show help
    "teams": lambda cursor: cursor.finish(ListTeams(), "/invite teams"),
    "members": _team_only(Members, "/invite members [TEAM]"),
    "list": _list,
    "link": _link,
    "card": _team_only(PostCard, "/invite card [TEAM]"),
    "join": _join,
    "request": lambda cursor: RequestToJoin(cursor.rest()),
    "requests": _team_only(ListRequests, "/invite requests [TEAM]"),
    "role": _role,
    "roles": _team_only(ListRoles, "/invite roles [TEAM]"),
    "transfer": _transfer,
    "remove": _remove,
    "team": _team_command,
    "seats": _seats,
    "settings": _team_only(Settings, "/invite settings [TEAM]"),
    "audit": lambda cursor: cursor.finish(
        Audit(_optional_team(cursor), bool(cursor.take_keyword("csv"))),
        "/invite audit [TEAM] [csv]",
    ),
}


def parse(text: str) -> Command:
    """Parse the text after /invite, as Slack sends it, or raise CommandError."""
    if not isinstance(text, str):
        raise CommandError("I couldn't read the command text: expected words after /invite.")
    cursor = _Cursor(text)
    first = cursor.peek()
    if first is None:
        return OpenInviteModal()
    command = cursor.keyword()
    if command in _COMMANDS:
        cursor.take()
        return _COMMANDS[command](cursor)
    if command in _INVITE_CLAUSES or first.kind is Kind.SPECIAL or _as_target(first):
        return _invite(cursor)
    raise _unknown_command(first)
