"""The alert lifecycle: one state per (rule, operation), stepped by evaluations.

As in Alertmanager, deciding whether to notify is a pure function of the
previous state, the evaluation, the silence in force and `now`. It returns the
new state and a Decision that says how Slack should hear about it (a new
message, an edit of the incident's living message, a thread reply) and why.
Adapters carry decisions out; nothing here sends, logs or sleeps.

Rules of the table (see `step`):

- HELD data (Wolkvox unavailable, a polling gap) changes nothing, in any state.
- A breach must last `for_` consecutive evaluations before it fires; anything
  but a breach while pending resets it.
- While firing: a breach or a BAND value keeps it firing; CLEAR or QUIET resolves.
- A silence never stops the state from advancing; it only removes the noisy part
  of a notification (new message, thread reply, mention). Edits in place stay, so
  a message already posted is still brought to its resolved state. An incident
  silenced before its first post posts nothing; if it is still firing when the
  silence ends, it is posted then (reason FIRST).
- Acknowledged incidents get no reminders but still update, escalate and resolve.
- A fire after a resolution is a new incident with a new incident_id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from bot.domain.silences import Acknowledgement, Silence
from bot.domain.specs import EvalStatus, Evaluation, RuleKind, RuleSpec, Severity


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
    SILENCED = "silenced"
    UNSILENCED = "unsilenced"
    HELD = "held"
    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"
    NONE = "none"


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
        """What a silence leaves of this notification: only the edit in place."""
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


def step(
    previous: Alert,
    evaluation: Evaluation,
    spec: RuleSpec,
    *,
    silence: Silence | None,
    now: datetime,
) -> Decision:
    """Advance one alert by one evaluation. `silence` is the one the caller found for
    this (rule, operation); it counts only if it matches at `now`."""
    _check(previous, evaluation, spec, now)
    if evaluation.status is EvalStatus.HELD:
        why = evaluation.detail or "data cannot be trusted"
        return Decision(previous, Reason.HELD, detail=f"held ({why}): {previous.state} kept")
    applies = (
        silence if silence and silence.matches(previous.rule, previous.operation, now) else None
    )
    if previous.state is AlertState.FIRING:
        return _step_firing(previous, evaluation, spec, applies, now)
    if previous.state is AlertState.PENDING:
        return _step_pending(previous, evaluation, spec, applies, now)
    return _step_idle(previous, evaluation, spec, applies, now)


def acknowledge(alert: Alert, *, by: str, now: datetime, incident: str | None = None) -> Decision:
    """Record who owns the firing incident. Idempotent: a second acknowledgement, by
    anyone, changes nothing. `incident` (from a button) guards against acknowledging
    a newer incident from an older message."""
    if alert.state is not AlertState.FIRING:
        return Decision(
            alert, Reason.REFUSED, detail=f"{_name(alert)} is {alert.state}, not firing"
        )
    if incident is not None and incident != alert.incident_id:
        return Decision(
            alert, Reason.REFUSED, detail=f"incident {incident} is over; {alert.incident_id} fires"
        )
    if alert.acked_by is not None:
        return Decision(alert, Reason.NONE, detail=f"already acknowledged by {alert.acked_by}")
    acked = replace(alert, acked_by=by, acked_at=now)
    notify = Notify.UPDATE_AND_THREAD if alert.posted else Notify.NONE
    return Decision(acked, Reason.ACKNOWLEDGED, notify, detail=f"acknowledged by {by}")


def silence_applied(alert: Alert, silence: Silence, *, now: datetime) -> Decision:
    """A silence was just added: a posted, firing incident shows it and records it in
    its thread; anything else only remembers it."""
    if not silence.matches(alert.rule, alert.operation, now):
        raise ValueError(f"silence {silence.id} does not mute {_name(alert)} at {now.isoformat()}")
    muted = replace(alert, silenced=True)
    if alert.state is AlertState.FIRING and alert.posted:
        return Decision(
            muted,
            Reason.SILENCED,
            Notify.UPDATE_AND_THREAD,
            detail=_until(silence),
            silence=silence,
        )
    return Decision(
        muted, Reason.NONE, detail=f"nothing posted; {_until(silence)}", silence=silence
    )


def silence_lifted(alert: Alert, *, remaining: Silence | None, now: datetime) -> Decision:
    """A silence was lifted early. If another one still mutes the alert, nothing changes.
    An incident never posted is posted by the next `step`, which knows the rule's spec."""
    if remaining is not None and remaining.matches(alert.rule, alert.operation, now):
        return Decision(alert, Reason.NONE, detail=f"still {_until(remaining)}", silence=remaining)
    heard = replace(alert, silenced=False)
    if alert.state is AlertState.FIRING and alert.posted:
        return Decision(heard, Reason.UNSILENCED, Notify.UPDATE_AND_THREAD, detail="silence lifted")
    return Decision(heard, Reason.NONE, detail="silence lifted; nothing posted yet")


def _step_idle(
    previous: Alert, evaluation: Evaluation, spec: RuleSpec, silence: Silence | None, now: datetime
) -> Decision:
    if evaluation.status is not EvalStatus.BREACH:
        kept = replace(previous, last_evaluation=evaluation, silenced=silence is not None)
        return Decision(kept, Reason.NONE, detail=f"{previous.state}; {evaluation.status}")
    candidate = replace(
        Alert.new(previous.rule, previous.operation),
        state=AlertState.PENDING,
        severity=_severity(evaluation, spec),
        pending_since=now,
        breaches=1,
        last_evaluation=evaluation,
        silenced=silence is not None,
    )
    return _pending_or_fire(candidate, evaluation, spec, silence, now)


def _step_pending(
    previous: Alert, evaluation: Evaluation, spec: RuleSpec, silence: Silence | None, now: datetime
) -> Decision:
    if evaluation.status is not EvalStatus.BREACH:
        reset = replace(
            Alert.new(previous.rule, previous.operation),
            last_evaluation=evaluation,
            silenced=silence is not None,
        )
        return Decision(reset, Reason.NONE, detail=f"pending reset ({evaluation.status})")
    candidate = replace(
        previous,
        severity=_severity(evaluation, spec),
        breaches=previous.breaches + 1,
        last_evaluation=evaluation,
        silenced=silence is not None,
    )
    return _pending_or_fire(candidate, evaluation, spec, silence, now)


def _pending_or_fire(
    candidate: Alert, evaluation: Evaluation, spec: RuleSpec, silence: Silence | None, now: datetime
) -> Decision:
    needed = max(spec.for_, 1)
    if candidate.breaches < needed:
        return Decision(
            candidate, Reason.PENDING, detail=f"breaching {candidate.breaches}/{needed} evaluations"
        )
    fired = replace(
        candidate,
        state=AlertState.FIRING,
        incident_id=incident_id(candidate.rule, candidate.operation, now),
        fired_at=now,
        peak_value=evaluation.value,
        peak_severity=candidate.severity,
    )
    return _announce(fired, spec, silence, now)


def _announce(alert: Alert, spec: RuleSpec, silence: Silence | None, now: datetime) -> Decision:
    """The first post of an incident, or nothing while a silence holds it back."""
    if silence is not None:
        return Decision(
            alert,
            Reason.SILENCED,
            detail=f"firing {alert.severity}; first post held back, {_until(silence)}",
            silence=silence,
        )
    posted = replace(alert, posted=True, last_notified_at=now)
    return Decision(
        posted,
        Reason.FIRST,
        Notify.POST,
        mention=_mentions(spec, alert.severity),
        detail=f"firing {alert.severity}{_numbers_text(alert.last_evaluation)}",
    )


def _step_firing(
    previous: Alert, evaluation: Evaluation, spec: RuleSpec, silence: Silence | None, now: datetime
) -> Decision:
    if evaluation.status in (EvalStatus.CLEAR, EvalStatus.QUIET):
        return _resolve(previous, evaluation, silence, now)
    breach = evaluation.status is EvalStatus.BREACH
    severity = _severity(evaluation, spec) if breach else previous.severity
    current = replace(
        previous,
        severity=severity,
        breaches=previous.breaches + 1 if breach else 0,
        last_evaluation=evaluation,
        silenced=silence is not None,
    )
    if breach:
        current = _with_peak(current, evaluation, spec)
    if not previous.posted:
        return _announce(current, spec, silence, now)

    old_rank = previous.severity.rank if previous.severity else 0
    new_rank = severity.rank if severity else 0
    changed = new_rank != old_rank or _numbers(evaluation) != _numbers(previous.last_evaluation)
    mention = False
    if new_rank > old_rank:
        reason, notify = Reason.ESCALATED, Notify.UPDATE_AND_THREAD
        mention = _mentions(spec, severity)
    elif _reminder_due(previous, spec, now):
        reason = Reason.REMINDER
        notify = Notify.UPDATE_AND_THREAD if changed else Notify.THREAD
    elif new_rank < old_rank:
        reason, notify = Reason.DEESCALATED, Notify.UPDATE
    elif changed:
        reason, notify = Reason.UPDATED, Notify.UPDATE
    else:
        reason, notify = Reason.NONE, Notify.NONE

    detail = f"{reason}: {severity}{_numbers_text(evaluation)}"
    if silence is not None and notify.quiet() is not notify:
        return Decision(
            current,
            Reason.SILENCED,
            notify.quiet(),
            detail=f"{detail}; {_until(silence)}",
            silence=silence,
        )
    if notify.replies:
        current = replace(current, last_notified_at=now)
    return Decision(current, reason, notify, mention=mention, detail=detail)


def _resolve(
    previous: Alert, evaluation: Evaluation, silence: Silence | None, now: datetime
) -> Decision:
    resolved = replace(
        previous,
        state=AlertState.RESOLVED,
        resolved_at=now,
        breaches=0,
        last_evaluation=evaluation,
        silenced=silence is not None,
    )
    if not previous.posted:
        return Decision(
            resolved,
            Reason.RESOLVED_SILENCED,
            detail=f"resolved ({evaluation.status}); it was never posted",
            silence=silence,
        )
    if silence is not None:
        return Decision(
            resolved,
            Reason.RESOLVED_SILENCED,
            Notify.UPDATE,
            detail=f"resolved ({evaluation.status}) quietly; {_until(silence)}",
            silence=silence,
        )
    return Decision(
        resolved,
        Reason.RESOLVED,
        Notify.UPDATE_AND_THREAD,
        detail=f"resolved ({evaluation.status})",
    )


def _reminder_due(alert: Alert, spec: RuleSpec, now: datetime) -> bool:
    return (
        spec.repeat is not None
        and alert.acked_by is None
        and alert.last_notified_at is not None
        and now - alert.last_notified_at >= spec.repeat
    )


def _with_peak(alert: Alert, evaluation: Evaluation, spec: RuleSpec) -> Alert:
    """Keep the worst moment of the incident: highest severity first, then the worst
    value at that severity (lowest for a flatline, highest otherwise)."""
    severity, value = alert.severity, evaluation.value
    peak_rank = alert.peak_severity.rank if alert.peak_severity else 0
    rank = severity.rank if severity else 0
    if rank > peak_rank or alert.peak_value is None:
        return replace(alert, peak_severity=severity, peak_value=value)
    if rank == peak_rank and value is not None:
        low_is_worse = spec.kind is RuleKind.FLATLINE
        worse = value < alert.peak_value if low_is_worse else value > alert.peak_value
        if worse:
            return replace(alert, peak_value=value)
    return alert


def _severity(evaluation: Evaluation, spec: RuleSpec) -> Severity:
    return evaluation.severity or spec.severity


def _mentions(spec: RuleSpec, severity: Severity | None) -> bool:
    return bool(spec.mention) and severity is Severity.CRITICAL


def _numbers(evaluation: Evaluation | None) -> tuple[object, ...]:
    if evaluation is None:
        return ()
    e = evaluation
    return (e.value, e.threshold, e.matched, e.population, e.baseline, e.breakdown)


def _numbers_text(evaluation: Evaluation | None) -> str:
    if evaluation is None or evaluation.value is None:
        return ""
    text = f", value {evaluation.value:g}"
    if evaluation.threshold is not None:
        text += f" against {evaluation.threshold:g}"
    return text


def _until(silence: Silence) -> str:
    return f"silenced by {silence.created_by} until {silence.ends_at.isoformat()}"


def _name(alert: Alert) -> str:
    return f"{alert.rule} on {alert.operation}"


def _check(previous: Alert, evaluation: Evaluation, spec: RuleSpec, now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime (UTC), got {now!r}")
    if (evaluation.rule, evaluation.operation) != previous.key or spec.name != previous.rule:
        raise ValueError(
            f"evaluation of {evaluation.rule}/{evaluation.operation} with spec {spec.name} "
            f"cannot step {_name(previous)}"
        )
