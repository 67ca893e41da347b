"""CallLog.plan computes a poll's delta without changing the log; apply makes it so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord

OP = "bogota"
NOW = datetime(2026, 1, 19, 15, 0, 30, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


def call(conn_id: str, minutes_ago: int, result: str = "answer") -> CallRecord:
    return CallRecord(
        conn_id=conn_id, at=NOW - timedelta(minutes=minutes_ago), call_type="inbound", result=result
    )


def test_a_plan_changes_nothing_until_applied_and_the_staged_view_reads_it() -> None:
    log = CallLog()
    plan = log.plan(OP, [call("a", 1), call("b", 2), call("b", 2)], now=NOW)

    assert log.last(OP, WINDOW, now=NOW).total == 0
    assert log.coverage(OP, NOW - WINDOW, NOW) == 0.0
    assert log.staged(plan).last(OP, WINDOW, now=NOW).total == 2
    assert (plan.report.new, plan.report.duplicates) == (2, 1)
    assert set(plan.written) == {"a", "b"}

    log.apply(plan)
    assert log.last(OP, WINDOW, now=NOW).total == 2
    assert log.coverage(OP, NOW - WINDOW, NOW) == 1.0


def test_a_discarded_plan_leaves_the_next_one_counting_every_call_once() -> None:
    log = CallLog()
    log.plan(OP, [call("a", 1), call("b", 2)], now=NOW)  # never applied: the store failed
    plan = log.plan(OP, [call("a", 1), call("b", 2), call("c", 3)], now=NOW)
    log.apply(plan)
    assert plan.report.new == 3
    assert log.last(OP, WINDOW, now=NOW).total == 3


@pytest.mark.parametrize(
    ("second", "written", "buckets"),
    [
        ([call("a", 1), call("b", 2)], set(), {}),
        ([call("a", 1), call("b", 2, "abandon")], {"b"}, {"answer": 0, "abandon": 1}),
        ([call("a", 1), call("b", 2), call("c", 1)], {"c"}, {"answer": 2}),
    ],
    ids=["all seen", "one changed", "one new"],
)
def test_the_plan_names_only_new_and_changed_calls_and_the_buckets_they_touch(
    second: list[CallRecord], written: set[str], buckets: dict[str, int]
) -> None:
    log = CallLog()
    log.ingest(OP, [call("a", 1), call("b", 2)], now=NOW)
    plan = log.plan(OP, second, now=NOW + timedelta(seconds=20))
    assert set(plan.written) == written
    touched: dict[str, int] = {}
    for (_minute, _type, result), count in plan.buckets.items():
        touched[result] = count
    assert touched == buckets, "each touched bucket with its new count"


def test_a_plan_made_before_another_was_applied_is_refused() -> None:
    log = CallLog()
    first = log.plan(OP, [call("a", 1)], now=NOW)
    stale = log.plan(OP, [call("a", 1)], now=NOW)
    log.apply(first)
    with pytest.raises(ValueError, match="stale"):
        log.apply(stale)
    assert log.last(OP, WINDOW, now=NOW).total == 1


def test_coverage_ends_at_covered_to() -> None:
    log = CallLog()
    sent = NOW - timedelta(seconds=30)  # 15:00:00
    log.ingest(OP, [], now=NOW, covered_to=sent)
    assert log.coverage(OP, sent - timedelta(minutes=1), sent) == 1.0
    assert log.coverage(OP, sent, sent + timedelta(minutes=1)) == 0.0
