"""ISO 8601 durations (P30D, P1Y6M, PT72H) and the date arithmetic recurring work needs."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta

# For the JSON Schema (no look-around there); `Duration.parse` also refuses the empty "P" and "PT".
DURATION_PATTERN = r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$"
_RE = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                 r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


# The evaluation dates Resguarda accepts: report deadlines and scan ages are computed from them with
# plain date arithmetic, which must stay inside the calendar (year 1 to 9999).
AS_OF_MIN = date(1900, 1, 1)
AS_OF_MAX = date(9899, 12, 31)


def as_of_in_range(value: date) -> bool:
    return AS_OF_MIN <= value <= AS_OF_MAX


@dataclass(frozen=True, order=False)
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0      # weeks folded in
    seconds: int = 0   # hours, minutes, seconds folded in
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> Duration:
        m = _RE.match(text.strip()) if isinstance(text, str) else None
        if not m:
            raise ValueError(f"{text!r} is not an ISO 8601 duration (e.g. P30D, P1Y, PT72H)")
        y, mo, w, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
        return cls(y, mo, w * 7 + d, h * 3600 + mi * 60 + s, text.strip())

    def approx_seconds(self) -> float:
        """For comparing durations: a year is 365.25 days, a month 30.44 days."""
        return ((self.years * 365.25 + self.months * 30.436875 + self.days) * 86400) + self.seconds

    def add_to(self, start: date) -> date:
        """Calendar arithmetic: 2025-01-31 + P1M is 2025-02-28.

        Saturating: a result past 9999-12-31 is 9999-12-31 and one before 0001-01-01 is 0001-01-01
        (`last_done: 9999-12-31` with `every: P1Y`, `P999999999Y`, `--as-of 0001-01-01` minus a
        period), so no declared date or period can make the arithmetic fail.
        """
        month_index = start.month - 1 + self.months + 12 * self.years
        year = start.year + month_index // 12
        if year > MAXYEAR:
            return date.max
        if year < MINYEAR:
            return date.min
        month = month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        try:
            return date(year, month, day) + timedelta(days=self.days, seconds=self.seconds)
        except OverflowError:
            return date.max if self.days * 86400 + self.seconds > 0 else date.min

    def subtract_from(self, end: date) -> date:
        neg = Duration(-self.years, -self.months, -self.days, -self.seconds)
        return neg.add_to(end)

    def __str__(self) -> str:
        return self.text


def is_duration(value: object) -> bool:
    return isinstance(value, str) and bool(_RE.match(value.strip()))


_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))*$", re.IGNORECASE)


def parse_version(value: object) -> tuple[int, ...] | None:
    """'1.2', 'TLSv1.3', 1.2 -> (1, 2); anything else -> None."""
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    for prefix in ("TLSv", "TLS", "SSLv", "SSL"):
        if text.upper().startswith(prefix.upper()):
            text = text[len(prefix):].strip()
            break
    if not _VERSION.match(text):
        return None
    return tuple(int(p) for p in text.lstrip("vV").split("."))
