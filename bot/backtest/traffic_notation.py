"""The compact traffic of a rule test: calls per minute, by type and result.

    traffic:
      inbound/answer: 20x30 5x30     # 20 a minute for 30 minutes, then 5 a minute for 30
      inbound/abandon: 1x30 4x30
      out_pre/chanunavail: 0x45 12x15

Each key is `type/result` (any spelling the live mapping reads: `outbound_ma/no answer`);
each value is a list of terms, one per minute from the test's start: `N` is N calls in
that minute, `NxK` is N calls a minute for K minutes. The calls of a minute are spread
over it evenly, each with its own conn_id, and read by the live mapping like a Wolkvox
answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.backtest.sources import Row, TimedRow

_TERM = re.compile(r"^(\d+)(?:x(\d+))?$")


class NotationError(ValueError):
    """A traffic line that cannot be read; the message quotes it."""


def parse_series(text: object) -> list[int]:
    """`20x3 5 0x2` -> [20, 20, 20, 5, 0, 0]."""
    if isinstance(text, int) and not isinstance(text, bool):
        return [text]
    if not isinstance(text, str):
        raise NotationError(f"{text!r} is not a series; write counts like '20x30 5x30'")
    counts: list[int] = []
    for term in text.split():
        match = _TERM.match(term)
        if match is None:
            raise NotationError(
                f"{term!r} is not a count; write N (one minute) or NxK (N a minute for K minutes)"
            )
        count, times = int(match.group(1)), int(match.group(2) or 1)
        counts.extend([count] * times)
    return counts


def traffic_rows(
    traffic: Mapping[str, object], *, start: datetime, zone: ZoneInfo
) -> tuple[list[TimedRow], int]:
    """Rows for a traffic block and its length in minutes."""
    rows: list[TimedRow] = []
    length = 0
    for key, value in traffic.items():
        call_type, slash, result = str(key).partition("/")
        if not slash or not call_type.strip() or not result.strip():
            raise NotationError(f"{key!r} is not type/result (e.g. inbound/abandon)")
        series = parse_series(value)
        length = max(length, len(series))
        for minute, count in enumerate(series):
            base = start + timedelta(minutes=minute)
            for i in range(count):
                at = base + timedelta(seconds=(i * 60) // count)
                row: Row = {
                    "type_interaction": call_type.strip(),
                    "result": result.strip(),
                    "date": at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                    "conn_id": f"test-{key}-{minute}-{i}",
                }
                rows.append(TimedRow(at, row))
    return rows, length
