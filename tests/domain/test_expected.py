"""kind: expected - a window's count against what the same slot usually brings (issue 16)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import Calendar
from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord
from bot.domain.expected import expectation, poisson_cdf, poisson_sf
from bot.domain.kind_specs import Direction, Seasonal
from bot.domain.rules import evaluate
from bot.domain.specs import CallFilter, EvalStatus, RuleKind, RuleSpec, Severity

BOGOTA = ZoneInfo("America/Bogota")
OP = "bogota"
# Tuesday 2026-11-24 10:15 in Bogota: the window is 10:00-10:15.
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=BOGOTA)
WEEK, DAY, M = timedelta(weeks=1), timedelta(days=1), timedelta(minutes=1)
_ids = count()

SPEC = RuleSpec(
    name="inbound-expected",
    kind=RuleKind.EXPECTED,
    match=CallFilter(types=frozenset({"inbound"})),
    window=timedelta(minutes=15),
    severity=Severity.CRITICAL,
    seasonal=Seasonal(),
)


def window_calls(log: CallLog, end: datetime, total: int, length: timedelta = 15 * M) -> None:
    """`total` inbound calls spread over the `length` before `end`, polled and covered."""
    start = end - length
    step = length / max(total, 1)
    records = [
        CallRecord(f"c{next(_ids)}", start + step * i, "inbound", "answer") for i in range(total)
    ]
    log.ingest(OP, records, now=end, covered_from=start)


def history(*counts_by_week: int) -> CallLog:
    """The same Tuesday 10:00-10:15 one, two, three... weeks back with these counts."""
    log = CallLog(retention=timedelta(days=35))
    for k, n in enumerate(counts_by_week, start=1):
        window_calls(log, NOW - k * WEEK, n)
    return log


@pytest.mark.parametrize(
    ("k", "lam", "cdf"),
    [
        (0, 1.0, math.exp(-1)),
        (1, 1.0, 2 * math.exp(-1)),
        (3, 2.5, sum(math.exp(-2.5) * 2.5**i / math.factorial(i) for i in range(4))),
        (85, 85.0, sum(math.exp(-85) * 85.0**i / math.factorial(i) for i in range(86))),
        (12, 85.0, sum(math.exp(-85) * 85.0**i / math.factorial(i) for i in range(13))),
        (0, 0.0, 1.0),
    ],
)
def test_poisson_tails_match_the_direct_sum(k: int, lam: float, cdf: float) -> None:
    assert poisson_cdf(k, lam) == pytest.approx(cdf, rel=1e-9)
    assert poisson_sf(k + 1, lam) == pytest.approx(1 - cdf, rel=1e-9, abs=1e-15)


def test_far_tails_keep_their_precision_in_log_space() -> None:
    # 12 calls where 85 are usual: about 4e-23, far below what 1 - cdf could show.
    assert 1e-24 < poisson_cdf(12, 85.0) < 1e-22
    assert 1e-5 < poisson_sf(120, 85.0) < 1e-3
    assert poisson_sf(400, 85.0) > 0.0


# (case, counts by week back, observed now, spec changes, status)
CASES = [
    ("a dead trunk at a busy hour", (85, 90, 80), 12, {}, EvalStatus.BREACH),
    ("an ordinary slot", (85, 90, 80), 80, {}, EvalStatus.CLEAR),
    ("a surge is no drop", (85, 90, 80), 200, {}, EvalStatus.CLEAR),
    ("a surge when asked", (85, 90, 80), 200, {"direction": Direction.SURGE}, EvalStatus.BREACH),
    ("both ways: a drop", (85, 90, 80), 12, {"direction": Direction.BOTH}, EvalStatus.BREACH),
    ("a past incident does not move the median", (85, 0, 90), 12, {}, EvalStatus.BREACH),
    ("a quiet slot is not judged", (8, 10, 9), 0, {}, EvalStatus.QUIET),
    (
        "an improbable but small difference is not news",
        (85, 90, 80),
        60,
        {"chance": 0.05, "min_difference": 30},
        EvalStatus.CLEAR,
    ),
    ("two weeks of history are not enough", (85, 90), 12, {}, EvalStatus.QUIET),
]


@pytest.mark.parametrize(("case", "weeks", "observed", "changes", "status"), CASES)
def test_expected_judges_the_count_against_the_slot(
    case: str,
    weeks: tuple[int, ...],
    observed: int,
    changes: dict[str, object],
    status: EvalStatus,
) -> None:
    log = history(*weeks)
    window_calls(log, NOW, observed)
    spec = replace(SPEC, seasonal=replace(Seasonal(), **changes))  # type: ignore[arg-type]
    got = evaluate(spec, OP, log, now=NOW, tz=BOGOTA)
    assert got.status is status, (case, got.detail)
    if status is EvalStatus.BREACH:
        assert got.severity is Severity.CRITICAL and got.value == observed


def test_a_breach_carries_what_the_slot_usually_brings() -> None:
    log = history(85, 90, 80)
    window_calls(log, NOW, 12)
    facts = dict(evaluate(SPEC, OP, log, now=NOW, tz=BOGOTA).facts)
    assert facts["expected"] == 85 and facts["observed"] == 12
    assert facts["weekday"] == 1 and facts["slot"] == 10 * 60  # a Tuesday 10:00
    assert facts["by_week"] == 1.0 and facts["chance"] < 1e-4


def test_holidays_are_left_out_of_the_samples() -> None:
    log = history(85, 0, 90, 80)
    spec = replace(SPEC, active=Calendar(holidays=frozenset({(NOW - 2 * WEEK).date()})))
    found = expectation(spec, OP, log, now=NOW, tz=BOGOTA)
    assert found is not None and found.by_week
    assert sorted(found.samples) == [80, 85, 90]


def test_without_weeks_it_compares_with_comparable_days() -> None:
    # Monday, last Friday and Thursday (weekdays) are used; the weekend is not.
    log = CallLog(retention=timedelta(days=35))
    for back, n in ((1, 70), (2, 0), (3, 0), (4, 80), (5, 75)):
        window_calls(log, NOW - back * DAY, n)
    found = expectation(SPEC, OP, log, now=NOW, tz=BOGOTA)
    assert found is not None and not found.by_week
    assert sorted(found.samples) == [70, 75, 80]


def test_slots_polls_did_not_cover_are_no_samples() -> None:
    log = history(85, 90, 80)
    uncovered = CallLog(retention=timedelta(days=35))
    for k, n in enumerate((85, 90), start=1):
        window_calls(uncovered, NOW - k * WEEK, n)
    # The third week's calls are known but its minutes were never covered by a poll.
    uncovered.ingest(
        OP,
        [CallRecord("x", NOW - 3 * WEEK - 5 * M, "inbound", "answer")],
        now=NOW - 3 * WEEK,
        covered_from=NOW - 3 * WEEK - M,
    )
    assert expectation(SPEC, OP, log, now=NOW, tz=BOGOTA) is not None
    assert expectation(SPEC, OP, uncovered, now=NOW, tz=BOGOTA) is None


def test_quiet_without_history_says_why() -> None:
    log = CallLog(retention=timedelta(days=35))
    window_calls(log, NOW, 12)
    got = evaluate(SPEC, OP, log, now=NOW, tz=BOGOTA)
    assert got.status is EvalStatus.QUIET and "history not yet there" in got.detail


def test_recover_keeps_a_firing_drop_in_band() -> None:
    spec = replace(SPEC, recover=0.01)
    log = history(85, 90, 80)
    window_calls(log, NOW, 62)  # chance about 0.006: above 1e-4, below 0.01
    assert evaluate(spec, OP, log, now=NOW, tz=BOGOTA, current=Severity.CRITICAL).status is (
        EvalStatus.BAND
    )
    assert evaluate(spec, OP, log, now=NOW, tz=BOGOTA).status is EvalStatus.CLEAR


def test_both_kinds_are_held_while_wolkvox_is_unavailable() -> None:
    from bot.domain.rules import evaluate_operation, evaluate_unavailable, unavailable_rule
    from tests.domain.test_budget import SPEC as BUDGET

    log = history(85, 90, 80)
    window_calls(log, NOW, 0)
    blind = evaluate_unavailable(
        OP,
        now=NOW,
        last_success=NOW - 30 * M,
        last_error="timeout",
        consecutive_failures=6,
        poll_every=5 * M,
    )
    got = evaluate_operation(
        (unavailable_rule(), SPEC, BUDGET),
        OP,
        log,
        now=NOW,
        tz=BOGOTA,
        current={},
        unavailable=blind,
    )
    assert [e.status for e in got] == [EvalStatus.BREACH, EvalStatus.HELD, EvalStatus.HELD]


def test_an_evaluation_keeps_its_facts_across_a_restart() -> None:
    from bot.adapters.store.documents import decode_evaluation, encode_evaluation

    log = history(85, 90, 80)
    window_calls(log, NOW, 12)
    evaluation = evaluate(SPEC, OP, log, now=NOW, tz=BOGOTA)
    assert evaluation.facts
    assert decode_evaluation(encode_evaluation(evaluation)) == evaluation


def test_a_week_ago_is_the_same_wall_clock_time_across_daylight_saving() -> None:
    # New York leaves daylight saving time on Sunday 2026-11-01: a week before Tuesday
    # 10:15 EST is Tuesday 10:15 EDT, an hour apart in UTC.
    new_york = ZoneInfo("America/New_York")
    now = datetime(2026, 11, 3, 10, 15, tzinfo=new_york)
    log = CallLog(retention=timedelta(days=35))
    for k, n in ((1, 85), (2, 90), (3, 80)):
        window_calls(log, datetime(2026, 10, 34 - 7 * k, 10, 15, tzinfo=new_york), n)
    found = expectation(SPEC, OP, log, now=now, tz=new_york)
    assert found is not None and found.by_week
    assert sorted(found.samples) == [80, 85, 90]
