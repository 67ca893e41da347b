"""When a rule may alert: its active ranges, minus the operation's holidays.

A `Calendar` is the rule's `active:` (one range or several, such as
`mon-fri 07:00-19:00` plus `sat 09:00-13:00`) together with the holiday dates of
its operation. Holidays are resolved by the configuration layer (a country's
public holidays, explicit dates) into plain dates, so the domain stays pure.

A range that crosses midnight belongs to the day it starts (see schedule.py), and
so does a holiday: on a holiday no period *starts*, so `fri 22:00-06:00` on a
Friday holiday is closed until Saturday 06:00 too.

Three questions are asked of a calendar, all at an aware `now` in the
operation's timezone: is it open (`contains`), since when has the current open
stretch run (`opened_at`: the window of a rule never reaches before it), and since
when has it been closed (`closed_since`, for "outside active hours since 18:00").
Adjacent or overlapping ranges form one stretch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import ActiveHours

_DAY = timedelta(days=1)
_END_OF_DAY = time(23, 59, 59, 999999)
_ALWAYS = ActiveHours(days=frozenset(range(7)), start=time(0, 0), end=_END_OF_DAY, text="always")
_CHAIN_DAYS = 8
"""How far back an open stretch is followed; one reaching further is 'always open'."""
_CLOSED_DAYS = 62
"""How far back the end of the last open stretch is looked for (long holidays)."""


@dataclass(frozen=True, slots=True)
class Holidays:
    """An operation's holidays: dates with their names, sorted. Built by the configuration
    (a country's public holidays through the `holidays` package, plus explicit dates)."""

    days: tuple[tuple[date, str], ...] = ()
    source: str = ""
    """How they were configured, in a few words (`CO`, `US-CA + 3 dates`), for check-config."""

    @property
    def dates(self) -> frozenset[date]:
        return frozenset(day for day, _ in self.days)

    def upcoming(self, today: date, count: int) -> tuple[tuple[date, str], ...]:
        """The next `count` holidays from `today` (included)."""
        return tuple(item for item in self.days if item[0] >= today)[:count]


@dataclass(frozen=True, slots=True)
class Calendar:
    """A rule's active periods. No `ranges` means every hour of every day; `holidays`
    are closed unless `on_holidays`."""

    ranges: tuple[ActiveHours, ...] = ()
    holidays: frozenset[date] = frozenset()
    on_holidays: bool = False

    @classmethod
    def parse(cls, text: str | Iterable[str]) -> Calendar:
        """`'mon-fri 07:00-19:00'` or `['mon-fri 07:00-19:00', 'sat 09:00-13:00']`."""
        texts = [text] if isinstance(text, str) else list(text)
        if not texts:
            raise ValueError("is empty: write one range or a list of ranges")
        return cls(ranges=tuple(ActiveHours.parse(t) for t in texts))

    def with_holidays(self, holidays: frozenset[date]) -> Calendar:
        return Calendar(
            self.ranges, frozenset() if self.on_holidays else holidays, self.on_holidays
        )

    @property
    def always(self) -> bool:
        """Open at every hour: no ranges and no holidays that count."""
        return not self.ranges and not self.holidays

    @property
    def text(self) -> str:
        ranges = " + ".join(r.text for r in self.ranges) or "always"
        return ranges + (", except holidays" if self.holidays else "")

    def _periods(
        self, first: date, last: date, tz: ZoneInfo
    ) -> Iterator[tuple[datetime, datetime]]:
        """Open periods that start on the local days `first`..`last`, as aware datetimes."""
        ranges = self.ranges or (_ALWAYS,)
        day = first
        while day <= last:
            if day not in self.holidays:
                for r in ranges:
                    if day.weekday() not in r.days:
                        continue
                    start = datetime.combine(day, r.start, tzinfo=tz)
                    if r.end == _END_OF_DAY:
                        end = datetime.combine(day + _DAY, time(0, 0), tzinfo=tz)
                    elif r.start < r.end:
                        end = datetime.combine(day, r.end, tzinfo=tz)
                    else:
                        end = datetime.combine(day + _DAY, r.end, tzinfo=tz)
                    yield start, end
            day += _DAY

    def periods_on(self, day: date, tz: ZoneInfo) -> tuple[tuple[datetime, datetime], ...]:
        """The open periods that start on the local date `day`, in order (none on a
        holiday): a `budget` rule's business day (issue 16)."""
        return tuple(sorted(self._periods(day, day, tz)))

    def contains(self, now: datetime, tz: ZoneInfo) -> bool:
        """True when `now` (aware) falls in an open period, read in timezone `tz`."""
        if self.always:
            return True
        today = now.astimezone(tz).date()
        return any(s <= now < e for s, e in self._periods(today - _DAY, today, tz))

    def opened_at(self, now: datetime, tz: ZoneInfo) -> datetime | None:
        """When the open stretch around `now` began; None when closed at `now`, or when the
        stretch reaches back further than a week (a rule open around the clock)."""
        if self.always:
            return None
        today = now.astimezone(tz).date()
        periods = sorted(self._periods(today - timedelta(days=_CHAIN_DAYS), today, tz))
        if not any(s <= now < e for s, e in periods):
            return None
        start = min(s for s, e in periods if s <= now < e)
        moved = True
        while moved:
            moved = False
            for s, e in periods:
                if s < start <= e:
                    start, moved = s, True
        return None if start <= periods[0][0] else start

    def closed_since(self, now: datetime, tz: ZoneInfo) -> datetime | None:
        """When the last open period before `now` ended; None when open at `now` or when
        no period ended in the last two months."""
        if self.contains(now, tz):
            return None
        today = now.astimezone(tz).date()
        ends = [e for _, e in self._periods(today - timedelta(days=_CLOSED_DAYS), today, tz)]
        return max((e for e in ends if e <= now), default=None)
