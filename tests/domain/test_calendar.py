"""A rule's calendar: several ranges, holidays, and when the open stretch began or ended."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import Calendar, Holidays

BOGOTA = ZoneInfo("America/Bogota")  # UTC-5 all year
TUESDAY = date(2026, 11, 24)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

WEEK_AND_SATURDAY = ["mon-fri 07:00-19:00", "sat 09:00-13:00"]


def local(text: str) -> datetime:
    """`'sat 10:00'` in the week of Tuesday 2026-11-24, Bogota time, as UTC."""
    day, clock = text.split()
    hours, minutes = (int(p) for p in clock.split(":"))
    when = TUESDAY + timedelta(days=_DAYS.index(day) - TUESDAY.weekday())
    return datetime.combine(when, time(hours, minutes), tzinfo=BOGOTA).astimezone(UTC)


def holiday(text: str) -> date:
    return local(f"{text} 12:00").astimezone(BOGOTA).date()


# (case, active ranges, holidays, on_holidays, now, open?, opened at, closed since)
TABLE: list[tuple[str, list[str], list[str], bool, str, bool, str | None, str | None]] = [
    ("weekday open", WEEK_AND_SATURDAY, [], False, "tue 10:00", True, "tue 07:00", None),
    ("weekday evening", WEEK_AND_SATURDAY, [], False, "tue 19:30", False, None, "tue 19:00"),
    ("second range", WEEK_AND_SATURDAY, [], False, "sat 10:00", True, "sat 09:00", None),
    ("saturday afternoon", WEEK_AND_SATURDAY, [], False, "sat 14:00", False, None, "sat 13:00"),
    ("sunday", WEEK_AND_SATURDAY, [], False, "sun 10:00", False, None, "sat 13:00"),
    ("holiday closes", WEEK_AND_SATURDAY, ["tue"], False, "tue 10:00", False, None,
        "mon 19:00"),
    ("day after a holiday", WEEK_AND_SATURDAY, ["tue"], False, "wed 07:30", True, "wed 07:00",
        None),
    ("on_holidays keeps it open", WEEK_AND_SATURDAY, ["tue"], True, "tue 10:00", True,
        "tue 07:00", None),
    ("adjacent ranges are one stretch", ["mon-fri 07:00-12:00", "mon-fri 12:00-19:00"], [],
        False, "tue 15:00", True, "tue 07:00", None),
    ("night shift from the day before", ["mon-fri 22:00-06:00"], [], False, "wed 03:00", True,
        "tue 22:00", None),
    ("a holiday starts no night shift", ["mon-fri 22:00-06:00"], ["tue"], False, "wed 03:00",
        False, None, "tue 06:00"),
    ("always, but for holidays", [], ["tue"], False, "tue 10:00", False, None, "tue 00:00"),
    ("always, the day after", [], ["tue"], False, "wed 10:00", True, "wed 00:00", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ranges", "holidays", "on_holidays", "now", "is_open", "opened", "closed"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_calendar(
    ranges: list[str],
    holidays: list[str],
    on_holidays: bool,
    now: str,
    is_open: bool,
    opened: str | None,
    closed: str | None,
) -> None:
    base = Calendar.parse(ranges) if ranges else Calendar()
    calendar = Calendar(base.ranges, on_holidays=on_holidays).with_holidays(
        frozenset(holiday(h) for h in holidays)
    )
    at = local(now)
    assert calendar.contains(at, BOGOTA) is is_open
    assert calendar.opened_at(at, BOGOTA) == (local(opened) if opened else None)
    assert calendar.closed_since(at, BOGOTA) == (local(closed) if closed else None)


def test_closed_since_looks_back_over_the_weekend() -> None:
    calendar = Calendar.parse(WEEK_AND_SATURDAY)
    last_saturday = local("sat 13:00") - timedelta(days=7)
    assert calendar.closed_since(local("mon 06:00"), BOGOTA) == last_saturday


def test_a_rule_open_around_the_clock_has_no_opening() -> None:
    calendar = Calendar.parse("00:00-24:00")
    assert calendar.contains(local("tue 10:00"), BOGOTA)
    assert calendar.opened_at(local("tue 10:00"), BOGOTA) is None


def test_an_empty_list_of_ranges_is_refused() -> None:
    with pytest.raises(ValueError):
        Calendar.parse([])


def test_text_names_every_range_and_the_holidays() -> None:
    calendar = Calendar.parse(WEEK_AND_SATURDAY).with_holidays(frozenset({TUESDAY}))
    assert calendar.text == "mon-fri 07:00-19:00 + sat 09:00-13:00, except holidays"


def test_upcoming_holidays_start_today() -> None:
    days = Holidays(
        days=((date(2026, 11, 16), "a"), (date(2026, 12, 8), "b"), (date(2026, 12, 25), "c"))
    )
    assert days.upcoming(date(2026, 12, 8), 5) == (
        (date(2026, 12, 8), "b"),
        (date(2026, 12, 25), "c"),
    )
    assert days.dates == frozenset({date(2026, 11, 16), date(2026, 12, 8), date(2026, 12, 25)})


@pytest.mark.parametrize(
    ("utc", "opened_utc"),
    [
        # 2026-03-08: New York moves from EST (UTC-5) to EDT (UTC-4) at 02:00.
        (datetime(2026, 3, 8, 14, 0, tzinfo=UTC), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        (datetime(2026, 3, 7, 15, 0, tzinfo=UTC), datetime(2026, 3, 7, 13, 0, tzinfo=UTC)),
    ],
    ids=["the day clocks move: 08:00 EDT", "the day before: 08:00 EST"],
)
def test_opening_follows_daylight_saving_time(utc: datetime, opened_utc: datetime) -> None:
    new_york = ZoneInfo("America/New_York")
    assert Calendar.parse("08:00-18:00").opened_at(utc, new_york) == opened_utc
