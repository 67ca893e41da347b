"""The vocabulary of the alert lifecycle: states, reasons, what to do with the message,
the state of one (rule, operation) and a decision. The transitions are in alerts.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bot.domain.silences import Acknowledgement, Silence
from bot.domain.specs import Evaluation, Severity


class AlertState(StrEnum):
    INACTIVE = "inactive"
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


class Reason(StrEnum):
    """Why a decision was taken; logged and shown, so every value reads as English."""

    FIRST = "first"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    UPDATED = "updated"
    REMINDER = "reminder"
    RESOLVED = "resolved"
    RESOLVED_SILENCED = "resolved_silenced"
    RESOLVED_MUTED = "resolved_muted"
    SILENCED = "silenced"
    UNSILENCED = "unsilenced"
    HELD = "held"
    QUIET = "quiet"
    MUTED = "muted"
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"
    NONE = "none"


class Resolution(StrEnum):
    """How an incident ended: its value recovered, or nothing could be judged for
    the rule's `resolve_when_quiet`."""

    RECOVERED = "recovered"
    QUIET = "quiet"


class Notify(StrEnum):
    """What to do with the incident's one living message (the adapter keeps its channel/ts)."""

    NONE = "none"
    POST = "post"
    UPDATE = "update"
    THREAD = "thread"
    UPDATE_AND_THREAD = "update_and_thread"

    @property
    def edits(self) -> bool:
        return self in (Notify.UPDATE, Notify.UPDATE_AND_THREAD)

    @property
    def replies(self) -> bool:
        return self in (Notify.THREAD, Notify.UPDATE_AND_THREAD)

    def quiet(self) -> Notify:
        """What a silence (or closed active hours) leaves of this notification: the edit."""
        return Notify.UPDATE if self.edits else Notify.NONE


def incident_id(rule: str, operation: str, fired_at: datetime) -> str:
    """`abandon-rate:bogota:20261124T143205`: deterministic, so retries and restarts
    agree on which living message an incident owns."""
    stamp = fired_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{rule}:{operation}:{stamp}"


@dataclass(frozen=True, slots=True)
class Alert:
    """The state of one (rule, operation). Incident fields describe the current or the
    last incident, so a resolved message can show its duration and peak.

    `posted` says whether the incident's message exists (a silence may have kept it
    from being posted); `silenced` whether a silence applied at the last step.

    While firing: `last_evaluation` is the last evaluation that judged the value
    (BREACH, BAND or CLEAR), so the message keeps its numbers; `quiet` is the latest
    one that could not judge (QUIET or HELD; None once judged again), `quiet_since`
    when the run of QUIET evaluations began (HELD restarts it); `clears` counts
    consecutive evaluations below `recover`; `muted_since` is when the active hours
    ended (None inside them); `pinged` says the rule's mention was sent and not
    re-armed by a value below warning. `resolution` says how the incident ended.
    """

    rule: str
    operation: str
    state: AlertState = AlertState.INACTIVE
    severity: Severity | None = None
    incident_id: str | None = None
    pending_since: datetime | None = None
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    last_notified_at: datetime | None = None
    breaches: int = 0
    last_evaluation: Evaluation | None = None
    peak_value: float | None = None
    peak_severity: Severity | None = None
    acked_by: str | None = None
    acked_at: datetime | None = None
    silenced: bool = False
    posted: bool = False
    clears: int = 0
    quiet: Evaluation | None = None
    quiet_since: datetime | None = None
    muted_since: datetime | None = None
    pinged: bool = False
    resolution: Resolution | None = None

    @classmethod
    def new(cls, rule: str, operation: str) -> Alert:
        return cls(rule=rule, operation=operation)

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.operation)

    @property
    def firing(self) -> bool:
        return self.state is AlertState.FIRING

    @property
    def acknowledgement(self) -> Acknowledgement | None:
        if self.incident_id is None or self.acked_by is None or self.acked_at is None:
            return None
        return Acknowledgement(incident_id=self.incident_id, by=self.acked_by, at=self.acked_at)


@dataclass(frozen=True, slots=True)
class Decision:
    """The new state and what, if anything, Slack should see, with the reason.

    `mention` asks the adapter to add the rule's `mention` text; `silence` is the
    silence that shaped the decision, if any, so the message can say until when.
    """

    alert: Alert
    reason: Reason
    notify: Notify = Notify.NONE
    mention: bool = False
    detail: str = ""
    silence: Silence | None = None
