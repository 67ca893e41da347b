from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import ActiveHours

BOGOTA = ZoneInfo("America/Bogota")  # UTC-5 all year


@pytest.mark.parametrize(
    ("spec", "utc", "active"),
    [
        # 2026-11-24 is a Tuesday.
        ("mon-fri 07:00-19:00", datetime(2026, 11, 24, 11, 59, tzinfo=UTC), False),  # 06:59 local
        ("mon-fri 07:00-19:00", datetime(2026, 11, 24, 12, 0, tzinfo=UTC), True),  # 07:00 local
        ("mon-fri 07:00-19:00", datetime(2026, 11, 24, 23, 59, tzinfo=UTC), True),  # 18:59 local
        ("mon-fri 07:00-19:00", datetime(2026, 11, 25, 0, 0, tzinfo=UTC), False),  # 19:00 local
        ("mon-fri 07:00-19:00", datetime(2026, 11, 28, 15, 0, tzinfo=UTC), False),  # Saturday
        # Across midnight: Friday night counts until Saturday 06:00.
        ("fri 22:00-06:00", datetime(2026, 11, 28, 3, 30, tzinfo=UTC), True),  # Fri 22:30
        ("fri 22:00-06:00", datetime(2026, 11, 28, 10, 0, tzinfo=UTC), True),  # Sat 05:00
        ("fri 22:00-06:00", datetime(2026, 11, 28, 11, 0, tzinfo=UTC), False),  # Sat 06:00
        ("fri 22:00-06:00", datetime(2026, 11, 27, 10, 0, tzinfo=UTC), False),  # Fri 05:00
        ("sat,sun 09:00-13:00", datetime(2026, 11, 29, 15, 0, tzinfo=UTC), True),  # Sun 10:00
        ("sun-mon 09:00-10:00", datetime(2026, 11, 30, 14, 30, tzinfo=UTC), True),  # Mon 09:30
        ("08:00-18:00", datetime(2026, 11, 29, 13, 0, tzinfo=UTC), True),  # Sun 08:00, any day
    ],
)
def test_active_hours_are_read_in_the_operation_timezone(
    spec: str, utc: datetime, active: bool
) -> None:
    assert ActiveHours.parse(spec).contains(utc, BOGOTA) is active


@pytest.mark.parametrize(
    "spec", ["", "mon-fri", "mon-fri 7-19", "funday 07:00-19:00", "25:00-26:00", "07:00-07:00"]
)
def test_bad_schedules_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        ActiveHours.parse(spec)
