"""The built-in `wolkvox-unavailable` rule: the age of an operation's data.

Its value is an age in seconds, never a count: it reads "no data for 15 min;
critical after 10 min" wherever it is shown.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.durations import format_duration
from bot.domain.specs import (
    WOLKVOX_UNAVAILABLE,
    EvalStatus,
    Evaluation,
    RuleKind,
    RuleSpec,
    Severity,
)


def unavailable_rule(
    *,
    repeat: timedelta | None = timedelta(minutes=30),
    channel: str | None = None,
    mention: str | None = None,
) -> RuleSpec:
    """The built-in `wolkvox-unavailable` rule that every operation carries."""
    return RuleSpec(
        name=WOLKVOX_UNAVAILABLE,
        kind=RuleKind.UNAVAILABLE,
        severity=Severity.CRITICAL,
        repeat=repeat,
        channel=channel,
        mention=mention,
        description="Wolkvox cannot be polled or its data is stale; other rules are held",
    )


def evaluate_unavailable(
    operation: str,
    *,
    now: datetime,
    last_success: datetime | None,
    last_error: str | None,
    consecutive_failures: int,
    poll_every: timedelta,
) -> Evaluation:
    """BREACH (critical) once data is stale for two poll periods, naming the error.

    One failed poll is a blip that the next poll's 10-minute window repairs;
    two periods without data means the bot cannot see the operation.
    `value` is the age of the data in seconds (None if never polled).
    """
    limit = 2 * poll_every
    age = None if last_success is None else now - last_success
    stale = consecutive_failures >= 2 if age is None else age > limit
    failures = f"{consecutive_failures} failed poll{'s' if consecutive_failures != 1 else ''}"
    base = Evaluation(
        WOLKVOX_UNAVAILABLE,
        operation,
        EvalStatus.CLEAR,
        value=None if age is None else age.total_seconds(),
        threshold=limit.total_seconds(),
    )
    if not stale:
        if age is None:
            seen = "no successful poll yet"
        else:
            seen = f"last successful poll {format_duration(age)} ago"
        detail = seen if not consecutive_failures else f"{seen}; {failures}, retrying"
        return replace(base, detail=detail)
    seen = "never reached Wolkvox" if age is None else f"no data for {format_duration(age)}"
    detail = f"{seen} ({failures} in a row)"
    if last_error:
        detail += f": {last_error}"
    return replace(base, status=EvalStatus.BREACH, severity=Severity.CRITICAL, detail=detail)
