from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.call_log import CallLog, IngestReport
from bot.domain.calls import CallRecord
from bot.domain.specs import CallFilter

T0 = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
OP = "bogota"


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def call(
    conn_id: str, minute: float, result: str = "answer", call_type: str = "inbound"
) -> CallRecord:
    """A call `minute` minutes after T0 (negative: before)."""
    return CallRecord(conn_id=conn_id, at=at(minute), call_type=call_type, result=result)


def poll_window(now: float, ids: range, result: str = "answer") -> list[CallRecord]:
    """What calls_last_10 returns at `now` when call i happened at minute i."""
    return [call(f"c{i}", i, result) for i in ids if now - 10 <= i < now]


# --- de-duplication and changes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("polls", "reports", "by_result"),
    [
        pytest.param(
            [(0, poll_window(0, range(-10, 0))), (5, poll_window(5, range(-10, 5)))],
            [IngestReport(new=10), IngestReport(new=5, duplicates=5)],
            {"answer": 15},
            id="two polls of a 10-minute window 5 minutes apart count each call once",
        ),
        pytest.param(
            [(0, [call("a", -3)]), (0, [call("a", -3)])],
            [IngestReport(new=1), IngestReport(duplicates=1)],
            {"answer": 1},
            id="the same poll twice",
        ),
        pytest.param(
            [(0, [call("a", -3), call("a", -3)])],
            [IngestReport(new=1, duplicates=1)],
            {"answer": 1},
            id="a conn_id twice in one payload",
        ),
        pytest.param(
            [(0, [call("a", -3, "no answer")]), (5, [call("a", -3, "abandon")])],
            [IngestReport(new=1), IngestReport(updated=1)],
            {"abandon": 1},
            id="a changed result moves the call, latest wins",
        ),
        pytest.param(
            [(0, [call("a", -3, "no answer"), call("a", -3, "answer")])],
            [IngestReport(new=1, updated=1)],
            {"answer": 1},
            id="a change inside one payload",
        ),
        pytest.param(
            [
                (0, [call("a", -3, "no answer"), call("b", -3, "no answer")]),
                (5, [call("a", -3, "answer"), call("b", -3, "no answer")]),
            ],
            [IngestReport(new=2), IngestReport(updated=1, duplicates=1)],
            {"answer": 1, "no answer": 1},
            id="only the changed call moves",
        ),
    ],
)
def test_overlapping_polls_count_each_call_once(
    polls: list[tuple[float, list[CallRecord]]],
    reports: list[IngestReport],
    by_result: dict[str, int],
) -> None:
    log = CallLog()
    got = [log.ingest(OP, records, now=at(now)) for now, records in polls]
    assert got == reports
    stats = log.stats(OP, start=at(-30), end=at(10))
    assert stats.by_result() == by_result


def test_a_changed_type_or_time_moves_the_call_between_buckets() -> None:
    log = CallLog()
    log.ingest(OP, [call("a", -8, "answer", "inbound")], now=at(0))
    log.ingest(OP, [call("a", -2, "answer", "out_pre")], now=at(1))
    assert log.series(OP, start=at(-10), end=at(0)) == (0, 0, 0, 0, 0, 0, 0, 0, 1, 0)
    assert log.last(OP, timedelta(minutes=10), now=at(0)).by_type() == {"out_pre": 1}


# --- memory bounds: retention and the conn_id horizon ---------------------------------------


def test_buckets_older_than_the_retention_are_pruned() -> None:
    log = CallLog(retention=timedelta(hours=1))
    log.ingest(OP, [call("old", -5), call("new", 50)], now=at(55))
    assert log.last(OP, timedelta(hours=1), now=at(55)).total == 2
    log.ingest(OP, [], now=at(70))
    assert log.stats(OP, start=at(-10), end=at(70)).total == 1
    assert len(log.export(OP).buckets) == 1
    assert log.coverage(OP, at(0), at(10)) == 0.0


@pytest.mark.parametrize(
    ("resent_after", "counted_again"),
    [
        (timedelta(minutes=5), False),
        (timedelta(minutes=30), False),
        (timedelta(minutes=61), True),
        (timedelta(hours=5), True),
    ],
)
def test_conn_ids_are_forgotten_after_the_horizon(
    resent_after: timedelta, counted_again: bool
) -> None:
    log = CallLog(dedup_horizon=timedelta(minutes=30))
    log.ingest(OP, [call("a", -1)], now=T0)
    report = log.ingest(OP, [call("a", -1)], now=T0 + resent_after)
    assert (report.new == 1) is counted_again
    assert (report.duplicates == 1) is not counted_again


def test_a_call_that_keeps_coming_back_is_remembered_while_it_does() -> None:
    """A long call or a skewed vendor clock: the same old record in every poll."""
    log = CallLog(dedup_horizon=timedelta(minutes=30))
    reports = [log.ingest(OP, [call("a", -1)], now=at(m)) for m in range(0, 180, 5)]
    assert sum(r.new for r in reports) == 1
    assert log.stats(OP, start=at(-10), end=at(10)).total == 1


def test_conn_id_memory_stays_bounded_by_the_horizon() -> None:
    log = CallLog(dedup_horizon=timedelta(minutes=30))
    for now in range(0, 600, 5):
        log.ingest(OP, poll_window(now, range(now - 10, now)), now=at(now))
    remembered = len(log.export(OP).memory)
    assert 30 <= remembered <= 2 * 30 + 10
    assert log.last(OP, timedelta(hours=10), now=at(595)).total == 600


# --- range checks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minute", "counted"),
    [
        (-1, True),
        (4, True),  # inside the 5-minute future tolerance
        (6, False),  # a skewed clock must not write into minutes to come
        (-60 * 24 * 8 + 1, True),
        (-60 * 24 * 8 - 1, False),  # older than the retention
    ],
)
def test_records_out_of_range_are_reported_not_counted(minute: int, counted: bool) -> None:
    log = CallLog(future_tolerance=timedelta(minutes=5))
    report = log.ingest(OP, [call("a", minute)], now=T0)
    assert report == (IngestReport(new=1) if counted else IngestReport(out_of_range=1))
    assert log.stats(OP, start=at(-60 * 24 * 9), end=at(10)).total == int(counted)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        CallLog().ingest(OP, [], now=datetime(2026, 11, 24, 17, 0))


# --- coverage ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polls", "start", "end", "fraction"),
    [
        pytest.param([0], -10, 0, 1.0, id="one poll covers its 10 minutes"),
        pytest.param([0], -20, 0, 0.5, id="but not the 10 before"),
        pytest.param([0.5], -9.5, 0.5, 1.0, id="mid-minute poll covers the window ending at it"),
        pytest.param([0, 5, 10, 15, 20, 25, 30], -10, 30, 1.0, id="regular polls"),
        pytest.param([0, 5, 25, 30], -10, 30, 30 / 40, id="a 10-minute polling gap"),
        pytest.param([], -10, 0, 0.0, id="never polled"),
    ],
)
def test_coverage_knows_what_successful_polls_saw(
    polls: list[float], start: float, end: float, fraction: float
) -> None:
    log = CallLog()
    for now in polls:
        log.ingest(OP, [], now=at(now))
    assert log.coverage(OP, at(start), at(end)) == pytest.approx(fraction)
    assert log.is_covered(OP, at(start), at(end)) is (fraction == 1.0)
    assert log.stats(OP, start=at(start), end=at(end)).covered_fraction == pytest.approx(fraction)


def test_a_gap_is_not_zero_calls_and_mark_covered_fills_it() -> None:
    log = CallLog()
    log.ingest(OP, [call("a", -2)], now=T0)
    log.ingest(OP, [call("b", 28)], now=at(30))
    assert log.is_covered(OP, at(0), at(20)) is False
    assert log.is_covered(OP, at(-10), at(30), min_fraction=0.5) is True
    log.mark_covered(OP, at(0), at(20))
    assert log.is_covered(OP, at(-10), at(30)) is True


def test_ingest_can_cover_a_longer_span_than_the_api_window() -> None:
    log = CallLog()
    log.ingest(OP, [], now=T0, covered_from=at(-60))
    assert log.coverage(OP, at(-60), T0) == 1.0


# --- queries -------------------------------------------------------------------------------

MIXED = [
    call("1", -9, "answer"),
    call("2", -9, "abandon"),
    call("3", -5, "answer"),
    call("4", -5, "answer"),
    call("5", -1, "chanunavail", "out_pre"),
    call("6", -1, "answer", "out_pre"),
    call("7", -1, "congestion", "outbound_ma"),
]


@pytest.fixture
def mixed() -> CallLog:
    log = CallLog()
    log.ingest(OP, MIXED, now=T0)
    return log


def test_stats_count_by_result_type_and_filter(mixed: CallLog) -> None:
    stats = mixed.last(OP, timedelta(minutes=10), now=T0)
    inbound = frozenset({"inbound"})
    outbound = frozenset({"out_pre", "outbound_ma"})
    assert stats.total == 7
    assert stats.by_result() == {"answer": 4, "abandon": 1, "chanunavail": 1, "congestion": 1}
    assert list(stats.by_result()) == ["answer", "abandon", "chanunavail", "congestion"]
    assert stats.by_result(inbound) == {"answer": 3, "abandon": 1}
    assert stats.by_type() == {"inbound": 4, "out_pre": 2, "outbound_ma": 1}
    assert stats.count(CallFilter(types=outbound)) == 3
    assert stats.count(CallFilter(results=frozenset({"answer"}))) == 4
    failures = CallFilter(results=frozenset({"chanunavail", "congestion", "failed"}))
    assert stats.rate(failures, CallFilter(types=outbound)) == (2, 3)
    assert stats.rate(CallFilter(results=frozenset({"abandon"})), CallFilter(types=inbound)) == (
        1,
        4,
    )


@pytest.mark.parametrize(
    ("start", "end", "total"),
    [(-10, 0, 7), (-5, 0, 5), (-9.5, -0.5, 7), (-4, 0, 3), (0, 10, 0), (-60, -10, 0)],
)
def test_windows_are_read_as_whole_minutes(
    mixed: CallLog, start: float, end: float, total: int
) -> None:
    assert mixed.stats(OP, start=at(start), end=at(end)).total == total


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (None, (0, 2, 0, 0, 0, 2, 0, 0, 0, 3)),
        (CallFilter(types=frozenset({"inbound"})), (0, 2, 0, 0, 0, 2, 0, 0, 0, 0)),
        (CallFilter(results=frozenset({"abandon"})), (0, 1, 0, 0, 0, 0, 0, 0, 0, 0)),
    ],
)
def test_series_gives_one_count_per_minute(
    mixed: CallLog, flt: CallFilter | None, expected: tuple[int, ...]
) -> None:
    assert mixed.series(OP, start=at(-10), end=T0, flt=flt) == expected


def test_operations_are_independent_and_unknown_ones_are_empty(mixed: CallLog) -> None:
    stats = mixed.last("medellin", timedelta(minutes=10), now=T0)
    assert (stats.total, stats.covered_fraction, stats.by_result()) == (0, 0.0, {})
    assert mixed.coverage("medellin", at(-10), T0) == 0.0
    assert mixed.series("medellin", start=at(-3), end=T0) == (0, 0, 0)
    assert mixed.operations == (OP,)


def test_export_and_restore_keep_counts_coverage_and_memory(mixed: CallLog) -> None:
    snapshot = mixed.export(OP)
    restored = CallLog()
    restored.restore(OP, snapshot)
    assert restored.export(OP) == snapshot
    before = mixed.last(OP, timedelta(minutes=10), now=T0)
    after = restored.last(OP, timedelta(minutes=10), now=T0)
    assert after.counts == before.counts
    assert after.covered_fraction == 1.0
    report = restored.ingest(OP, [call("2", -9, "answer"), call("3", -5, "answer")], now=at(1))
    assert report == IngestReport(updated=1, duplicates=1)
    assert restored.last(OP, timedelta(minutes=11), now=at(1)).by_result(
        frozenset({"inbound"})
    ) == {"answer": 4}


def test_bucket_rows_show_what_a_poll_changed_for_incremental_storage() -> None:
    log = CallLog()
    log.ingest(OP, [call("a", -3, "no answer"), call("b", -2)], now=at(0))
    before = log.bucket_rows(OP, start=at(-10), end=at(1))
    log.ingest(OP, [call("a", -3, "abandon")], now=at(1))
    after = log.bucket_rows(OP, start=at(-10), end=at(1))
    minute = int((at(-3) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(minutes=1))
    assert before[(minute, "inbound", "no answer")] == 1
    assert (minute, "inbound", "no answer") not in after
    assert after[(minute, "inbound", "abandon")] == 1
    assert log.bucket_rows("unknown", start=at(-10), end=at(1)) == {}
