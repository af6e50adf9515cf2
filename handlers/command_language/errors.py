"""CommandError, and the messages that name the word that could not be used."""

import difflib

from bot.vocabulary import COMMAND_WORDS
from handlers.command_language.tokens import QUOTES, Kind, Token


class CommandError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def quote(text: str) -> str:
    return "“" + (text if len(text) <= 40 else text[:39] + "…") + "”"


def cannot_use(token: Token, after: str, expected: str) -> CommandError:
    if token.kind is Kind.UNTERMINATED:
        closing = QUOTES[token.text[0]]
        return CommandError(
            f"The quote {quote(token.text)} is never closed: expected a closing {closing}."
        )
    where = f" after {quote(after)}" if after else ""
    if token.kind is Kind.SPECIAL:
        return CommandError(
            f"I couldn't use {quote(token.text)}{where}: @here, @channel and @everyone are "
            f"never targets. Expected {expected}."
        )
    return CommandError(f"I couldn't use {quote(token.text)}{where}: expected {expected}.")


def unknown_command(token: Token) -> CommandError:
    if token.kind is not Kind.WORD:
        return cannot_use(token, "", "a command like list, or people like @alice or a@x.com")
    guesses = difflib.get_close_matches(token.text.lower()[:30], COMMAND_WORDS, n=1)
    hint = f" Did you mean {quote(guesses[0])}?" if guesses else ""
    return CommandError(f"Unknown command {quote(token.text)}.{hint} Try /invite help.")
