"""Time for the service. Every stored time is written from a Clock, never by the database."""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Naive UTC wall-clock time, the form every stored time takes."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None)
