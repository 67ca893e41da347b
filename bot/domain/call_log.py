"""The call log: de-duplicated calls in per-minute buckets, and what polls covered.

Wolkvox answers "the calls of the last 10 minutes" and the bot asks every few
minutes, so consecutive polls overlap. The log remembers each `conn_id` long
enough to count a call once (and to move it when its result changes), counts
calls per operation in buckets keyed by the UTC minute of each call's own time,
and records which minutes a successful poll covered, so that a polling gap is
never read as "no calls". Windows longer than one poll (30 m, 1 h, 24 h, the
same hour last week) are answered from the buckets once polls have covered them.

A window `[start, end)` is read as whole minutes: the minutes from the one
`start` rounds up to, to the one `end` falls in (the current, partial minute
counts, so the freshest calls are never left out); a 10-minute window is ten
buckets.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import repeat
from types import MappingProxyType

from bot.domain.call_log_buckets import MinuteBuckets, MinuteSpans
from bot.domain.call_log_scan import IngestReport, scan_keyed, scan_records
from bot.domain.call_log_stats import WindowStats
from bot.domain.calls import CallRecord, KeyedCalls
from bot.domain.specs import CallFilter

__all__ = ["CallLog", "IngestPlan", "IngestReport", "LogSnapshot", "WindowStats"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
API_WINDOW = timedelta(minutes=10)
DEFAULT_RETENTION = timedelta(days=8)
"""How much history the log keeps: enough for a 7-day baseline of a window up to a day."""
"""What one calls_last_10 poll covers, ending at the poll's `now`."""

_Key = tuple[str, str]
_Entry = tuple[int, str, str]
_EMPTY: Mapping[_Key, int] = MappingProxyType({})


def _aware(when: datetime, name: str) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return when


def _floor_minute(when: datetime) -> int:
    return (_aware(when, "time") - _EPOCH) // _MINUTE


def _ceil_minute(when: datetime) -> int:
    return -((_EPOCH - _aware(when, "time")) // _MINUTE)


def minute_span(start: datetime, end: datetime) -> tuple[int, int]:
    """The epoch minutes `[first, stop)` that stand for the window `[start, end)`.

    A window shorter than a minute that falls between two minute marks still
    reads the minute it lies in, rather than nothing.
    """
    first, stop = _ceil_minute(start), _ceil_minute(end)
    if stop <= first and end > start:
        first = _floor_minute(start)
        stop = first + 1
    return first, max(first, stop)


@dataclass(frozen=True, slots=True)
class IngestPlan:
    """What one poll would change in an operation's log: the delta a store persists.

    `written`: conn_id -> (epoch minute, type, result) of the new and changed calls
    only; `buckets`: the new count of every (epoch minute, type, result) the poll
    touched; `covered`: the epoch minutes `[first, stop)` the poll saw.
    """

    operation: str
    report: IngestReport
    written: Mapping[str, tuple[int, str, str]]
    buckets: Mapping[tuple[int, str, str], int]
    covered: tuple[int, int]
    _base: _OperationLog | None = field(repr=False)
    _staged: _OperationLog = field(repr=False)
    _moved: Mapping[str, tuple[int, str, str]] = field(repr=False)


@dataclass(frozen=True, slots=True)
class LogSnapshot:
    """One operation's log as plain data, for a store to persist and restore.

    buckets: (epoch minute, call type, result, count); covered: epoch-minute
    spans [start, stop); memory: (conn_id, epoch minute, call type, result);
    memory_since: the epoch minute the conn_id memory generation started.
    """

    buckets: tuple[tuple[int, str, str, int], ...] = ()
    covered: tuple[tuple[int, int], ...] = ()
    memory: tuple[tuple[str, int, str, str], ...] = ()
    memory_since: int | None = None


@dataclass(slots=True)
class _OperationLog:
    buckets: MinuteBuckets = field(default_factory=MinuteBuckets)
    covered: MinuteSpans = field(default_factory=MinuteSpans)
    current: dict[str, _Entry] = field(default_factory=dict)
    previous: dict[str, _Entry] = field(default_factory=dict)
    memory_since: int | None = None


class CallLog:
    """Per-operation, de-duplicated call counts by minute, with poll coverage.

    `retention` bounds the buckets (8 days by default, so that a 7-day baseline
    fits). `dedup_horizon` bounds the conn_id memory to what overlapping polls
    need: a conn_id is remembered at least that long after the last poll that
    returned it. It is counted from the poll, not from the call's own time,
    because a record that keeps coming back with an old time (a long call, a
    vendor clock running late) must still be counted once. Records more than
    `future_tolerance` ahead of `now` are refused so a skewed clock cannot
    write into minutes that have not happened.
    """

    def __init__(
        self,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        dedup_horizon: timedelta = timedelta(minutes=30),
        future_tolerance: timedelta = timedelta(minutes=5),
    ) -> None:
        if retention < _MINUTE or dedup_horizon < _MINUTE:
            raise ValueError("retention and dedup_horizon must be at least one minute")
        if future_tolerance < timedelta(0):
            raise ValueError("future_tolerance cannot be negative")
        self._retention = retention
        self._retention_minutes = retention // _MINUTE
        self._horizon_minutes = dedup_horizon // _MINUTE
        self._future_tolerance = future_tolerance
        self._logs: dict[str, _OperationLog] = {}

    @property
    def retention(self) -> timedelta:
        return self._retention

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(sorted(self._logs))

    def ingest(
        self,
        operation: str,
        records: Iterable[CallRecord],
        *,
        now: datetime,
        covered_from: datetime | None = None,
        covered_to: datetime | None = None,
    ) -> IngestReport:
        """Count one successful poll's records at once: `apply(plan(...))`."""
        plan = self.plan(
            operation, records, now=now, covered_from=covered_from, covered_to=covered_to
        )
        self.apply(plan)
        return plan.report

    def plan(
        self,
        operation: str,
        records: Iterable[CallRecord],
        *,
        now: datetime,
        covered_from: datetime | None = None,
        covered_to: datetime | None = None,
    ) -> IngestPlan:
        """What one successful poll's records would change, without changing anything.

        A conn_id seen before is a duplicate, unless its time, type or result
        changed: then the latest wins and the counts move. The poll covers
        `[covered_from, covered_to)`: by default `now` minus the 10-minute API
        window to `now`. `staged(plan)` reads the log as it would be;
        `apply(plan)` makes it so (once the plan has been stored).
        """
        _aware(now, "now")
        base = self._logs.get(operation)
        log = base if base is not None else _OperationLog()
        now_minute = _floor_minute(now)
        current, previous, since = log.current, log.previous, log.memory_since
        if since is None:
            since = now_minute
        elif now_minute - since >= self._horizon_minutes:
            previous = current if now_minute - since < 2 * self._horizon_minutes else {}
            current, since = {}, now_minute
        oldest = _floor_minute(now - self._retention)
        latest = now + self._future_tolerance
        if isinstance(records, KeyedCalls):
            scanned = scan_keyed(records, current, previous, oldest, latest)
        else:
            scanned = scan_records(records, current, previous, oldest, latest)
        moved, written, changes, report = scanned
        staged = _OperationLog(
            buckets=log.buckets.changed(changes),
            covered=log.covered.copy(),
            current=current,
            previous=previous,
            memory_since=since,
        )
        start = covered_from if covered_from is not None else now - API_WINDOW
        end = now if covered_to is None else min(covered_to, now)
        covered = minute_span(start, end) if end > start else (0, 0)
        staged.covered.add(*covered)
        staged.buckets.prune(oldest, self._retention_minutes)
        staged.covered.prune(oldest)
        touched = {
            key: staged.buckets.count(*key) for key, n in changes.items() if n and key[0] >= oldest
        }
        return IngestPlan(
            operation=operation,
            report=report,
            written=written,
            buckets=touched,
            covered=covered,
            _base=base,
            _staged=staged,
            _moved=moved,
        )

    def staged(self, plan: IngestPlan) -> CallLog:
        """A read-only view of the log as it will be once `plan` is applied."""
        view = CallLog.__new__(CallLog)
        view._retention = self._retention
        view._retention_minutes = self._retention_minutes
        view._horizon_minutes = self._horizon_minutes
        view._future_tolerance = self._future_tolerance
        view._logs = {**self._logs, plan.operation: plan._staged}
        return view

    def apply(self, plan: IngestPlan) -> None:
        """Make the log what `plan` said; refuses a plan made before another was applied."""
        if self._logs.get(plan.operation) is not plan._base:
            raise ValueError(f"a stale ingest plan for {plan.operation!r}: plan again")
        staged = plan._staged
        current, previous = staged.current, staged.previous
        if previous:
            deque(map(previous.pop, plan._moved, repeat(None)), maxlen=0)
        if current:
            current.update(plan._moved)
        else:  # a copy of a whole dict is one block copy, not an insert per call
            staged.current = dict(plan._moved)
        self._logs[plan.operation] = staged

    def mark_covered(self, operation: str, start: datetime, end: datetime) -> None:
        """Record that a successful poll (or a restored history) saw `[start, end)`."""
        log = self._logs.get(operation)
        if log is None:
            log = self._logs[operation] = _OperationLog()
        log.covered.add(*minute_span(start, end))

    def coverage(self, operation: str, start: datetime, end: datetime) -> float:
        """Fraction of the window's minutes that successful polls covered (0.0 to 1.0)."""
        first, stop = minute_span(start, end)
        log = self._logs.get(operation)
        if log is None or stop <= first:
            return 0.0
        return log.covered.overlap(first, stop) / (stop - first)

    def is_covered(
        self, operation: str, start: datetime, end: datetime, *, min_fraction: float = 1.0
    ) -> bool:
        return self.coverage(operation, start, end) >= min_fraction

    def stats(self, operation: str, *, start: datetime, end: datetime) -> WindowStats:
        """Counts by (type, result) over `[start, end)`, in O(minutes in the window)."""
        first, stop = minute_span(start, end)
        log = self._logs.get(operation)
        if log is None or stop <= first:
            return WindowStats(start=start, end=end, counts=_EMPTY, covered_fraction=0.0)
        return WindowStats(
            start=start,
            end=end,
            counts=MappingProxyType(log.buckets.totals(first, stop)),
            covered_fraction=log.covered.overlap(first, stop) / (stop - first),
        )

    def last(self, operation: str, window: timedelta, *, now: datetime) -> WindowStats:
        """Stats over the window ending at `now`: what rules and summaries ask for."""
        return self.stats(operation, start=now - window, end=now)

    def series(
        self,
        operation: str,
        *,
        start: datetime,
        end: datetime,
        flt: CallFilter | None = None,
    ) -> tuple[int, ...]:
        """Calls per minute over `[start, end)`, oldest first (for sparklines)."""
        first, stop = minute_span(start, end)
        log = self._logs.get(operation)
        if log is None:
            return (0,) * (stop - first)
        return log.buckets.series(first, stop, flt)

    def bucket_rows(
        self, operation: str, *, start: datetime, end: datetime
    ) -> dict[tuple[int, str, str], int]:
        """Non-zero counts of `[start, end)` by (epoch minute, type, result)."""
        first, stop = minute_span(start, end)
        log = self._logs.get(operation)
        return {} if log is None else log.buckets.rows_between(first, stop)

    def export(self, operation: str) -> LogSnapshot:
        """The operation's log as plain tuples (empty for an unknown operation)."""
        log = self._logs.get(operation)
        if log is None:
            return LogSnapshot()
        memory = {**log.previous, **log.current}
        return LogSnapshot(
            buckets=tuple(log.buckets.rows()),
            covered=log.covered.spans(),
            memory=tuple((cid, m, t, r) for cid, (m, t, r) in memory.items()),
            memory_since=log.memory_since,
        )

    def follow(self, operation: str, snapshot: LogSnapshot, *, since: int) -> None:
        """Replace the operation's counts from epoch minute `since` on with those of
        `snapshot` (which holds only those minutes) and add its coverage: how a replica
        that does not poll an operation keeps up with the one that does, reading only what
        a poll changed. The conn_id memory is left as it is (only a poller needs it)."""
        log = self._logs.setdefault(operation, _OperationLog())
        log.buckets.drop_from(since)
        for minute, call_type, result, n in snapshot.buckets:
            if n > 0 and minute >= since:
                log.buckets.add(minute, call_type, result, n)
        for first, stop in snapshot.covered:
            log.covered.add(first, stop)
        oldest = since - self._retention_minutes
        log.buckets.prune(oldest, self._retention_minutes)
        log.covered.prune(oldest)

    def restore(self, operation: str, snapshot: LogSnapshot) -> None:
        """Replace the operation's log with a snapshot taken by `export`."""
        log = _OperationLog()
        for minute, call_type, result, n in snapshot.buckets:
            if n > 0:
                log.buckets.add(minute, call_type, result, n)
        for first, stop in snapshot.covered:
            log.covered.add(first, stop)
        log.current = {cid: (m, t, r) for cid, m, t, r in snapshot.memory}
        log.memory_since = snapshot.memory_since
        self._logs[operation] = log
