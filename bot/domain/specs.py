"""Rule specifications and the evaluations they produce: the vocabulary shared by
configuration (which builds specs), rules (which evaluate them) and alerts
(which step states from evaluations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from bot.domain.schedule import ActiveHours

WOLKVOX_UNAVAILABLE = "wolkvox-unavailable"
"""Name of the built-in rule that fires when an operation cannot be seen."""


class RuleKind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    SPIKE = "spike"
    FLATLINE = "flatline"
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
    for_: int = 1
    repeat: timedelta | None = None
    active: ActiveHours | None = None
    channel: str | None = None
    mention: str | None = None
    confidence: float | None = None
    baseline: timedelta | None = None
    factor: float | None = None
    measure: Measure = Measure.COUNT
    below: int | None = None
    severity: Severity = Severity.WARNING
    description: str = ""

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations


class EvalStatus(StrEnum):
    """How an evaluation bears on the alert state.

    BREACH: at or past a threshold (severity set). BAND: between the recover
    level and the lowest threshold (hysteresis: keep the current state).
    CLEAR: past the recover level. QUIET: not evaluable by design (volume
    guard, outside active hours, baseline not yet covered). HELD: the data
    cannot be trusted (Wolkvox unavailable, a polling gap): neither fire nor
    resolve.
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
