"""kind: budget - a daily objective paged on its burn rate over a business day (issue 16)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from bot.domain.budget import budget_day, business_day
from bot.domain.calendar import Calendar
from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord
from bot.domain.kind_specs import FAST_TIER, SLOW_TIER
from bot.domain.rules import evaluate
from bot.domain.specs import CallFilter, EvalStatus, RuleKind, RuleSpec, Severity

BOGOTA = ZoneInfo("America/Bogota")
OP = "bogota"
# Tuesday 2026-11-24, 12:00 in Bogota (UTC-5).
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=BOGOTA)
OPENING = NOON.replace(hour=8)
_ids = count()

SPEC = RuleSpec(
    name="abandon-budget",
    kind=RuleKind.BUDGET,
    match=CallFilter(types=frozenset({"inbound"}), results=frozenset({"abandon"})),
    among=CallFilter(types=frozenset({"inbound"})),
    window=FAST_TIER.short,
    min_calls=FAST_TIER.min_calls,
    objective=0.05,
    tiers=(FAST_TIER, SLOW_TIER),
    confidence=0.9,
    active=Calendar.parse("mon-fri 08:00-18:00"),
)


def traffic(
    log: CallLog, start: datetime, end: datetime, *, per_minute: int, abandons: float
) -> None:
    """`per_minute` inbound calls each minute of [start, end), `abandons` of them a minute
    on average (spread evenly: 0.2 is one every five minutes), polled minute by minute."""
    minute = 0
    at = start
    while at < end:
        due = int((minute + 1) * abandons + 1e-9) - int(minute * abandons + 1e-9)
        records = [
            CallRecord(
                f"c{next(_ids)}",
                at + timedelta(seconds=i),
                "inbound",
                "abandon" if i < due else "answer",
            )
            for i in range(per_minute)
        ]
        log.ingest(OP, records, now=at + timedelta(minutes=1), covered_from=at)
        at += timedelta(minutes=1)
        minute += 1


def day_log(*phases: tuple[datetime, datetime, int, float]) -> CallLog:
    log = CallLog(retention=timedelta(days=2))
    for start, end, per_minute, abandons in phases:
        traffic(log, start, end, per_minute=per_minute, abandons=abandons)
    return log


H = timedelta(hours=1)
M = timedelta(minutes=1)

# (case, phases as (start, end, calls a minute, abandons a minute), now, status, severity)
CASES = [
    ("steady 2% all morning", [(OPENING, NOON, 10, 0.2)], NOON, EvalStatus.CLEAR, None),
    (
        "the last hour at 20% burns the fast tier",
        [(OPENING, NOON - H, 10, 0.2), (NOON - H, NOON, 10, 2)],
        NOON,
        EvalStatus.BREACH,
        Severity.CRITICAL,
    ),
    (
        "the burning stopped 5 minutes ago: the short window stops the page",
        [
            (OPENING, NOON - H, 10, 0.2),
            (NOON - H, NOON - 5 * M, 10, 2),
            (NOON - 5 * M, NOON, 10, 0),
        ],
        NOON,
        EvalStatus.CLEAR,
        None,
    ),
    (
        "four hours at 10% burn the slow tier, not the fast one",
        [(OPENING, NOON, 20, 2)],
        NOON,
        EvalStatus.BREACH,
        Severity.WARNING,
    ),
    (
        "four hours at 6% stay under the slow tier once the bound is taken",
        [(OPENING, NOON, 25, 1.5)],
        NOON,
        EvalStatus.CLEAR,
        None,
    ),
    (
        "thin traffic is below every volume guard",
        [(NOON - 20 * M, NOON, 1, 0.5)],
        NOON,
        EvalStatus.QUIET,
        None,
    ),
    (
        "Saturday is no business day of mon-fri",
        [(OPENING + 4 * 24 * H, NOON + 4 * 24 * H, 10, 2)],
        NOON + 4 * 24 * H,
        EvalStatus.QUIET,
        None,
    ),
]


@pytest.mark.parametrize(("case", "phases", "now", "status", "severity"), CASES)
def test_budget_burn_rate_tiers(
    case: str,
    phases: list[tuple[datetime, datetime, int, float]],
    now: datetime,
    status: EvalStatus,
    severity: Severity | None,
) -> None:
    log = day_log(*phases)
    got = evaluate(SPEC, OP, log, now=now, tz=BOGOTA)
    assert (got.status, got.severity) == (status, severity), (case, got.detail)


def test_the_fast_tier_threshold_scales_with_the_business_day() -> None:
    # 20% of a 10 h day's budget in 1 h is a burn rate of 2; of a 24 h day, 4.8.
    assert FAST_TIER.burn_threshold(10 * H) == pytest.approx(2.0)
    assert FAST_TIER.burn_threshold(24 * H) == pytest.approx(4.8)
    assert SLOW_TIER.burn_threshold(10 * H) == pytest.approx(1.25)
    log = day_log((OPENING, NOON - H, 10, 0.2), (NOON - H, NOON, 10, 2))
    got = evaluate(SPEC, OP, log, now=NOON, tz=BOGOTA)
    assert got.threshold == pytest.approx(2.0)
    assert got.value is not None and got.value >= 2.0


def test_the_day_so_far_and_where_it_is_heading() -> None:
    # 08:00-11:00 at 2% (one abandon in 50), 11:00-12:00 at 10%: 96 abandons of 2,400.
    # At the last hour's pace (60 of 600 an hour) for the 6 h left: 456 of 6,000 = 7.6%;
    # the day's budget (5% of 6,000 = 300) is spent 204 / 60 = 3.4 h from now: 15:24.
    log = day_log((OPENING, NOON - H, 10, 0.2), (NOON - H, NOON, 10, 1))
    day = budget_day(SPEC, OP, log, now=NOON, tz=BOGOTA)
    assert day is not None
    assert (day.matched, day.population) == (96, 2400)
    assert day.rate == pytest.approx(0.04)
    assert day.projected == pytest.approx(0.076)
    assert day.spent_at == NOON.replace(hour=15, minute=24)
    assert not day.spent
    assert day.length == 10 * H


def test_a_day_that_stays_under_target_keeps_its_budget() -> None:
    log = day_log((OPENING, NOON, 10, 0.2))
    day = budget_day(SPEC, OP, log, now=NOON, tz=BOGOTA)
    assert day is not None and day.spent_at is None
    assert day.projected == pytest.approx(0.02)


def test_a_budget_already_spent_says_so() -> None:
    # 30% since opening: 720 abandons, more than 5% of the 6,000 calls the day is heading to.
    log = day_log((OPENING, NOON, 10, 3))
    day = budget_day(SPEC, OP, log, now=NOON, tz=BOGOTA)
    assert day is not None and day.spent and day.spent_at == NOON


def test_holidays_and_closed_days_have_no_business_day() -> None:
    holiday = replace(SPEC, active=SPEC.active.with_holidays(frozenset({NOON.date()})))  # type: ignore[union-attr]
    assert business_day(holiday.active, NOON, BOGOTA) == ()
    assert business_day(SPEC.active, NOON + 4 * 24 * H, BOGOTA) == ()
    assert business_day(None, NOON, BOGOTA) == (
        (NOON.replace(hour=0), NOON.replace(hour=0) + 24 * H),
    )


def test_a_budget_whose_short_window_was_not_polled_is_held() -> None:
    log = day_log((OPENING, NOON - 10 * M, 10, 2))
    got = evaluate(SPEC, OP, log, now=NOON, tz=BOGOTA)
    assert got.status is EvalStatus.HELD


def test_while_firing_recover_keeps_it_in_band() -> None:
    # 8% in the last hour: a burn of about 1.3 (its lower bound), below the fast tier's 2
    # but not below `recover: 1`, so a firing alert stays (band) rather than resolving.
    spec = replace(SPEC, recover=1.0, tiers=(FAST_TIER,))
    log = day_log((OPENING, NOON, 10, 0.8))
    first = evaluate(spec, OP, log, now=NOON, tz=BOGOTA, current=Severity.CRITICAL)
    assert first.status is EvalStatus.BAND, first.detail
    assert evaluate(spec, OP, log, now=NOON, tz=BOGOTA).status is EvalStatus.CLEAR


def test_a_burning_budget_carries_the_day_as_facts() -> None:
    # 36 + 120 abandons of 2,400; at 120 of 600 an hour the 300 allowed of the projected
    # 6,000 calls are spent 144 / 120 = 1.2 h from now: 13:12.
    log = day_log((OPENING, NOON - H, 10, 0.2), (NOON - H, NOON, 10, 2))
    burning = evaluate(SPEC, OP, log, now=NOON, tz=BOGOTA)
    assert burning.status is EvalStatus.BREACH
    facts = dict(burning.facts)
    assert facts["objective"] == 0.05
    assert (facts["day_matched"], facts["day_population"]) == (156, 2400)
    spent = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=facts["spent_at"])
    assert spent == NOON.replace(hour=13, minute=12)
    calm = evaluate(SPEC, OP, day_log((OPENING, NOON, 10, 0.2)), now=NOON, tz=BOGOTA)
    assert calm.status is EvalStatus.CLEAR and calm.facts == ()


def test_recover_critical_keeps_a_critical_budget_critical_while_the_fast_tier_burns() -> None:
    # 8% all day: the fast tier burns about 1.3 (its lower bound), under its 2, while the
    # slow tier's four hours burn past its 1.25. Paged critical earlier, the alert goes
    # back to warning as soon as the fast tier cools, unless recover_critical holds it.
    log = day_log((OPENING, NOON, 10, 0.8))
    plain = evaluate(SPEC, OP, log, now=NOON, tz=BOGOTA, current=Severity.CRITICAL)
    assert (plain.status, plain.severity) == (EvalStatus.BREACH, Severity.WARNING), plain.detail
    held = replace(SPEC, recover_critical=1.0)
    kept = evaluate(held, OP, log, now=NOON, tz=BOGOTA, current=Severity.CRITICAL)
    assert (kept.status, kept.severity) == (EvalStatus.BREACH, Severity.CRITICAL), kept.detail
    assert kept.threshold == pytest.approx(2.0) and kept.recover == 1.0
    assert kept.value is not None and 1.0 <= kept.value < 2.0
    # Only a critical alert is held: a warning one, or a new evaluation, is not raised.
    warning = evaluate(held, OP, log, now=NOON, tz=BOGOTA, current=Severity.WARNING)
    assert warning.severity is Severity.WARNING
    # Below recover_critical the hold ends.
    cooler = replace(SPEC, recover_critical=1.9)
    down = evaluate(cooler, OP, log, now=NOON, tz=BOGOTA, current=Severity.CRITICAL)
    assert down.severity is Severity.WARNING


def test_recover_critical_alone_keeps_a_critical_budget_in_band() -> None:
    # Only the fast tier, no slow one burning: the alert is held critical (BAND) rather
    # than resolved while the fast tier burns at recover_critical or more.
    spec = replace(SPEC, recover_critical=1.0, tiers=(FAST_TIER,))
    log = day_log((OPENING, NOON, 10, 0.8))
    got = evaluate(spec, OP, log, now=NOON, tz=BOGOTA, current=Severity.CRITICAL)
    assert (got.status, got.severity) == (EvalStatus.BAND, Severity.CRITICAL), got.detail
