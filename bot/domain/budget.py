"""`kind: budget`: a daily objective, paged on its burn rate (issue 16).

The objective is the share of `match` among `among` allowed over the operation's
business day (the rule's active periods of one local date, holidays excluded), e.g.
abandons among inbound calls, 5%. As in SRE burn-rate alerting, a tier fires when
the rate over its window spends the day's budget faster than `spend` of it per
window, scaled to the length of the business day instead of 30 days: 20% of a 10 h
day's budget in 1 h is a burn rate of 2 (a 10% abandon rate against 5%). Each tier
is checked over a long and a short window that must both burn, so an alert fires on
sustained trouble and stops soon after it ends. With `confidence` (default 0.9) the
long window's rate is its Wilson lower bound, so a thin hour just after opening proves
less than a busy one. The fast tier pages at critical, the
others at warning.

Each evaluation also says where the day is heading (`BudgetDay`): the rate so far,
the rate the day closes at if the last hour's pace holds for the rest of it, and
when, at that pace, the day's budget is spent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import Calendar
from bot.domain.call_log import CallLog
from bot.domain.durations import format_duration
from bot.domain.kind_specs import BurnTier
from bot.domain.specs import EvalStatus, Evaluation, RuleSpec, Severity
from bot.domain.stats import wilson_lower_bound

__all__ = ["BudgetDay", "budget_day", "business_day", "day_facts", "evaluate_budget"]

PACE = timedelta(hours=1)
"""The recent pace a day's projection assumes holds: the last hour's."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ALWAYS = Calendar()


@dataclass(frozen=True, slots=True)
class BudgetDay:
    """A budget rule's business day so far, and where it is heading.

    `projected` is the day's closing rate if the last hour's pace of both `match` and
    `among` holds for the rest of the business day (None without calls). `spent_at`
    is when the day's budget (objective x the day's projected calls) is used up at
    that pace: already past when it is at or before `as_of`, None when it lasts the
    day.
    """

    start: datetime
    end: datetime
    length: timedelta
    as_of: datetime
    matched: int
    population: int
    objective: float
    projected: float | None
    spent_at: datetime | None

    @property
    def rate(self) -> float | None:
        return self.matched / self.population if self.population else None

    @property
    def spent(self) -> bool:
        return self.spent_at is not None and self.spent_at <= self.as_of


def business_day(
    calendar: Calendar | None, now: datetime, tz: ZoneInfo
) -> tuple[tuple[datetime, datetime], ...]:
    """The open periods of the business day `now` belongs to: those of its local date,
    or of the day before when `now` is in a period that started then (`22:00-06:00`).
    Empty on a holiday or a day without active hours."""
    cal = calendar or _ALWAYS
    today = now.astimezone(tz).date()
    yesterday = cal.periods_on(today - timedelta(days=1), tz)
    if any(s <= now < e for s, e in yesterday) and not any(
        s <= now < e for s, e in cal.periods_on(today, tz)
    ):
        return yesterday
    return cal.periods_on(today, tz)


def _open_between(periods: tuple[tuple[datetime, datetime], ...], a: datetime) -> timedelta:
    return sum((max(timedelta(0), e - max(s, a)) for s, e in periods), timedelta(0))


def _advance(
    periods: tuple[tuple[datetime, datetime], ...], now: datetime, open_time: timedelta
) -> datetime | None:
    """The moment `open_time` of open business time after `now` has passed."""
    left = open_time
    for s, e in periods:
        start = max(s, now)
        if e <= start:
            continue
        if start + left <= e:
            return start + left
        left -= e - start
    return None


def budget_day(
    spec: RuleSpec, operation: str, log: CallLog, *, now: datetime, tz: ZoneInfo
) -> BudgetDay | None:
    """The day so far of a budget rule (None on a day without business hours)."""
    periods = business_day(spec.active, now, tz)
    if not periods or spec.objective is None:
        return None
    start, end = periods[0][0], periods[-1][1]
    upto = min(now, end)
    matched, population = (
        log.stats(operation, start=start, end=upto).rate(spec.match, spec.among)
        if upto > start
        else (0, 0)
    )
    pace_start = max(start, now - PACE)
    projected: float | None = matched / population if population else None
    spent_at: datetime | None = None
    if now < end and now > pace_start:
        m_pace, a_pace = log.stats(operation, start=pace_start, end=now).rate(
            spec.match, spec.among
        )
        hours = (now - pace_start) / PACE
        remaining = _open_between(periods, now) / PACE
        total_m = matched + m_pace / hours * remaining
        total_a = population + a_pace / hours * remaining
        if total_a > 0:
            projected = total_m / total_a
        allowed = spec.objective * total_a
        if population and matched >= allowed:
            spent_at = now
        elif m_pace > 0 and population:
            spent_at = _advance(periods, now, (allowed - matched) / (m_pace / hours) * PACE)
    elif population and matched > spec.objective * population:
        spent_at = upto
    return BudgetDay(
        start, end, sum((e - s for s, e in periods), timedelta(0)), now, matched, population,
        spec.objective, projected, spent_at,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Burn:
    tier: BurnTier
    severity: Severity
    threshold: float
    judged: bool
    covered: bool
    long_burn: float = 0.0
    compared: float = 0.0
    matched: int = 0
    population: int = 0


def _burn(
    spec: RuleSpec,
    tier: BurnTier,
    operation: str,
    log: CallLog,
    *,
    now: datetime,
    opened: datetime | None,
    day: timedelta,
) -> _Burn:
    objective = spec.objective or 1.0
    severity = Severity.CRITICAL if tier.name == "fast" else Severity.WARNING
    threshold = tier.burn_threshold(day)
    long_start, short_start = now - tier.window, now - tier.short
    if opened is not None:
        long_start, short_start = max(long_start, opened), max(short_start, opened)
    long = log.stats(operation, start=long_start, end=now)
    short = log.stats(operation, start=short_start, end=now)
    m_l, a_l = long.rate(spec.match, spec.among)
    m_s, a_s = short.rate(spec.match, spec.among)
    covered = short.covered_fraction >= 1.0
    if not covered or a_l < max(tier.min_calls, 1):
        return _Burn(tier, severity, threshold, False, covered, matched=m_l, population=a_l)
    rate = m_l / a_l
    if spec.confidence is not None:
        rate = wilson_lower_bound(m_l, a_l, spec.confidence)
    long_burn = rate / objective
    short_burn = m_s / a_s / objective if a_s else 0.0
    return _Burn(
        tier, severity, threshold, True, True, long_burn, min(long_burn, short_burn), m_l, a_l
    )


def day_facts(day: BudgetDay | None) -> tuple[tuple[str, float], ...]:
    """The day as named numbers, for a renderer (`Evaluation.facts`, `/calls status`)."""
    if day is None:
        return ()
    facts: list[tuple[str, float]] = [
        ("objective", day.objective),
        ("day_matched", float(day.matched)),
        ("day_population", float(day.population)),
    ]
    if day.projected is not None:
        facts.append(("projected", day.projected))
    if day.spent_at is not None:
        facts.append(("spent_at", (day.spent_at - _EPOCH).total_seconds()))
    return tuple(facts)


def evaluate_budget(
    spec: RuleSpec,
    base: Evaluation,
    log: CallLog,
    *,
    now: datetime,
    tz: ZoneInfo,
    current: Severity | None,
) -> Evaluation:
    """BREACH at the most severe tier whose long and short windows both burn at or past
    its threshold (the tier's long-window burn is the value, the smaller of the two
    burns what is compared); while firing, BAND as long as a judged tier still burns
    at `recover` or more (when set); CLEAR once a tier judges and none burns; QUIET when
    no tier has enough calls; HELD when the short windows were not covered by polls.

    With `recover_critical`, a critical alert stays critical while its fast (critical)
    tier still burns at that rate or more, though under its own threshold (severity
    hysteresis, as for count and rate rules): BREACH when a lower tier burns, else BAND."""
    periods = business_day(spec.active, now, tz)
    length = sum((e - s for s, e in periods), timedelta(0))
    if not periods:
        return replace(base, status=EvalStatus.QUIET, detail="no business day today")
    opened = spec.active.opened_at(now, tz) if spec.active is not None else None
    base = replace(base, opened_at=opened)
    burns = [
        _burn(spec, t, base.operation, log, now=now, opened=opened, day=length) for t in spec.tiers
    ]
    judged = [b for b in burns if b.judged]
    first = burns[0]
    if current is not None or any(b.compared >= b.threshold for b in judged):
        # The day's story is read where it is shown: in the message of a firing alert.
        day = budget_day(spec, operation=base.operation, log=log, now=now, tz=tz)
        base = replace(base, facts=day_facts(day))
    if not judged:
        if not all(b.covered for b in burns):
            return replace(base, status=EvalStatus.HELD, detail="polling gap in a short window")
        return replace(
            base,
            status=EvalStatus.QUIET,
            matched=first.matched,
            population=first.population,
            detail=f"volume guard: {first.population} calls < {first.tier.min_calls}",
        )
    burning = sorted(
        (b for b in judged if b.compared >= b.threshold), key=lambda b: -b.severity.rank
    )
    shown = burning[0] if burning else judged[0]
    what = (
        f"{shown.tier.name} tier: burn {shown.long_burn:.2f}x over "
        f"{format_duration(shown.tier.window)} (both windows {shown.compared:.2f}x) against "
        f"{shown.threshold:.2f}x for {shown.tier.spend:.0%} of a "
        f"{format_duration(length)} day"
    )
    evaluation = replace(
        base,
        value=shown.long_burn,
        compared=shown.compared,
        threshold=shown.threshold,
        matched=shown.matched,
        population=shown.population,
        recover=spec.recover if spec.recover is not None else shown.threshold,
    )
    kept = _kept_critical(spec, judged, burning, current)
    if kept is not None:
        return replace(
            evaluation,
            status=EvalStatus.BREACH if burning else EvalStatus.BAND,
            severity=Severity.CRITICAL,
            value=kept.long_burn,
            compared=kept.compared,
            threshold=kept.threshold,
            matched=kept.matched,
            population=kept.population,
            recover=spec.recover_critical,
            detail=f"{kept.tier.name} tier: burn {kept.compared:.2f}x under critical "
            f"{kept.threshold:.2f}x but critical until below {spec.recover_critical:g}x",
        )
    if burning:
        return replace(evaluation, status=EvalStatus.BREACH, severity=shown.severity, detail=what)
    if current is not None and spec.recover is not None:
        banding = [b for b in judged if b.compared >= spec.recover]
        if banding:
            return replace(
                evaluation,
                status=EvalStatus.BAND,
                severity=Severity.WARNING,
                detail=f"{what}; not yet below recover {spec.recover:g}x",
            )
    return replace(evaluation, status=EvalStatus.CLEAR, detail=what)


def _kept_critical(
    spec: RuleSpec, judged: list[_Burn], burning: list[_Burn], current: Severity | None
) -> _Burn | None:
    """The critical tier holding a critical alert critical (`recover_critical`), if any."""
    level = spec.recover_critical
    if current is not Severity.CRITICAL or level is None:
        return None
    if burning and burning[0].severity is Severity.CRITICAL:
        return None
    return next(
        (b for b in judged if b.severity is Severity.CRITICAL and b.compared >= level), None
    )
