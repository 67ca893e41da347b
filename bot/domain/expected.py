"""`kind: expected`: a window's count against what the same slot usually brings (issue 16).

The expectation is learned from the call log's own history: the median count of the
same window at the same minute-of-week over the last `weeks` weeks when polls covered
at least `min_samples` of them, else the median of the same time of day on the most
recent comparable days (weekdays with weekdays, Saturdays with Saturdays, Sundays with
Sundays). Holidays are left out of the samples, windows that polls did not cover too,
and the median keeps one past incident from moving the expectation.

The count is then judged under a Poisson law of that expectation: the rule fires when
the chance of a count this low (`drop`), this high (`surge`) or either (`both`) is
below `chance` and it differs from the expectation by at least `min_difference`
calls. A dead trunk at a busy hour shows within minutes, where a fixed flatline waits
for a whole window of zeros. Until the history holds enough samples the rule is quiet
and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from bot.domain.call_log import CallLog
from bot.domain.kind_specs import Direction, Seasonal
from bot.domain.specs import EvalStatus, Evaluation, RuleSpec

__all__ = [
    "Expectation",
    "evaluate_expected",
    "expectation",
    "history_needed",
    "poisson_cdf",
    "poisson_sf",
]

_WEEK = timedelta(weeks=1)
_DAY = timedelta(days=1)
_MAX_DAYS = 10
"""Comparable days used at most when the weeks do not suffice."""


def _log_term(i: int, lam: float) -> float:
    return -lam + i * math.log(lam) - math.lgamma(i + 1)


def _log_sum(logs: list[float]) -> float:
    top = max(logs)
    return top + math.log(sum(math.exp(x - top) for x in logs))


def poisson_cdf(k: int, lam: float) -> float:
    """P(X <= k) for X ~ Poisson(lam), summed in log space so tails of 1e-30 stay exact."""
    if k < 0:
        return 0.0
    if lam <= 0:
        return 1.0
    if k >= lam:
        return 1.0 - poisson_sf(k + 1, lam)
    return min(1.0, math.exp(_log_sum([_log_term(i, lam) for i in range(k + 1)])))


def poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k <= lam:
        return 1.0 - poisson_cdf(k - 1, lam)
    logs = [_log_term(k, lam)]
    i = k
    while logs[-1] - logs[0] > -40.0:
        i += 1
        logs.append(_log_term(i, lam))
    return min(1.0, math.exp(_log_sum(logs)))


def _kind_of_day(day: date) -> int:
    """Weekdays compare with weekdays; Saturday and Sunday each with their own."""
    return 0 if day.weekday() < 5 else day.weekday()


@dataclass(frozen=True, slots=True)
class Expectation:
    """The usual count of a slot: the median of `samples`, from the same minute-of-week
    (`by_week`) or from comparable days."""

    expected: float
    samples: tuple[int, ...]
    by_week: bool


def history_needed(spec: RuleSpec) -> timedelta:
    """How far back an expected rule reads to use its minute-of-week samples."""
    weeks = spec.seasonal.weeks if spec.seasonal is not None else 1
    return weeks * _WEEK + spec.window


def expectation(
    spec: RuleSpec,
    operation: str,
    log: CallLog,
    *,
    now: datetime,
    tz: ZoneInfo,
    retention: timedelta | None = None,
) -> Expectation | None:
    """The expected count of `spec.match` in the window ending at `now`, or None while
    the history does not hold `min_samples` covered, non-holiday samples.

    Past slots are taken at the same local wall-clock time (a week before 10:00 is
    10:00, also across a change of daylight saving time)."""
    seasonal = spec.seasonal or Seasonal()
    holidays = spec.active.holidays if spec.active is not None else frozenset()
    local = now.astimezone(tz)
    horizon = retention if retention is not None else log.retention

    def sample(back: timedelta) -> int | None:
        end = local - back
        if now - end > horizon - spec.window or end.date() in holidays:
            return None
        start = end - spec.window
        if not log.is_covered(operation, start, end):
            return None
        return log.stats(operation, start=start, end=end).count(spec.match)

    weekly = [sample(k * _WEEK) for k in range(1, seasonal.weeks + 1)]
    by_week = [n for n in weekly if n is not None]
    if len(by_week) >= seasonal.min_samples:
        return Expectation(float(median(by_week)), tuple(by_week), True)
    kind = _kind_of_day(local.date())
    days: list[int] = []
    back = 1
    while len(days) < _MAX_DAYS and back * _DAY <= horizon:
        if _kind_of_day(local.date() - back * _DAY) == kind:
            n = sample(back * _DAY)
            if n is not None:
                days.append(n)
        back += 1
    if len(days) >= seasonal.min_samples:
        return Expectation(float(median(days)), tuple(days), False)
    return None


def evaluate_expected(
    spec: RuleSpec,
    base: Evaluation,
    log: CallLog,
    *,
    now: datetime,
    tz: ZoneInfo,
    current: object,
) -> Evaluation:
    """BREACH (at `severity`) when the window's count is too improbable under Poisson;
    while firing, BAND as long as its chance stays below `recover` (when set); CLEAR
    otherwise; QUIET without enough history or below `min_expected`."""
    seasonal = spec.seasonal or Seasonal()
    found = expectation(spec, base.operation, log, now=now, tz=tz)
    observed = base.matched or 0
    if found is None:
        return replace(
            base,
            status=EvalStatus.QUIET,
            detail=f"history not yet there: fewer than {seasonal.min_samples} covered "
            "past slots to learn the usual count from",
        )
    expected = found.expected
    start = (now - spec.window).astimezone(tz)
    facts = (
        ("expected", expected),
        ("observed", float(observed)),
        ("weekday", float(start.weekday())),
        ("slot", float(start.hour * 60 + start.minute)),
        ("by_week", 1.0 if found.by_week else 0.0),
        ("limit", seasonal.chance),
        ("min_expected", seasonal.min_expected),
    )
    base = replace(base, baseline=expected, facts=facts)
    if expected < seasonal.min_expected:
        return replace(
            base,
            status=EvalStatus.QUIET,
            detail=f"the slot usually brings {expected:g} calls, fewer than "
            f"min_expected {seasonal.min_expected:g}",
        )
    drop = seasonal.direction in (Direction.DROP, Direction.BOTH) and observed < expected
    surge = seasonal.direction in (Direction.SURGE, Direction.BOTH) and observed > expected
    chance = (
        poisson_cdf(observed, expected)
        if drop
        else poisson_sf(observed, expected)
        if surge
        else 1.0
    )
    far = abs(observed - expected) >= seasonal.min_difference
    what = (
        f"{observed} matching calls in the window; the slot usually brings {expected:g} "
        f"(median of {len(found.samples)} {'weeks' if found.by_week else 'comparable days'}), "
        f"chance {chance:.2g}"
    )
    evaluation = replace(
        base, value=float(observed), compared=chance, facts=(*facts, ("chance", chance))
    )
    if far and chance < seasonal.chance:
        return replace(
            evaluation,
            status=EvalStatus.BREACH,
            severity=spec.severity,
            detail=f"{what}, below {seasonal.chance:g}",
        )
    if current is not None and spec.recover is not None and far and chance < spec.recover:
        return replace(
            evaluation,
            status=EvalStatus.BAND,
            severity=spec.severity,
            detail=f"{what}, not yet above recover {spec.recover:g}",
        )
    return replace(evaluation, status=EvalStatus.CLEAR, detail=what)
