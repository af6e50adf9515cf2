"""Access for a time: `for N days` (counted from joining) or `until DATE` (UTC)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.errors import InvalidAccessEnd, OwnerNotForATime
from bot.roles.permissions import OWNER
from bot.vocabulary import MAX_ACCESS_DAYS

DAYS_EXPECTED = f"for N days with N from 1 to {MAX_ACCESS_DAYS}"
DATE_EXPECTED = f"until YYYY-MM-DD, from today to {MAX_ACCESS_DAYS} days ahead (UTC)"


@dataclass(frozen=True)
class AccessTerm:
    """Exactly one of `days` and `until` is set, or neither: permanent access."""

    days: int | None = None
    until: date | None = None

    @property
    def permanent(self) -> bool:
        return self.days is None and self.until is None

    def check(self, now: datetime) -> "AccessTerm":
        """Refuse a term out of range, naming the word and the form expected."""
        if self.days is not None and not 1 <= self.days <= MAX_ACCESS_DAYS:
            raise InvalidAccessEnd(word=str(self.days), expected=DAYS_EXPECTED)
        if self.until is not None:
            today = now.date()
            if not today <= self.until <= today + timedelta(days=MAX_ACCESS_DAYS):
                raise InvalidAccessEnd(word=self.until.isoformat(), expected=DATE_EXPECTED)
        return self

    def end_from(self, start: datetime) -> datetime | None:
        """When access that starts at `start` ends; `until DATE` lasts through that day."""
        if self.days is not None:
            return start + timedelta(days=self.days)
        if self.until is not None:
            return datetime.combine(self.until + timedelta(days=1), time())
        return None

    @classmethod
    def stored(cls, days: int | None, until: datetime | None) -> "AccessTerm":
        """The term as an invitation stores it (`until` as the day's midnight)."""
        return cls(days=days, until=until.date() if until else None)

    def columns(self) -> dict:
        until = datetime.combine(self.until, time()) if self.until else None
        return {"access_days": self.days, "access_until": until}


def check_no_timed_owner(term: AccessTerm | None, roles: list[str], team: str) -> None:
    """Owner is never granted for a time."""
    if term is not None and not term.permanent and OWNER in roles:
        raise OwnerNotForATime(team=team)


def check_term(term: AccessTerm | None, roles: list[str], team: str, now: datetime) -> AccessTerm:
    """The one rule for a term given with roles, typed or from the invite form: in range,
    and Owner never for a time. None is permanent."""
    term = (term or AccessTerm()).check(now)
    check_no_timed_owner(term, roles, team)
    return term
