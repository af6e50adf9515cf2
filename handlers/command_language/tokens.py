"""Slack's escaped command text as tokens: words, quotes, mentions, links."""

import re
from dataclasses import dataclass
from enum import Enum

SPECIAL_MENTIONS = frozenset({"here", "channel", "everyone"})
QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


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
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_RAW_USER_ID = re.compile(r"[UW](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}")  # a digit, so WORKSHOP isn't one
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
_USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


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
    if target.startswith("!") and target[1:].lower() in SPECIAL_MENTIONS:
        return Token(Kind.SPECIAL, "@" + target[1:].lower(), start, end)
    if target.startswith("mailto:"):
        address = _unescape(target[7:])
        return Token(Kind.EMAIL, label or address, start, end, address, label)
    if _URL.match(target):
        url = _unescape(target)
        return Token(Kind.LINK, label or url, start, end, url, label)
    return Token(Kind.MALFORMED, _unescape(match[0]), start, end)


def plain_text(raw: str) -> str:
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
    special = word.startswith("@") and word[1:].lower() in SPECIAL_MENTIONS
    return Token(Kind.SPECIAL if special else Kind.WORD, word, start, end)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace() or char == ",":
            index += 1
        elif entity := _ENTITY.match(text, index):
            tokens.append(_entity(entity))
            index = entity.end()
        elif char in QUOTES:
            close = text.find(QUOTES[char], index + 1)
            if close < 0:
                tokens.append(Token(Kind.UNTERMINATED, _unescape(text[index:]), index, len(text)))
                break
            tokens.append(Token(Kind.QUOTED, plain_text(text[index + 1 : close]), index, close + 1))
            index = close + 1
        else:
            end = index + 1
            while end < len(text) and not _separates(text, end):
                end += 1
            tokens.append(_word(text, index, end))
            index = end
    return tokens
