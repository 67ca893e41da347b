"""Rule specifications and the evaluations they produce: the vocabulary shared by
configuration (which builds specs), rules (which evaluate them) and alerts
(which step states from evaluations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.calendar import Calendar
from bot.domain.kind_specs import BurnTier, QueueJudge, Seasonal

WOLKVOX_UNAVAILABLE = "wolkvox-unavailable"
"""Name of the built-in rule that fires when an operation cannot be seen."""

DEFAULT_RESOLVE_WHEN_QUIET = timedelta(minutes=30)
"""How long a firing alert may go without a judgeable evaluation before it resolves."""


class RuleKind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    SPIKE = "spike"
    FLATLINE = "flatline"
    BUDGET = "budget"
    EXPECTED = "expected"
    QUEUE = "queue"
    UNAVAILABLE = "unavailable"


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return 1 if self is Severity.WARNING else 2


class Measure(StrEnum):
    """What a spike compares with its baseline."""

    COUNT = "count"
    RATE = "rate"


@dataclass(frozen=True, slots=True)
class CallFilter:
    """Which calls a rule looks at. An empty set means 'any'.

    Values are canonical (see bot.domain.calls.expand_types / expand_results).
    """

    types: frozenset[str] = frozenset()
    results: frozenset[str] = frozenset()

    def accepts(self, call_type: str, result: str) -> bool:
        return (not self.types or call_type in self.types) and (
            not self.results or result in self.results
        )


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One alert rule as configured (see README: "Rules").

    Thresholds are compared with the rule's value: a count for `count`, a
    fraction for `rate`, a ratio to the baseline for `spike`. For `flatline`
    the rule breaches when fewer than `below` matching calls arrive in the
    window, and resolves once at least `recover` (default `below`) do.

    `recover_critical` is the severity hysteresis: a critical alert stays critical
    until its value falls below it (default: the warning threshold). `active` is
    the rule's calendar (ranges and, once `settings.rules_for` applied them, its
    operation's holidays unless `on_holidays`).

    A `budget` rule has an `objective` (the share of `match` among `among` allowed over
    the business day) and burn-rate `tiers`; an `expected` rule has its `seasonal`
    parameters; a `queue` rule judges a `skills` metric of its queues (`queue`,
    see bot.domain.kind_specs), with `min_calls` on each queue's inbound count.
    """

    name: str
    kind: RuleKind
    match: CallFilter = field(default_factory=CallFilter)
    among: CallFilter = field(default_factory=CallFilter)
    window: timedelta = timedelta(minutes=10)
    operations: frozenset[str] | None = None
    min_calls: int = 0
    warning: float | None = None
    critical: float | None = None
    recover: float | None = None
    recover_critical: float | None = None
    for_: int = 1
    repeat: timedelta | None = None
    active: Calendar | None = None
    on_holidays: bool = False
    resolve_when_quiet: timedelta = DEFAULT_RESOLVE_WHEN_QUIET
    channel: str | None = None
    mention: str | None = None
    confidence: float | None = None
    baseline: timedelta | None = None
    factor: float | None = None
    measure: Measure = Measure.COUNT
    below: int | None = None
    severity: Severity = Severity.WARNING
    description: str = ""
    objective: float | None = None
    tiers: tuple[BurnTier, ...] = ()
    seasonal: Seasonal | None = None
    queue: QueueJudge | None = None
    opt_in: bool = False

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations

    @property
    def critical_recovery(self) -> float | None:
        """Below this a critical alert of a count or rate rule is no longer critical:
        `recover_critical`, else the warning threshold. None without both levels."""
        if self.critical is None or self.warning is None:
            return None
        return self.recover_critical if self.recover_critical is not None else self.warning


class EvalStatus(StrEnum):
    """How an evaluation bears on the alert state.

    BREACH: at or past a threshold (severity set). BAND: between the recover
    level and the lowest threshold (hysteresis: keep firing, at `severity`).
    CLEAR: past the recover level. QUIET: cannot judge (volume guard, outside
    active hours for an alert that is not firing, the window not yet complete
    since opening, baseline not yet covered). HELD: the data cannot be trusted
    (Wolkvox unavailable, a polling gap). Neither QUIET nor HELD resolves a
    firing alert (see bot.domain.alerts).
    """

    BREACH = "breach"
    BAND = "band"
    CLEAR = "clear"
    QUIET = "quiet"
    HELD = "held"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of evaluating one rule for one operation at one `now`.

    `value` is what people read (a count, a raw rate, a ratio to the baseline).
    `compared` is what was held against `threshold`: the same as `value`
    except for a rate rule with `confidence`, where it is the Wilson lower
    bound of the rate (so 3 abandons out of 12 do not prove 15%).

    `severity` and `threshold` go together: the threshold shown is the one of the
    severity shown, also when hysteresis keeps an alert critical below its critical
    threshold. `recover` is the level `compared` must fall below to leave that
    severity (or, once below every threshold, to resolve). `outside_since` is set
    when the rule is outside its active hours (when they ended): a firing alert is
    still judged then, so it can resolve, but it is muted. `opened_at` is set when
    the window was clipped to the start of the active period. `facts` are named
    numbers a `budget` or `expected` rule explains itself with (the day so far, its
    projection, the usual count of the slot), so a renderer can say it in any language.
    `subject` is what a `queue` rule's value is about: the queue (or named set of
    queues) it was read on, as the operation names it.
    """

    rule: str
    operation: str
    status: EvalStatus
    severity: Severity | None = None
    value: float | None = None
    threshold: float | None = None
    matched: int | None = None
    population: int | None = None
    baseline: float | None = None
    detail: str = ""
    breakdown: tuple[tuple[str, int], ...] = ()
    compared: float | None = None
    recover: float | None = None
    outside_since: datetime | None = None
    opened_at: datetime | None = None
    facts: tuple[tuple[str, float], ...] = ()
    subject: str = ""
