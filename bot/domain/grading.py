"""Severity hysteresis: where a value stands against a rule's thresholds, in either direction.

Count, rate and spike rules page when a value climbs; a queue's service level pages when it
falls. Both follow the same rules, written once here so they cannot drift apart: BREACH at
the most severe threshold reached; a critical alert stays critical until the value is past
its critical recovery level (it does not flap down to warning on the way out); past every
threshold, a firing alert is BAND until past `recover` (default: the lowest threshold);
else CLEAR. The words of the detail stay with each kind (`Grade.kept` says which sentence).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain.specs import EvalStatus, Evaluation, Severity

__all__ = ["Grade", "grade"]


@dataclass(frozen=True, slots=True)
class Grade:
    """The verdict of `grade`. `severity` and `threshold` are the level the value is judged
    against (the lowest one when CLEAR), `recover` the level that leaves it; `kept` is
    True when a critical alert is held at critical by its recovery level."""

    status: EvalStatus
    severity: Severity
    threshold: float
    recover: float
    kept: bool = False

    def applied(self, evaluation: Evaluation, detail: str) -> Evaluation:
        """`evaluation` with this grade and `detail`; a CLEAR one keeps its severity."""
        severity = evaluation.severity if self.status is EvalStatus.CLEAR else self.severity
        return replace(
            evaluation,
            status=self.status,
            severity=severity,
            threshold=self.threshold,
            recover=self.recover,
            detail=detail,
        )


def grade(
    value: float,
    levels: tuple[tuple[Severity, float], ...],
    *,
    current: Severity | None,
    recover: float | None,
    critical_recovery: float | None,
    low_is_worse: bool = False,
) -> Grade:
    """Grade `value` against `levels` (most severe first, at least one) for an alert now at
    `current` (None: not firing). With `low_is_worse` a level is reached at or below it."""

    def reached(level: float) -> bool:
        return value <= level if low_is_worse else value >= level

    lowest_severity, lowest = levels[-1]
    leave = recover if recover is not None else lowest
    critical = dict(levels).get(Severity.CRITICAL)
    hit = next(((s, t) for s, t in levels if reached(t)), None)
    if (
        current is Severity.CRITICAL
        and critical is not None
        and critical_recovery is not None
        and reached(critical_recovery)
        and (hit is None or hit[0] is not Severity.CRITICAL)
    ):
        status = EvalStatus.BREACH if hit is not None else EvalStatus.BAND
        return Grade(status, Severity.CRITICAL, critical, critical_recovery, kept=True)
    if hit is not None:
        severity, threshold = hit
        out = critical_recovery if severity is Severity.CRITICAL else None
        return Grade(EvalStatus.BREACH, severity, threshold, out if out is not None else leave)
    if current is not None and reached(leave):
        return Grade(EvalStatus.BAND, lowest_severity, lowest, leave)
    return Grade(EvalStatus.CLEAR, lowest_severity, lowest, leave)
