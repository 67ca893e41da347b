"""`/calls backtest <rule> [operation] [24h|7d] [key=value ...]`, parsed (issue 13).

Kept beside command_parser (which dispatches here) so the parser stays small; the
`Backtest` command itself is in command_types with the others. The rule
first, then in any order a period (1h to 35d, default 7d), candidate values as
`key=value` (`warning=10%`, `min_calls=30`, `for=3`), and an operation name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.domain.durations import format_duration, parse_duration
from bot.services.command_types import DEFAULT_BACKTEST_PERIOD, Backtest, Usage, UsageReason

MIN_PERIOD: Final = timedelta(hours=1)
MAX_PERIOD: Final = timedelta(days=35)
EXAMPLE: Final = "/calls backtest abandon-rate 7d"


def parse_backtest(args: list[str], public: bool) -> Backtest | Usage:
    """The words after `backtest`; a `Usage` says what is wrong."""
    if not args:
        return Usage(UsageReason.MISSING_RULE, example=EXAMPLE)
    window = DEFAULT_BACKTEST_PERIOD
    operation: str | None = None
    changes: list[tuple[str, str]] = []
    for word in args[1:]:
        key, eq, value = word.partition("=")
        period = _period(word) if not eq else None
        if eq and key and value:
            changes.append((key.casefold(), value))
        elif period is not None:
            if not MIN_PERIOD <= period <= MAX_PERIOD:
                return Usage(UsageReason.BAD_WINDOW, word, limit=format_duration(MAX_PERIOD))
            window = period
        elif operation is None and not eq:
            operation = word
        else:
            return Usage(UsageReason.UNEXPECTED, word)
    return Backtest(args[0], operation, window, tuple(changes), public)


def _period(word: str) -> timedelta | None:
    try:
        return parse_duration(word)
    except (ValueError, OverflowError):
        return None
