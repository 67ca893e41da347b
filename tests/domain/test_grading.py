"""Severity hysteresis, once for both directions: a service level falling is graded as a
rate climbing, mirrored."""

from __future__ import annotations

import pytest

from bot.domain.grading import Grade, grade
from bot.domain.specs import EvalStatus, Severity

BREACH, BAND, CLEAR = EvalStatus.BREACH, EvalStatus.BAND, EvalStatus.CLEAR
WARN, CRIT = Severity.WARNING, Severity.CRITICAL

HIGH = ((CRIT, 0.30), (WARN, 0.20))
"""An abandon rate: warning at 20%, critical at 30%, critical until below 25%, recover 15%."""


@pytest.mark.parametrize(
    ("value", "current", "expected"),
    [
        (0.35, None, Grade(BREACH, CRIT, 0.30, 0.25)),
        (0.22, None, Grade(BREACH, WARN, 0.20, 0.15)),
        (0.27, CRIT, Grade(BREACH, CRIT, 0.30, 0.25, kept=True)),
        (0.27, WARN, Grade(BREACH, WARN, 0.20, 0.15)),
        (0.18, WARN, Grade(BAND, WARN, 0.20, 0.15)),
        (0.18, None, Grade(CLEAR, WARN, 0.20, 0.15)),
        (0.10, WARN, Grade(CLEAR, WARN, 0.20, 0.15)),
    ],
)
def test_both_directions_grade_alike(
    value: float, current: Severity | None, expected: Grade
) -> None:
    assert grade(value, HIGH, current=current, recover=0.15, critical_recovery=0.25) == expected
    mirrored = tuple((s, 1 - t) for s, t in HIGH)
    low = grade(
        1 - value,
        mirrored,
        current=current,
        recover=0.85,
        critical_recovery=0.75,
        low_is_worse=True,
    )
    assert (low.status, low.severity, low.kept) == (
        expected.status,
        expected.severity,
        expected.kept,
    )
    assert (low.threshold, low.recover) == pytest.approx(
        (1 - expected.threshold, 1 - expected.recover)
    )


def test_a_kept_critical_below_every_threshold_is_band_until_its_recovery() -> None:
    only = ((CRIT, 0.30),)
    kept = grade(0.27, only, current=CRIT, recover=None, critical_recovery=0.25)
    assert kept == Grade(BAND, CRIT, 0.30, 0.25, kept=True)
    recovering = grade(0.24, only, current=CRIT, recover=0.20, critical_recovery=0.25)
    assert recovering == Grade(BAND, CRIT, 0.30, 0.20)
    assert grade(0.24, only, current=CRIT, recover=None, critical_recovery=0.25).status is CLEAR
