"""The views of `/calls` replies and the Home tab, as plain data (built in replies_build.py).

`/calls last10`, status, alerts, rules, the Home tab, and the notices a command gets
instead when it cannot show data. The conventions of the package apply (see
bot/services/views/__init__.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.day_budget import DayBudget
from bot.services.views.alert import CallLine, Unit


class PollOutcome(StrEnum):
    """The outcome of an operation's last poll, as shown by `/calls status`."""

    OK = "ok"
    ERROR = "error"
    BUDGET_EXHAUSTED = "budget_exhausted"
    SKIPPED = "skipped"
    NEVER = "never"


class NoticeKind(StrEnum):
    """A short answer to a command that cannot show data (unknown name, no data yet...)."""

    UNKNOWN_OPERATION = "unknown_operation"
    AMBIGUOUS_OPERATION = "ambiguous_operation"
    UNKNOWN_RULE = "unknown_rule"
    WINDOW_NOT_COVERED = "window_not_covered"
    NO_DATA_YET = "no_data_yet"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class Share:
    """`matched` calls out of a `population` (abandons among inbound calls...)."""

    matched: int
    population: int

    @property
    def fraction(self) -> float | None:
        return self.matched / self.population if self.population > 0 else None


@dataclass(frozen=True, slots=True)
class StaleInfo:
    """The data is older than two poll periods: since when, and the last error if any.

    `last_error_kind` is the error's stable label (`token_rejected`...), which the
    renderer translates: the error's own text is written in English by the client.
    """

    since: datetime
    last_error: str | None = None
    last_error_kind: str | None = None


@dataclass(frozen=True, slots=True)
class PollHealth:
    """Whether an operation's data can be trusted, for the lines a reply adds under its
    view: `stale` when old, `never_succeeded` before a first successful poll, and the
    last poll's error (its English text and its stable `last_error_kind`)."""

    operation: str
    tz: str
    stale: StaleInfo | None = None
    never_succeeded: bool = False
    last_error: str | None = None
    last_error_kind: str | None = None


@dataclass(frozen=True, slots=True)
class Last10View:
    """`/calls last10`: the calls of one operation in a window ending at `as_of`.

    `type_filter` is None for all calls, `inbound`, `outbound` or a call type.
    `previous_total` is None when the log does not cover the previous window.
    `series` holds one count per minute, oldest first (None: no successful poll
    covered that minute, which is not the same as no calls).
    """

    operation: str
    window: timedelta
    as_of: datetime
    total: int
    by_result: tuple[tuple[str, int], ...] = ()
    by_type: tuple[tuple[str, int], ...] = ()
    abandon: Share | None = None
    network_failures: Share | None = None
    previous_total: int | None = None
    series: tuple[int | None, ...] = ()
    type_filter: str | None = None
    polled_ago: timedelta | None = None
    stale: StaleInfo | None = None
    recent: tuple[CallLine, ...] = ()
    tz: str = "UTC"


@dataclass(frozen=True, slots=True)
class OperationStatus:
    """One operation in `/calls status`. `calls_today` is the token's day so far (None:
    not known yet; a `limit` of 0: no budget is set, as in a backtest)."""

    operation: str
    last_poll_at: datetime | None
    outcome: str
    poll_every: timedelta
    duration_s: float | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    calls_today: DayBudget | None = None
    alerts_firing: int = 0
    silences_active: int = 0
    budget_days: tuple[BudgetDayLine, ...] = ()
    """Each budget rule's day so far (issue 16)."""


@dataclass(frozen=True, slots=True)
class BudgetDayLine:
    """A budget rule's day in `/calls status`: its `facts` as in `Evaluation.facts`."""

    rule: str
    measure_label: str
    facts: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class StatusView:
    as_of: datetime
    operations: tuple[OperationStatus, ...]
    tz: str = "UTC"


@dataclass(frozen=True, slots=True)
class AlertLine:
    """One firing or pending alert in `/calls alerts` and on the Home tab.

    `value` and `threshold` are in `unit` (a rate is a fraction, 0.184);
    `below` is set for rules that breach under their threshold. `compared` is the
    lower bound a rate with `confidence` was judged by (shown beside the raw rate).
    """

    rule: str
    operation: str
    state: str
    severity: str | None
    since: datetime
    value: float | None = None
    threshold: float | None = None
    unit: Unit = Unit.COUNT
    below: bool = False
    acked_by: str | None = None
    silenced_until: datetime | None = None
    compared: float | None = None
    quiet: bool = False
    outside_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class AlertsView:
    as_of: datetime
    lines: tuple[AlertLine, ...]
    tz: str = "UTC"


@dataclass(frozen=True, slots=True)
class RuleLine:
    """One rule for one operation in `/calls rules`: its value now and its thresholds."""

    rule: str
    kind: str
    operation: str
    state: str
    value: float | None = None
    unit: Unit = Unit.COUNT
    warning: float | None = None
    critical: float | None = None
    below: bool = False
    severity: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class RulesView:
    as_of: datetime
    lines: tuple[RuleLine, ...]
    tz: str = "UTC"


@dataclass(frozen=True, slots=True)
class SilenceLine:
    rule: str
    operation: str | None
    until: datetime
    by: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class HomeOperation:
    """One operation's panel on the Home tab."""

    operation: str
    last_poll_at: datetime | None
    outcome: str
    poll_every: timedelta
    total: int = 0
    by_result: tuple[tuple[str, int], ...] = ()
    series: tuple[int | None, ...] = ()
    last_error: str | None = None
    last_error_kind: str | None = None
    firing: tuple[AlertLine, ...] = ()
    silences: tuple[SilenceLine, ...] = ()


@dataclass(frozen=True, slots=True)
class HomeView:
    as_of: datetime
    operations: tuple[HomeOperation, ...]
    tz: str = "UTC"


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A short answer when a command cannot show data.

    `subject` is the name that was asked for (untrusted); `options` the names
    that would have worked; `covered` how far back the log goes for
    WINDOW_NOT_COVERED.
    """

    kind: NoticeKind
    subject: str = ""
    options: tuple[str, ...] = ()
    covered: timedelta | None = None
