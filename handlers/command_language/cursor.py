"""Reading tokens one at a time, with errors that name the word read last."""

from collections.abc import Iterator

from handlers.command_language.commands import Command
from handlers.command_language.errors import CommandError, cannot_use, quote
from handlers.command_language.tokens import Kind, Token, plain_text, tokenize


class Cursor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
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
        return plain_text(self.text[token.start :]) if token else ""

    def fail(self, expected: str) -> CommandError:
        token = self.peek()
        if token is None:
            return CommandError(f"{quote(self.after)} needs more: expected {expected}.")
        return cannot_use(token, self.after, expected)

    def finish(self, command: Command, usage: str) -> Command:
        if self.peek() is not None:
            raise self.fail(f"nothing more, as in {usage}")
        return command

    def clauses(self, names: tuple[str, ...], usage: str) -> Iterator[str]:
        """Yield each optional clause keyword (like `to`, `as`) as it is taken, each once."""
        seen: set[str] = set()
        while (word := self.keyword()) in names:
            if word in seen:
                raise self.fail(f"{quote(word)} only once, as in {usage}")
            seen.add(word)
            yield self.take().text.lower()
