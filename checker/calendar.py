"""Business days (días hábiles): the days on which legal periods in *días* run.

Both data-protection laws count "días" as business days (LFPDPPP art. 2 fr. VIII; LGPDPPSO art. 3
fr. XII). Which days are not business days depends on who runs the program:

- a public body: the Ley Federal de Procedimiento Administrativo art. 28 (supplementary law of the
  LGPDPPSO): Saturdays, Sundays and its fixed dates;
- a private operator: weekends and the rest days of the Ley Federal del Trabajo art. 74, some of them
  "the first/third Monday" of a month;
- both: the days the body itself declared non-working (`calendar.non_working_days`: its official
  calendar, general vacation periods published in the DOF or its state gazette, election days).

The change of federal Executive: LFT art. 74 says 1 October every six years (2024, 2030, 2036…).
LFPA art. 28 still says 1 December every six years, a text not updated since the transmission moved
to 1 October; for public bodies both days are taken as non-working in those years (the letter of
the law and the actual transmission), which can only make a count longer, never shorter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

Regime = Literal["public", "private"]

# LFPA art. 28: fixed dates (month, day).
_LFPA_FIXED = ((1, 1), (2, 5), (3, 21), (5, 1), (5, 5), (9, 1), (9, 16), (11, 20), (12, 25))
# LFT art. 74: fixed dates, and (month, n-th Monday).
_LFT_FIXED = ((1, 1), (5, 1), (9, 16), (12, 25))
_LFT_MONDAYS = ((2, 1), (3, 3), (11, 3))
_FIRST_TRANSMISSION = 2024  # the federal Executive changes on 1 October every six years from 2024


def nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (0 - first.weekday()) % 7  # Monday is weekday 0
    return first + timedelta(days=offset + 7 * (n - 1))


def _transmission(year: int) -> bool:
    return year >= _FIRST_TRANSMISSION and (year - _FIRST_TRANSMISSION) % 6 == 0


@lru_cache(maxsize=256)
def statutory_days(regime: Regime, year: int) -> frozenset[date]:
    """The non-working days the law fixes for one year (weekends aside)."""
    if regime == "public":
        days = {date(year, m, d) for m, d in _LFPA_FIXED}
    else:
        days = {date(year, m, d) for m, d in _LFT_FIXED}
        days |= {nth_monday(year, m, n) for m, n in _LFT_MONDAYS}
    if _transmission(year):
        days.add(date(year, 10, 1))
        if regime == "public":
            days.add(date(year, 12, 1))
    return frozenset(days)


@dataclass(frozen=True)
class BusinessCalendar:
    regime: Regime
    declared: frozenset[date] = field(default_factory=frozenset)

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        return day not in self.declared and day not in statutory_days(self.regime, day.year)

    def add(self, start: date, days: int) -> date:
        """The day on which a period of `days` business days that starts running the day after `start`
        ends (a 20-day ARCO period from a request received on `start`)."""
        if days < 0:
            return self.subtract(start, -days)
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        return day

    def subtract(self, end: date, days: int) -> date:
        """The latest day that lies `days` business days before `end` (a filing due "30 días before"
        a launch): counting back from the day before `end`, the `days`-th business day."""
        day = end
        left = days
        while left > 0:
            day -= timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count


def regime_for(public_body: bool) -> Regime:
    return "public" if public_body else "private"


@lru_cache(maxsize=64)
def _calendar(regime: Regime, declared: frozenset[date]) -> BusinessCalendar:
    return BusinessCalendar(regime, declared)


def calendar_for(public_body: bool, non_working_days: Iterable[Any] | None = None) -> BusinessCalendar:
    """The calendar of one declaration; `non_working_days` may hold dates or ISO date strings."""
    declared: set[date] = set()
    for value in non_working_days or ():
        if isinstance(value, date):
            declared.add(value)
        elif isinstance(value, str):
            try:
                declared.add(date.fromisoformat(value))
            except ValueError:
                continue
    return _calendar(regime_for(public_body), frozenset(declared))
