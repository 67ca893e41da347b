"""View models: what a person is about to see, as plain data.

The command service and the notifier fill these from the domain; the Slack
renderer (bot.adapters.slack.blocks) and the console renderer consume them.
They hold no Slack types and no domain objects, so rendering can change
without touching the domain and the domain can change without breaking the
renderer. All datetimes are aware UTC; `tz` names the operation's timezone in
which times are shown. Strings that came from Wolkvox or from people are kept
raw here: escaping and masking are the renderer's job.

Values are plain strings where a domain enum exists (severity `warning` |
`critical`, states, call types and results): any `StrEnum` member fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Unit(StrEnum):
    """How a rule's value reads: a count of calls, a rate (a fraction shown as %),
    a ratio to a baseline (shown as 2.3 times), or an age in seconds (the built-in
    `wolkvox-unavailable`: "no data for 15 min; critical after 10 min")."""

    COUNT = "count"
    RATE = "rate"
    RATIO = "ratio"
    AGE = "age"


class PollOutcome(StrEnum):
    """The outcome of an operation's last poll, as shown by `/calls status`."""

    OK = "ok"
    ERROR = "error"
    BUDGET_EXHAUSTED = "budget_exhausted"
    SKIPPED = "skipped"
    NEVER = "never"


class AlertEvent(StrEnum):
    """Why the notifier writes a note in an incident's thread."""

    REMINDER = "reminder"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    RESOLVED = "resolved"
    RESOLVED_SILENCED = "resolved_silenced"


class ActionKind(StrEnum):
    """What a person did (or tried to do) to an alert, for confirmations and thread notes."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    SILENCED = "silenced"
    UNSILENCED = "unsilenced"
    NOT_SILENCED = "not_silenced"
    NOT_FIRING = "not_firing"
    NOT_ALLOWED = "not_allowed"


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
class CallLine:
    """One call shown individually. `telephone` and `customer_id` are personal data:
    the renderer masks them unless told otherwise."""

    at: datetime
    call_type: str
    result: str
    telephone: str = ""
    customer_id: str = ""


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
    """One operation in `/calls status`. `daily_limit` None means no budget is set."""

    operation: str
    last_poll_at: datetime | None
    outcome: str
    poll_every: timedelta
    duration_s: float | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    calls_used_today: int = 0
    daily_limit: int | None = None
    alerts_firing: int = 0
    silences_active: int = 0


@dataclass(frozen=True, slots=True)
class StatusView:
    as_of: datetime
    operations: tuple[OperationStatus, ...]
    tz: str = "UTC"


@dataclass(frozen=True, slots=True)
class QuietView:
    """Why a firing alert cannot be judged now, and since when: `status` is `quiet`
    (too few calls, no calls, the window still opening, no baseline) or `held` (data
    on hold). The counts are those of the evaluation that could not judge."""

    status: str
    since: datetime
    matched: int | None = None
    population: int | None = None
    coverage: float | None = None
    opened_at: datetime | None = None


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
class AlertMessageView:
    """The one living message of an incident, in its firing or resolved state.

    `population_label` names what the population counts: "" for all calls,
    `inbound`, `outbound` or a call type. `measure_label` names what is
    measured (`abandon`, a result or a rule's own words); empty to leave it out.
    `below` is set for rules that breach when the value falls under the
    threshold (no inbound calls). `mention` is the rule's `mention:` (a user
    id, a user group id or `here`); the notifier sets it only when this post
    should ping (first post or escalation to critical). `series` holds the last
    hour per minute, oldest first, None for a minute no successful poll covered.
    `peak_*` describe the worst point of the incident, shown once it resolves.

    The evaluation's numbers are kept apart so that the renderer can say in the
    reader's language why the alert reads as it does: `status` (an `EvalStatus`),
    `compared` (the Wilson lower bound of a rate with `confidence`), `recover`,
    `min_calls`, and `coverage` (the covered fraction of the window when a
    polling gap holds the rule). For the built-in `unavailable` rule (`rule_kind`)
    `value` and `threshold` are ages in seconds, `failures` counts failed polls in
    a row (None when not known) and `error` / `error_kind` name the last error.
    `detail` is the domain's English explanation, for logs only.

    `recover` is the level the value must fall below to leave the severity shown
    (or to resolve). `quiet` says why the alert cannot be judged now (it keeps
    firing); `outside_since` when the rule's active hours ended (the alert is
    muted); `clears` of `needed` evaluations below recover resolve it;
    `resolution` (`recovered` or `quiet`) how a resolved incident ended;
    `opened_at` where the window was clipped to the opening of the active period.
    """

    incident_id: str
    rule: str
    operation: str
    state: str
    severity: str
    since: datetime
    as_of: datetime
    value: float | None = None
    threshold: float | None = None
    unit: Unit = Unit.COUNT
    below: bool = False
    matched: int | None = None
    population: int | None = None
    population_label: str = ""
    measure_label: str = ""
    window: timedelta | None = None
    baseline: float | None = None
    breakdown: tuple[tuple[str, int], ...] = ()
    series: tuple[int | None, ...] = ()
    detail: str = ""
    description: str = ""
    rule_kind: str = ""
    status: str = ""
    compared: float | None = None
    confidence: float | None = None
    recover: float | None = None
    min_calls: int = 0
    coverage: float | None = None
    failures: int | None = None
    error: str | None = None
    error_kind: str | None = None
    resolved_at: datetime | None = None
    peak_value: float | None = None
    peak_severity: str | None = None
    acked_by: str | None = None
    acked_at: datetime | None = None
    silenced_until: datetime | None = None
    silenced_by: str | None = None
    mention: str | None = None
    channel: str | None = None
    recent: tuple[CallLine, ...] = ()
    tz: str = "UTC"
    quiet: QuietView | None = None
    outside_since: datetime | None = None
    clears: int = 0
    needed: int = 1
    resolution: str | None = None
    opened_at: datetime | None = None

    @property
    def resolved(self) -> bool:
        return self.state == "resolved"


@dataclass(frozen=True, slots=True)
class RemovedRuleView:
    """A posted incident whose rule (or operation) left the configuration, found at start.

    No poll will ever update its message again and its buttons would only answer
    "unknown rule", so the message is closed for good: `since` is when it fired,
    `as_of` when the bot noticed, `severity` the last one shown.
    """

    incident_id: str
    rule: str
    operation: str
    severity: str
    since: datetime
    as_of: datetime
    tz: str = "UTC"


@dataclass(frozen=True, slots=True)
class DigestView:
    """One message standing for many incidents of a channel (an alert storm).

    `members` are the incidents' own views, in the order they joined; the renderer
    shows one line each. `mentions` are the rules' `mention:` values to ping once,
    set only when the digest is first posted and one of its incidents is critical.
    """

    digest_id: str
    opened_at: datetime
    as_of: datetime
    members: tuple[AlertMessageView, ...]
    mentions: tuple[str, ...] = ()
    tz: str = "UTC"

    @property
    def firing(self) -> int:
        return sum(1 for m in self.members if not m.resolved)

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.operation for m in self.members))


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
class ActionResultView:
    """Who did what to which alert: an ephemeral confirmation or a thread note.

    `actor` is a Slack user id. `until` is set for silences; `reason` is the
    person's own words (untrusted).
    """

    kind: ActionKind
    actor: str
    rule: str
    operation: str | None = None
    at: datetime | None = None
    until: datetime | None = None
    reason: str = ""
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
