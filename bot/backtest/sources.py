"""Where a backtest's calls come from, served as `calls_last_10` would have served them.

Every source ends as `ReplayCalls`: raw vendor rows sorted by call time, each poll
answered with the rows dated within the 10 minutes before the replay clock's `now`,
mapped by the live payload mapping (`map_calls`), so spellings, old field names,
dates and duplicates are read exactly as the bot reads Wolkvox. The store's
history keeps per-minute counts, not calls: they become one synthetic row per call.
A minute no poll covered is a poll that failed, never "no calls".
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.adapters.store.memory import MemoryStore
from bot.adapters.wolkvox.envelope import Envelope
from bot.adapters.wolkvox.mapping import MappedBatch, map_calls
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.domain.call_log import API_WINDOW, LogSnapshot
from bot.domain.day_budget import DayBudget
from bot.services.ports import Clock, SourceError
from bot.services.ports.store import CycleCommit

Row = dict[str, object]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TimedRow:
    """A vendor row and its call time (aware UTC), as the mapping read it."""

    at: datetime
    row: Row


class ReplayCalls:
    """A `CallSource` over recorded rows: each poll sees the 10 minutes before `now`.

    `gaps` are epoch minutes no poll covered (history): a poll whose last minute is one
    of them fails like a poll that could not reach Wolkvox.
    """

    def __init__(
        self,
        rows: Iterable[TimedRow],
        *,
        zone: ZoneInfo,
        clock: Clock,
        gaps: frozenset[int] = frozenset(),
    ) -> None:
        ordered = sorted(rows, key=lambda r: r.at)
        self._times = [r.at for r in ordered]
        self._rows = [r.row for r in ordered]
        self._zone = zone
        self._clock = clock
        self._gaps = gaps

    @property
    def first(self) -> datetime | None:
        return self._times[0] if self._times else None

    @property
    def last(self) -> datetime | None:
        return self._times[-1] if self._times else None

    def __len__(self) -> int:
        return len(self._rows)

    async def calls_last_10(self, operation: str) -> MappedBatch:
        now = self._clock.now()
        if self._gaps and _minute(now - timedelta(seconds=1)) in self._gaps:
            raise SourceError(
                "the history has no data for this time (the bot was not polling)",
                kind="history_gap",
                transient=True,
            )
        lo = bisect.bisect_right(self._times, now - API_WINDOW)
        hi = bisect.bisect_right(self._times, now)
        return map_calls(Envelope(rows=tuple(self._rows[lo:hi])), self._zone)

    def budget(self, operation: str, now: datetime) -> DayBudget:
        return DayBudget(day=now.date(), used=0, limit=0)

    def restore_budget(self, operation: str, day: date, used: int) -> None:
        return None


def _minute(at: datetime) -> int:
    return int((at - _EPOCH) // timedelta(minutes=1))


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def history_rows(snapshot: LogSnapshot, zone: ZoneInfo) -> tuple[list[TimedRow], frozenset[int]]:
    """Rows for the per-minute counts of a call log, and the minutes no poll covered
    between its first and last covered minute."""
    rows: list[TimedRow] = []
    for minute, call_type, result, count in snapshot.buckets:
        base = _EPOCH + timedelta(minutes=minute)
        for i in range(count):
            at = base + timedelta(seconds=(i * 60) // max(count, 1))
            row: Row = {
                "type_interaction": call_type,
                "result": result,
                "date": _local(at, zone),
                "conn_id": f"history-{minute}-{call_type}-{result}-{i}",
            }
            rows.append(TimedRow(at, row))
    covered = sorted(snapshot.covered)
    gaps: set[int] = set()
    for (_, stop), (start, _) in itertools.pairwise(covered):
        gaps.update(range(stop, start))
    return rows, frozenset(gaps)


def snapshot_before(snapshot: LogSnapshot, cut: datetime) -> LogSnapshot:
    """The part of a call log kept before `cut`: what a bot replayed from `cut` on would
    already have had (rules that read days or weeks back need it)."""
    stop_minute = int((cut - _EPOCH).total_seconds() // 60)
    return LogSnapshot(
        buckets=tuple(b for b in snapshot.buckets if b[0] < stop_minute),
        covered=tuple(
            (first, min(stop, stop_minute))
            for first, stop in snapshot.covered
            if first < stop_minute
        ),
    )


def covered_span(snapshot: LogSnapshot) -> tuple[datetime, datetime] | None:
    """The first and last covered minute of a call log, as datetimes."""
    if not snapshot.covered:
        return None
    first = min(start for start, _ in snapshot.covered)
    last = max(stop for _, stop in snapshot.covered)
    return _EPOCH + timedelta(minutes=first), _EPOCH + timedelta(minutes=last)


def scenario_rows(
    *,
    scenario: str,
    start: datetime,
    end: datetime,
    anchor: datetime,
    zone: ZoneInfo,
    token: str,
    seed: int = 1,
    volume: float = 1.0,
) -> list[TimedRow]:
    """The simulator's calls from `start` to `end`, the scenario's incidents counted
    from `anchor` (as if `callbot simulate --scenario` had been started then)."""
    model = TrafficModel(seed=seed, timezone=zone, volume=volume, cache_minutes=1)
    model.set_script(scenario, anchor=anchor)
    rows: list[TimedRow] = []
    for minute in range(_minute(start), _minute(end) + 1):
        for ts, record in model.minute_calls(token, minute):
            rows.append(TimedRow(datetime.fromtimestamp(ts, UTC), dict(record)))
    return rows


def span_of(rows: Sequence[TimedRow]) -> tuple[datetime, datetime] | None:
    """The first and last call time of `rows`."""
    if not rows:
        return None
    return min(r.at for r in rows), max(r.at for r in rows)


class ReplayStore(MemoryStore):
    """The in-memory store, validating and keeping each cycle like the live one, minus
    forgetting: a replay is bounded by its input, and the retention sweeps (a scan of every
    stored bucket and conn_id per cycle in the memory store) made a week's replay quadratic.
    What the rules read lives in the replay's own call log, which keeps its retention."""

    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        log = replace(cycle.log, drop_minutes_before=None, forget_conn_ids_before=None)
        return await super().commit_cycle(replace(cycle, log=log))
