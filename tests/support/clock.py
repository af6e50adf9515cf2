"""A clock tests move by hand instead of sleeping."""

from datetime import datetime, timedelta


class ManualClock:
    def __init__(self, start: datetime = datetime(2026, 11, 23, 9, 0, 0)):
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)
