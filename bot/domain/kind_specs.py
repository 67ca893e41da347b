"""Parameters of the two rule kinds that think in a supervisor's day (issue 16).

`budget` pages on the burn rate of a daily objective (SRE multiwindow, multi-burn-rate
alerting scaled to a business day); `expected` compares a window's count with what the
same slot usually brings (a seasonal Poisson expectation). They live apart from
`specs.py` so that module stays the shared vocabulary of every kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class BurnTier:
    """One burn-rate tier of a budget rule.

    It burns when both `window` and `short` spend the day's budget at a pace that would
    use `spend` of it within `window` (the short window makes the alert stop soon after
    the burning stops). `min_calls` is its volume guard: fewer calls than this in
    `among` over `window` and the tier does not judge.
    """

    name: str
    spend: float
    window: timedelta
    short: timedelta
    min_calls: int

    def burn_threshold(self, day: timedelta) -> float:
        """The burn rate (multiple of the sustainable pace) at which this tier fires on a
        business day of length `day`: 20% of a 10 h day in 1 h is a burn rate of 2."""
        return self.spend * (day / self.window)


FAST_TIER = BurnTier("fast", 0.2, timedelta(hours=1), timedelta(minutes=5), 30)
SLOW_TIER = BurnTier("slow", 0.5, timedelta(hours=4), timedelta(minutes=20), 60)
"""The defaults: 20% of the day's budget in 1 h (checked over 1 h and 5 min) pages at
critical; 50% in 4 h (over 4 h and 20 min) at warning."""


class Direction(StrEnum):
    DROP = "drop"
    SURGE = "surge"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Seasonal:
    """An `expected` rule's judgement.

    It fires when the window's count is less likely than `chance` under a Poisson
    law of the expected count, in `direction`, and differs from it by at least
    `min_difference` calls; it does not judge slots that usually bring fewer than
    `min_expected`. The expectation is the median of the same minute-of-week over the
    last `weeks` weeks when at least `min_samples` of them are covered, else of the same
    time on comparable days (weekdays with weekdays, Saturdays, Sundays).
    """

    direction: Direction = Direction.DROP
    chance: float = 1e-6
    min_difference: int = 10
    min_expected: float = 20.0
    weeks: int = 4
    min_samples: int = 3


class QueueMetric(StrEnum):
    """What a `queue` rule reads from Wolkvox's `skills` (issue 15)."""

    SERVICE_LEVEL = "service_level"
    """The share of calls answered within 20 seconds (`service_level_20seg`), as a fraction."""
    WAITING = "waiting"
    """Callers waiting in the queue now (`calls_in_queue_now`)."""
    ABANDON_RATE = "abandon_rate"
    """The share of the queue's inbound calls abandoned (`by_abandon`), as a fraction."""

    @property
    def low_is_worse(self) -> bool:
        """A service level alerts when it falls BELOW its thresholds; the others above."""
        return self is QueueMetric.SERVICE_LEVEL


class QueueScope(StrEnum):
    """How a `queue` rule reads its queues."""

    EACH = "each"
    """Each queue judged on its own; the rule's value is the worst queue's."""
    TOGETHER = "together"
    """The queues as one: waiting summed, rates weighted by each queue's inbound calls."""


@dataclass(frozen=True, slots=True)
class QueueJudge:
    """A `queue` rule's reading: `metric` over `queues` (names or ids, compared without
    regard to case; empty: every queue of the operation), `each` or `together`."""

    metric: QueueMetric
    queues: tuple[str, ...] = ()
    scope: QueueScope = QueueScope.EACH
