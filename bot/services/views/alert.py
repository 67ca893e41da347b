"""The views of an incident's living message, a storm's digest and a person's action on an
alert, as plain data (an incident's view is built in alert_build.py).

The value unit and the call lines here are shared with the replies' views. The
conventions of the package apply (see bot/services/views/__init__.py).
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


class AlertEvent(StrEnum):
    """Why the notifier writes a note in an incident's thread."""

    REMINDER = "reminder"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    RESOLVED = "resolved"
    RESOLVED_SILENCED = "resolved_silenced"


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
    facts: tuple[tuple[str, float], ...] = ()
    """A budget or expected rule's named numbers (see `Evaluation.facts`)."""
    subject: str = ""
    """A queue rule's queue (or named set) its value is about (`Evaluation.subject`)."""
    queue_metric: str = ""
    """A queue rule's metric: `service_level`, `waiting` or `abandon_rate`."""

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


class ActionKind(StrEnum):
    """What a person did (or tried to do) to an alert, for confirmations and thread notes."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    SILENCED = "silenced"
    UNSILENCED = "unsilenced"
    NOT_SILENCED = "not_silenced"
    NOT_FIRING = "not_firing"
    NOT_ALLOWED = "not_allowed"
    SILENCE_EXPIRED = "silence_expired"
    QUEUED = "queued"
    """Passed to the replica that polls the operation, which has not answered yet."""


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
