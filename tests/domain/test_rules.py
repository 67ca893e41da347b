from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import Calendar
from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord
from bot.domain.rules import (
    evaluate,
    evaluate_operation,
    evaluate_unavailable,
    unavailable_rule,
    wilson_lower_bound,
)
from bot.domain.specs import (
    WOLKVOX_UNAVAILABLE,
    CallFilter,
    EvalStatus,
    Evaluation,
    Measure,
    RuleKind,
    RuleSpec,
    Severity,
)

# 2026-11-24 is a Tuesday; 17:00 UTC is 12:00 in Bogota (UTC-5 all year).
T0 = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
BOGOTA = ZoneInfo("America/Bogota")
OP = "bogota"
INBOUND = CallFilter(types=frozenset({"inbound"}))
OUTBOUND = CallFilter(types=frozenset({"out_pre", "outbound_ma"}))
ABANDON = CallFilter(results=frozenset({"abandon"}))
CHANUNAVAIL = CallFilter(results=frozenset({"chanunavail"}))
_ids = count()

W, C = Severity.WARNING, Severity.CRITICAL
BREACH, BAND, CLEAR = EvalStatus.BREACH, EvalStatus.BAND, EvalStatus.CLEAR
QUIET, HELD = EvalStatus.QUIET, EvalStatus.HELD


def calls(
    n: int,
    result: str = "answer",
    call_type: str = "inbound",
    *,
    minute: float = -1,
    base: datetime = T0,
) -> list[CallRecord]:
    """n distinct calls at `minute` minutes from `base`."""
    when = base + timedelta(minutes=minute)
    return [CallRecord(f"id{next(_ids)}", when, call_type, result) for _ in range(n)]


def covered_log(
    records: Iterable[CallRecord], *, since: timedelta = timedelta(hours=2), now: datetime = T0
) -> CallLog:
    """A log whose polls covered [now - since, now] without a gap."""
    log = CallLog()
    log.ingest(OP, list(records), now=now, covered_from=now - since)
    return log


def rate_rule(**overrides: object) -> RuleSpec:
    fields: dict[str, object] = {
        "name": "abandon-rate",
        "kind": RuleKind.RATE,
        "match": ABANDON,
        "among": INBOUND,
        "min_calls": 20,
        "warning": 0.08,
        "critical": 0.15,
        "recover": 0.06,
    }
    fields.update(overrides)
    return RuleSpec(**fields)  # type: ignore[arg-type]


def inbound(answered: int, abandoned: int) -> list[CallRecord]:
    return calls(answered) + calls(abandoned, "abandon")


# --- count ---------------------------------------------------------------------------------

COUNT_RULE = RuleSpec(
    name="chanunavail",
    kind=RuleKind.COUNT,
    match=CHANUNAVAIL,
    among=OUTBOUND,
    warning=10,
    critical=20,
    recover=5,
)


@pytest.mark.parametrize(
    ("failures", "current", "status", "severity"),
    [
        (9, None, CLEAR, None),
        (10, None, BREACH, W),
        (19, None, BREACH, W),
        (20, None, BREACH, C),
        (19, C, BREACH, C),  # stays critical down to recover_critical (the warning level)
        (9, C, BAND, W),  # below warning: back to warning, firing through the band
        (7, W, BAND, W),  # firing stays through the band, at warning
        (7, None, CLEAR, None),  # but the band alone does not fire
        (4, W, CLEAR, None),  # below recover: resolves
    ],
)
def test_count_rule_severities_and_hysteresis(
    failures: int, current: Severity | None, status: EvalStatus, severity: Severity | None
) -> None:
    log = covered_log(calls(failures, "chanunavail", "out_pre") + calls(30, "chanunavail"))
    result = evaluate(COUNT_RULE, OP, log, now=T0, tz=BOGOTA, current=current)
    assert (result.status, result.severity) == (status, severity)
    assert result.value == failures
    assert result.matched == failures  # inbound chanunavail is outside the population


def test_count_rule_volume_guard_on_the_population() -> None:
    spec = RuleSpec(
        name="chanunavail",
        kind=RuleKind.COUNT,
        match=CHANUNAVAIL,
        among=OUTBOUND,
        warning=10,
        min_calls=50,
    )
    log = covered_log(calls(12, "chanunavail", "out_pre") + calls(18, "answer", "out_pre"))
    result = evaluate(spec, OP, log, now=T0, tz=BOGOTA)
    assert result.status is QUIET
    assert result.detail == "volume guard: 30 calls < 50"


# --- rate ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answered", "abandoned", "current", "status", "severity"),
    [
        (10, 2, None, QUIET, None),  # volume guard: 12 calls < 20
        (93, 7, None, CLEAR, None),
        (92, 8, None, BREACH, W),
        (85, 15, None, BREACH, C),
        (90, 10, C, BREACH, C),  # 10% is above warning 8%: critical holds
        (93, 7, C, BAND, W),  # below warning: back to warning
        (93, 7, W, BAND, W),  # 7% is above recover 6%
        (94, 6, W, BAND, W),  # recover itself still holds
        (95, 5, W, CLEAR, None),
        (95, 5, C, CLEAR, None),
    ],
)
def test_rate_rule(
    answered: int,
    abandoned: int,
    current: Severity | None,
    status: EvalStatus,
    severity: Severity | None,
) -> None:
    log = covered_log(inbound(answered, abandoned) + calls(50, "abandon", "out_pre"))
    result = evaluate(rate_rule(), OP, log, now=T0, tz=BOGOTA, current=current)
    assert (result.status, result.severity) == (status, severity)
    assert (result.matched, result.population) == (abandoned, answered + abandoned)


def test_volume_guard_says_why() -> None:
    result = evaluate(rate_rule(), OP, covered_log(inbound(9, 3)), now=T0, tz=BOGOTA)
    assert (result.status, result.detail) == (QUIET, "volume guard: 12 calls < 20")


def test_rate_without_calls_is_quiet_not_zero() -> None:
    result = evaluate(rate_rule(min_calls=0), OP, covered_log([]), now=T0, tz=BOGOTA)
    assert result.status is QUIET
    assert result.value is None


def test_rate_explains_itself() -> None:
    log = covered_log(inbound(80, 20) + calls(5, "no answer"))
    result = evaluate(rate_rule(), OP, log, now=T0, tz=BOGOTA)
    assert result.value == pytest.approx(20 / 105)
    assert result.threshold == 0.15
    assert result.breakdown == (("answer", 80), ("abandon", 20), ("no answer", 5))
    assert result.detail == "19.0% (20/105) in 10m, at or above critical 15%"


@pytest.mark.parametrize(
    ("answered", "abandoned", "warning", "status", "severity"),
    [
        (9, 3, None, CLEAR, None),  # 25% of 12 is no evidence of 15% (lower bound ~10.5%)
        (90, 30, None, BREACH, C),  # 25% of 120 is (lower bound ~19.1%)
        (9, 3, 0.08, BREACH, W),  # but it is evidence of 8%
        (85, 10, 0.08, CLEAR, None),  # 10.5% of 95 would breach 8% raw; lower bound ~6.4%
        (80, 12, 0.08, BREACH, W),  # 13% of 92: lower bound ~8.3%
    ],
)
def test_rate_with_confidence_compares_the_wilson_lower_bound(
    answered: int,
    abandoned: int,
    warning: float | None,
    status: EvalStatus,
    severity: Severity | None,
) -> None:
    spec = rate_rule(min_calls=0, confidence=0.9, warning=warning)
    result = evaluate(spec, OP, covered_log(inbound(answered, abandoned)), now=T0, tz=BOGOTA)
    assert (result.status, result.severity) == (status, severity)
    assert result.value == pytest.approx(abandoned / (answered + abandoned))
    assert result.compared is not None
    assert result.value is not None
    assert result.compared < result.value
    assert "lower bound" in result.detail


@pytest.mark.parametrize(
    ("successes", "trials", "confidence", "expected"),
    [
        (3, 12, 0.9, 0.1046),
        (30, 120, 0.9, 0.1910),
        (10, 10, 0.95, 0.7225),  # textbook value
        (0, 10, 0.95, 0.0),
        (0, 0, 0.95, 0.0),
    ],
)
def test_wilson_lower_bound(
    successes: int, trials: int, confidence: float, expected: float
) -> None:
    assert wilson_lower_bound(successes, trials, confidence) == pytest.approx(expected, abs=5e-4)


# --- active hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("active", "tz", "now", "status"),
    [
        ("mon-fri 07:00-19:00", BOGOTA, datetime(2026, 11, 24, 11, 30, tzinfo=UTC), QUIET),
        ("mon-fri 07:00-19:00", BOGOTA, datetime(2026, 11, 24, 12, 30, tzinfo=UTC), BREACH),
        (
            "mon-fri 07:00-19:00",
            ZoneInfo("UTC"),
            datetime(2026, 11, 24, 11, 30, tzinfo=UTC),
            BREACH,
        ),
        ("mon-fri 07:00-19:00", BOGOTA, datetime(2026, 11, 28, 15, 0, tzinfo=UTC), QUIET),  # Sat
        ("22:00-06:00", BOGOTA, datetime(2026, 11, 25, 8, 0, tzinfo=UTC), BREACH),  # 03:00 local
        ("22:00-06:00", BOGOTA, datetime(2026, 11, 25, 12, 0, tzinfo=UTC), QUIET),  # 07:00 local
        ("fri 22:00-06:00", BOGOTA, datetime(2026, 11, 28, 10, 0, tzinfo=UTC), BREACH),  # Sat 05:00
    ],
)
def test_active_hours_in_the_operation_timezone(
    active: str, tz: ZoneInfo, now: datetime, status: EvalStatus
) -> None:
    log = covered_log(calls(50, base=now) + calls(50, "abandon", base=now), now=now)
    spec = rate_rule(active=Calendar.parse(active))
    result = evaluate(spec, OP, log, now=now, tz=tz)
    assert result.status is status
    if status is QUIET:
        assert result.detail == f"outside active hours ({active})"


# --- coverage ------------------------------------------------------------------------------


def test_a_window_not_covered_by_polls_is_held_not_read_as_zero() -> None:
    log = CallLog()
    log.ingest(OP, calls(1), now=T0)  # one poll: 10 minutes of a 30-minute window
    spec = RuleSpec(
        name="no-inbound",
        kind=RuleKind.FLATLINE,
        match=INBOUND,
        window=timedelta(minutes=30),
        below=5,
    )
    result = evaluate(spec, OP, log, now=T0, tz=BOGOTA)
    assert result.status is HELD
    assert result.detail.startswith("polling gap: only 33% of the last 30m")


# --- flatline ------------------------------------------------------------------------------

FLATLINE = RuleSpec(
    name="no-inbound",
    kind=RuleKind.FLATLINE,
    match=INBOUND,
    window=timedelta(minutes=15),
    below=1,
    recover=3,
    severity=Severity.CRITICAL,
)


@pytest.mark.parametrize(
    ("n", "current", "status"),
    [
        (0, None, BREACH),  # a covered, quiet window: inbound traffic stopped
        (0, C, BREACH),
        (2, C, BAND),  # calls trickle back in: not yet recovered
        (2, None, CLEAR),
        (3, C, CLEAR),
    ],
)
def test_flatline(n: int, current: Severity | None, status: EvalStatus) -> None:
    log = covered_log(calls(n) + calls(10, "answer", "out_pre"))
    result = evaluate(FLATLINE, OP, log, now=T0, tz=BOGOTA, current=current)
    assert result.status is status
    assert result.severity is (C if status in (BREACH, BAND) else None)
    assert (result.value, result.threshold) == (n, 1)


def test_flatline_during_a_polling_gap_is_held() -> None:
    log = CallLog()
    log.ingest(OP, [], now=T0 - timedelta(minutes=30))
    log.ingest(OP, [], now=T0 + timedelta(minutes=5))  # the polls between failed
    result = evaluate(FLATLINE, OP, log, now=T0, tz=BOGOTA)
    assert result.status is HELD


# --- spike ---------------------------------------------------------------------------------


def spike_rule(**overrides: object) -> RuleSpec:
    fields: dict[str, object] = {
        "name": "chanunavail-spike",
        "kind": RuleKind.SPIKE,
        "match": CHANUNAVAIL,
        "among": OUTBOUND,
        "baseline": timedelta(hours=1),
        "factor": 3.0,
    }
    fields.update(overrides)
    return RuleSpec(**fields)  # type: ignore[arg-type]


def failures(n: int, minute: float) -> list[CallRecord]:
    return calls(n, "chanunavail", "out_pre", minute=minute)


def test_spike_is_quiet_until_the_baseline_is_covered() -> None:
    log = covered_log(failures(9, -2), since=timedelta(minutes=30))
    result = evaluate(spike_rule(), OP, log, now=T0, tz=BOGOTA)
    assert result.status is QUIET
    assert result.detail.startswith("baseline not yet covered")


@pytest.mark.parametrize(
    ("baseline_hour", "now_count", "overrides", "status", "severity", "ratio"),
    [
        (12, 6, {}, BREACH, W, 3.0),  # 12 an hour = 2 per 10 minutes expected
        (12, 5, {}, CLEAR, None, 2.5),
        (0, 5, {}, BREACH, W, 5.0),  # nothing before: expected floored at one call
        (0, 0, {}, CLEAR, None, 0.0),
        (0, 4, {"min_calls": 5}, QUIET, None, None),
        (12, 10, {"severity": C}, BREACH, C, 5.0),
        (12, 10, {"warning": 3.0, "critical": 5.0}, BREACH, C, 5.0),
        (12, 8, {"warning": 3.0, "critical": 5.0}, BREACH, W, 4.0),
    ],
)
def test_spike_against_the_trailing_hour(
    baseline_hour: int,
    now_count: int,
    overrides: dict[str, object],
    status: EvalStatus,
    severity: Severity | None,
    ratio: float | None,
) -> None:
    before = [r for m in range(-70, -10, 5) for r in failures(baseline_hour // 12, m)]
    log = covered_log(before + failures(now_count, -1) + calls(200, "answer", "out_pre"))
    result = evaluate(spike_rule(**overrides), OP, log, now=T0, tz=BOGOTA)
    assert (result.status, result.severity) == (status, severity)
    assert result.value == (None if ratio is None else pytest.approx(ratio))
    if status is not QUIET:
        assert result.baseline == pytest.approx(baseline_hour / 6)


def test_spike_against_the_same_window_a_week_ago() -> None:
    week = timedelta(days=7)
    log = CallLog()
    log.ingest(
        OP,
        failures(10, -7 * 24 * 60 - 3),
        now=T0 - week,
        covered_from=T0 - week - timedelta(hours=1),
    )
    log.ingest(
        OP, failures(25, -20) + failures(30, -2), now=T0, covered_from=T0 - timedelta(hours=1)
    )
    spec = spike_rule(baseline=week)
    result = evaluate(spec, OP, log, now=T0, tz=BOGOTA)
    assert (result.status, result.value, result.baseline) == (BREACH, 3.0, 10.0)
    assert "the same 10m 7d ago" in result.detail
    log.mark_covered(OP, T0, T0 + timedelta(minutes=1))
    quieter = evaluate(spec, OP, log, now=T0 + timedelta(minutes=1), tz=BOGOTA)
    assert quieter.status is QUIET  # a week ago + 1 minute was never polled


def test_spike_of_a_rate_compares_rates() -> None:
    before = [
        r
        for m in range(-70, -10, 6)
        for r in failures(1, m) + calls(19, "answer", "out_pre", minute=m)
    ]  # 5% failures over the trailing hour
    now = failures(6, -1) + calls(14, "answer", "out_pre")  # 30% of 20: 6 where 1 was expected
    spec = spike_rule(measure=Measure.RATE, min_calls=10)
    result = evaluate(spec, OP, covered_log(before + now), now=T0, tz=BOGOTA)
    assert (result.status, result.baseline) == (BREACH, 0.05)
    assert result.value == pytest.approx(6.0)


# --- wolkvox unavailable -------------------------------------------------------------------

POLL = timedelta(minutes=5)


@pytest.mark.parametrize(
    ("last_success", "failures_in_a_row", "status"),
    [
        (T0 - timedelta(minutes=5), 1, CLEAR),  # one failed poll: a blip
        (T0 - timedelta(minutes=10), 2, CLEAR),  # exactly two periods old
        (T0 - timedelta(minutes=11), 2, BREACH),
        (T0 - timedelta(minutes=30), 0, BREACH),  # stale even without a recorded failure
        (None, 0, CLEAR),  # not polled yet
        (None, 1, CLEAR),
        (None, 2, BREACH),
    ],
)
def test_unavailable_fires_when_data_is_stale_for_two_poll_periods(
    last_success: datetime | None, failures_in_a_row: int, status: EvalStatus
) -> None:
    result = evaluate_unavailable(
        OP,
        now=T0,
        last_success=last_success,
        last_error="Wolkvox answered 403: PLEASE VALIDATE TOKEN",
        consecutive_failures=failures_in_a_row,
        poll_every=POLL,
    )
    assert (result.rule, result.status) == (WOLKVOX_UNAVAILABLE, status)
    assert result.severity is (C if status is BREACH else None)
    if status is BREACH:
        assert result.detail.endswith(": Wolkvox answered 403: PLEASE VALIDATE TOKEN")


def test_unavailable_detail_says_for_how_long() -> None:
    result = evaluate_unavailable(
        OP,
        now=T0,
        last_success=T0 - timedelta(minutes=16),
        last_error="timed out after 60s",
        consecutive_failures=3,
        poll_every=POLL,
    )
    assert result.detail == "no data for 16m (3 failed polls in a row): timed out after 60s"


def test_unavailable_rule_spec() -> None:
    spec = unavailable_rule(repeat=timedelta(hours=1))
    assert (spec.name, spec.kind, spec.severity) == (WOLKVOX_UNAVAILABLE, RuleKind.UNAVAILABLE, C)
    assert spec.repeat == timedelta(hours=1)
    with pytest.raises(ValueError, match="evaluate_unavailable"):
        evaluate(spec, OP, CallLog(), now=T0, tz=BOGOTA)


# --- a whole operation ---------------------------------------------------------------------

SPECS = (
    unavailable_rule(),
    rate_rule(),
    FLATLINE,
    rate_rule(name="medellin-only", operations=frozenset({"medellin"})),
)


def test_while_wolkvox_is_unavailable_the_other_rules_are_held() -> None:
    blind = evaluate_unavailable(
        OP,
        now=T0,
        last_success=None,
        last_error="connection refused",
        consecutive_failures=4,
        poll_every=POLL,
    )
    log = covered_log([])  # "no calls" must not page as a flatline while blind
    results = evaluate_operation(SPECS, OP, log, now=T0, tz=BOGOTA, current={}, unavailable=blind)
    assert [(r.rule, r.status) for r in results] == [
        (WOLKVOX_UNAVAILABLE, BREACH),
        ("abandon-rate", HELD),
        ("no-inbound", HELD),
    ]
    assert results[1].detail == "held: wolkvox-unavailable"


def test_when_wolkvox_is_seen_every_rule_is_evaluated_with_its_current_severity() -> None:
    seen = Evaluation(WOLKVOX_UNAVAILABLE, OP, CLEAR)
    log = covered_log(inbound(93, 7))
    results = evaluate_operation(
        SPECS, OP, log, now=T0, tz=BOGOTA, current={"abandon-rate": W}, unavailable=seen
    )
    assert [(r.rule, r.status) for r in results] == [
        (WOLKVOX_UNAVAILABLE, CLEAR),
        ("abandon-rate", BAND),
        ("no-inbound", CLEAR),
    ]
