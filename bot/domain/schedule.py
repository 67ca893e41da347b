"""Active hours such as `mon-fri 07:00-19:00`, read in the operation's timezone.

A rule with active hours is quiet outside them. Ranges may cross midnight
(`22:00-06:00`): the part after midnight belongs to the day the range started,
so `fri 22:00-06:00` is active on Saturday until 06:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(?:(?P<days>[a-z]{3}(?:\s*-\s*[a-z]{3})?(?:\s*,\s*[a-z]{3}(?:\s*-\s*[a-z]{3})?)*)\s+)?"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)


def _parse_time(text: str) -> time:
    hours, minutes = (int(p) for p in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(23, 59, 59, 999999)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(f"{text!r} is not a time of day (HH:MM)")
    return time(hours, minutes)


def _parse_days(text: str | None) -> frozenset[int]:
    if not text:
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.lower().split(","):
        ends = [p.strip() for p in part.split("-")]
        for end in ends:
            if end not in _DAYS:
                raise ValueError(f"{end!r} is not a day; use mon, tue, wed, thu, fri, sat, sun")
        first, last = _DAYS.index(ends[0]), _DAYS.index(ends[-1])
        span = (last - first) % 7
        days.update((first + i) % 7 for i in range(span + 1))
    return frozenset(days)


@dataclass(frozen=True, slots=True)
class ActiveHours:
    """Days of the week and a time range during which a rule may alert."""

    days: frozenset[int]
    start: time
    end: time
    text: str

    @classmethod
    def parse(cls, text: str) -> ActiveHours:
        """Parse `mon-fri 07:00-19:00`, `sat,sun 09:00-13:00` or `22:00-06:00`."""
        match = _SPEC.match(text or "")
        if not match:
            raise ValueError(
                f"{text!r} is not a schedule; write it like 'mon-fri 07:00-19:00' or '22:00-06:00'"
            )
        start, end = _parse_time(match["start"]), _parse_time(match["end"])
        if start == end:
            raise ValueError(f"{text!r} starts and ends at the same time")
        return cls(days=_parse_days(match["days"]), start=start, end=end, text=text.strip())

    def contains(self, now: datetime, tz: ZoneInfo) -> bool:
        """True when `now` (aware) falls inside the schedule in timezone `tz`."""
        local = now.astimezone(tz)
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= clock < self.end
        if clock >= self.start:
            return local.weekday() in self.days
        if clock < self.end:
            return (local - timedelta(days=1)).weekday() in self.days
        return False
