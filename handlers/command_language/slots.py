"""Slots: what one token may mean in a given place (a team, a person, a role, a number)."""

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bot.teams.access_term import DATE_EXPECTED, DAYS_EXPECTED, AccessTerm
from bot.teams.service import ChannelRef, UserGroupRef
from bot.vocabulary import KEYWORDS, MAX_ACCESS_DAYS
from handlers.command_language.commands import EmailTarget, Target, UserTarget
from handlers.command_language.cursor import Cursor
from handlers.command_language.tokens import Kind, Token

T = TypeVar("T")
_RAW_USER_ID = re.compile(r"[UW](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}")  # a digit, so WORKSHOP isn't one
_PLAIN_NAME = re.compile(r"@([\w.\-]+)")
_PLAIN_CHANNEL = re.compile(r"#([\w.\-]+)")
_ROLE_NAME = re.compile(r"[A-Za-z][\w-]{0,31}")
_PERMISSION = re.compile(r"[A-Za-z][A-Za-z_]{0,31}")


def is_team_word(token: Token | None) -> bool:
    return (
        token is not None
        and token.kind is Kind.WORD
        and token.text.lower() not in KEYWORDS
        and "@" not in token.text
        and not token.text.startswith("#")
    )


def required_team(cursor: Cursor, usage: str) -> str:
    if not is_team_word(cursor.peek()):
        raise cursor.fail(f"a team name, as in {usage}")
    return cursor.take().text


def optional_team(cursor: Cursor) -> str | None:
    return cursor.take().text if is_team_word(cursor.peek()) else None


def team_after(cursor: Cursor, keyword: str, usage: str) -> str | None:
    return required_team(cursor, usage) if cursor.take_keyword(keyword) else None


def as_user(token: Token) -> UserTarget | None:
    if token.kind is Kind.USER:
        return UserTarget(token.ident, token.label or None)
    if token.kind is Kind.WORD and _RAW_USER_ID.fullmatch(token.text):
        return UserTarget(token.text, None)
    if token.kind is Kind.WORD and (name := _PLAIN_NAME.fullmatch(token.text)):
        return UserTarget(None, name[1])
    return None


def as_email(address: str) -> EmailTarget | None:
    local, _, domain = address.partition("@")
    labels = domain.split(".")
    if not local or address.count("@") != 1 or len(labels) < 2 or not all(labels):
        return None
    if any(char.isspace() or char in "<>,\"'" for char in address):
        return None
    return EmailTarget(f"{local}@{domain.lower()}")


def as_target(token: Token) -> Target | None:
    if token.kind is Kind.EMAIL:
        return as_email(token.ident or "")
    if token.kind is Kind.WORD and "@" in token.text[1:]:
        return as_email(token.text)
    return as_user(token)


def as_resource(token: Token) -> ChannelRef | UserGroupRef | None:
    if token.kind is Kind.CHANNEL:
        return ChannelRef(token.ident, token.label or None)
    if token.kind is Kind.USERGROUP:
        return UserGroupRef(token.ident, token.label or None)
    if token.kind is Kind.WORD and (channel := _PLAIN_CHANNEL.fullmatch(token.text)):
        return ChannelRef(None, channel[1])
    if token.kind is Kind.WORD and (group := _PLAIN_NAME.fullmatch(token.text)):
        return UserGroupRef(None, group[1])
    return None


def as_role(token: Token) -> str | None:
    if token.kind is Kind.QUOTED and 0 < len(token.text) <= 32:  # "Core Team"
        return token.text.lower()
    if token.kind is Kind.WORD and _ROLE_NAME.fullmatch(token.text):
        return token.text.lower() if token.text.lower() not in KEYWORDS else None
    return None


def as_permission(token: Token) -> str | None:
    if token.kind is Kind.WORD and _PERMISSION.fullmatch(token.text):
        return token.text.lower()
    return None


def take_as(cursor: Cursor, convert: Callable[[Token], T | None], expected: str) -> T:
    """Take the next token as what `convert` makes of it, or fail naming it."""
    token = cursor.peek()
    value = convert(token) if token is not None else None
    if value is None:
        raise cursor.fail(expected)
    cursor.take()
    return value


def name_list(
    cursor: Cursor, stops: tuple[str, ...], convert: Callable[[Token], str | None], expected: str
) -> tuple[str, ...]:
    """Role or permission names, split by commas or spaces, up to a stop keyword."""
    names: list[str] = []
    while cursor.peek() is not None and cursor.keyword() not in stops:
        names.append(take_as(cursor, convert, expected))
    if not names:
        raise cursor.fail(expected)
    return tuple(dict.fromkeys(names))


def whole_number(cursor: Cursor, highest: int, expected: str) -> int:
    def in_range(token: Token) -> int | None:
        # At most 7 digits: int() of a huge digit string raises ValueError, not CommandError.
        if token.kind is Kind.WORD and re.fullmatch(r"[0-9]{1,7}", token.text):
            return int(token.text) if 1 <= int(token.text) <= highest else None
        return None

    return take_as(cursor, in_range, expected)


def access_term(cursor: Cursor, clause: str) -> AccessTerm:
    """After `for`: N days; after `until`: a date as YYYY-MM-DD. The range is the service's
    to check (it knows today); the parser reads the form."""
    if clause == "until":
        return AccessTerm(until=take_as(cursor, as_date, DATE_EXPECTED))
    days = whole_number(cursor, MAX_ACCESS_DAYS, DAYS_EXPECTED)
    if not cursor.take_keyword("days", "day"):
        raise cursor.fail(f"“days” after the number, as in {DAYS_EXPECTED}")
    return AccessTerm(days=days)


def as_date(token: Token) -> date | None:
    if token.kind is not Kind.WORD or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", token.text):
        return None
    try:
        return date.fromisoformat(token.text)
    except ValueError:
        return None
