"""Calls that share a time: the log places each distinct time once (the 60,000-record hot
path), and that must never change where a call is counted or whether it is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.call_log import CallLog, IngestReport
from bot.domain.calls import CallRecord

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
OP = "bogota"
BOGOTA = ZoneInfo("America/Bogota")


def calls(*times: datetime) -> list[CallRecord]:
    return [CallRecord(f"c{i}", when, "inbound", "answer") for i, when in enumerate(times)]


@pytest.mark.parametrize(
    ("times", "report", "per_minute"),
    [
        pytest.param(
            [NOW - timedelta(minutes=3)] * 3,
            IngestReport(new=3),
            {-3: 3},
            id="three calls at one time count three in its minute",
        ),
        pytest.param(
            [NOW - timedelta(minutes=3), (NOW - timedelta(minutes=3)).astimezone(BOGOTA)],
            IngestReport(new=2),
            {-3: 2},
            id="the same instant written in another zone lands in the same minute",
        ),
        pytest.param(
            [NOW + timedelta(minutes=9)] * 2 + [NOW - timedelta(seconds=30)],
            IngestReport(new=1, out_of_range=2),
            {-1: 1},
            id="every call at a refused time is refused, the others are counted",
        ),
        pytest.param(
            [NOW - timedelta(minutes=1, seconds=59), NOW - timedelta(minutes=2, seconds=1)],
            IngestReport(new=2),
            {-3: 1, -2: 1},
            id="times a few seconds apart keep their own minutes",
        ),
    ],
)
def test_calls_sharing_times_are_placed_like_any_other(
    times: list[datetime], report: IngestReport, per_minute: dict[int, int]
) -> None:
    log = CallLog(future_tolerance=timedelta(minutes=5))
    assert log.ingest(OP, calls(*times), now=NOW) == report
    minute = timedelta(minutes=1)
    counted = {
        offset: log.stats(OP, start=NOW + offset * minute, end=NOW + (offset + 1) * minute).total
        for offset in range(-5, 1)
    }
    assert {k: v for k, v in counted.items() if v} == per_minute
