"""The `/calls` commands as typed values: what the parser returns and the use cases take.

A command names operations and rules as the person typed them (the command service
resolves them against the configuration); `public` asks for an answer the whole channel
sees. Text that is not a command becomes a `Usage`, which says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum
from typing import Final

DEFAULT_WINDOW: Final = timedelta(minutes=10)
DEFAULT_HISTORY: Final = timedelta(hours=24)
DEFAULT_BACKTEST_PERIOD: Final = timedelta(days=7)


class UsageReason(StrEnum):
    UNKNOWN_COMMAND = "unknown_command"
    MISSING_RULE = "missing_rule"
    MISSING_DURATION = "missing_duration"
    BAD_DURATION = "bad_duration"
    DURATION_TOO_LONG = "duration_too_long"
    BAD_WINDOW = "bad_window"
    BAD_TIME = "bad_time"
    UNEXPECTED = "unexpected"
    TOO_LONG = "too_long"
    BAD_PERIOD = "bad_period"


@dataclass(frozen=True, slots=True)
class Usage:
    """Why the text is not a command: `word` is the offending token (raw, untrusted),
    `example` a command that would work, `limit` a bound that was passed."""

    reason: UsageReason
    word: str = ""
    example: str = ""
    limit: str = ""


@dataclass(frozen=True, slots=True)
class Help:
    public: bool = False


@dataclass(frozen=True, slots=True)
class Last10:
    """Calls in the last `window`. `call_type` is None, `inbound`, `outbound` or a call type."""

    window: timedelta = DEFAULT_WINDOW
    call_type: str | None = None
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Status:
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Alerts:
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Rules:
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Silence:
    """Silence `rule` for `duration`, or until the next `until` (operation's local time)."""

    rule: str
    duration: timedelta | None = None
    until: time | None = None
    reason: str = ""
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Unsilence:
    rule: str
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Ack:
    rule: str
    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class History:
    """What happened in the last `period`: incidents, acknowledgements and silences."""

    rule: str | None = None
    operation: str | None = None
    period: timedelta = DEFAULT_HISTORY
    public: bool = False


@dataclass(frozen=True, slots=True)
class Queues:
    """Every queue of the operation(s) now: waiting, abandon %, service level."""

    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Agents:
    """The operation(s)' agents by state."""

    operation: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Backtest:
    """Replay the stored history over `window` with `rule` as configured, or with the
    candidate values of `changes` (`(key, value)` as typed: `warning`, `10%`)."""

    rule: str
    operation: str | None = None
    window: timedelta = DEFAULT_BACKTEST_PERIOD
    changes: tuple[tuple[str, str], ...] = ()
    public: bool = False


Command = (
    Help
    | Last10
    | Status
    | Alerts
    | Rules
    | Silence
    | Unsilence
    | Ack
    | History
    | Queues
    | Agents
    | Backtest
)
