"""The alert lifecycle: one state per (rule, operation), stepped by evaluations.

As in Alertmanager, deciding whether to notify is a pure function of the
previous state, the evaluation, the silence in force and `now`. It returns the
new state and a Decision that says how Slack should hear about it (a new
message, an edit of the incident's living message, a thread reply) and why.
Adapters carry decisions out; nothing here sends, logs or sleeps.

Rules of the table (see `step`):

- HELD data (Wolkvox unavailable, a polling gap) changes nothing while inactive,
  pending or resolved.
- A breach must last `for_` consecutive evaluations before it fires; anything
  but a breach while pending resets it.
- While firing: a breach or a BAND value keeps it firing, at the evaluation's
  severity (rules.py keeps a critical alert critical down to `recover_critical`).
  It resolves only on evidence: `for_` consecutive CLEAR evaluations, or no
  judgeable evaluation (QUIET) for the rule's `resolve_when_quiet`. QUIET and
  HELD keep it firing; the message is edited once to say why it is quiet.
- Severity changes: an escalation is an edit plus a thread reply; going back down
  is an edit only. The rule's `mention` pings at most once per incident, again
  only after the value was below warning (BAND at warning, or CLEAR) in between.
- Outside active hours a firing alert is muted: it is still judged (it may
  resolve, quietly), its message may be edited, but it neither escalates nor
  replies nor reminds; a first post waits. The first judged evaluation of the
  next active period unmutes it, or, below recover, resolves it quietly.
- A silence never stops the state from advancing; it only removes the noisy part
  of a notification (new message, thread reply, mention). Edits in place stay, so
  a message already posted is still brought to its resolved state. An incident
  silenced before its first post posts nothing; if it is still firing when the
  silence ends, it is posted then (reason FIRST).
- Acknowledged incidents get no reminders but still update, escalate and resolve.
- A fire after a resolution is a new incident with a new incident_id.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.alert_actions import acknowledge, silence_applied, silence_lifted
from bot.domain.alert_types import (
    Alert,
    AlertState,
    Decision,
    Notify,
    Reason,
    Resolution,
    incident_id,
)
from bot.domain.silences import Silence
from bot.domain.specs import EvalStatus, Evaluation, RuleKind, RuleSpec, Severity

__all__ = [
    "Alert",
    "AlertState",
    "Decision",
    "Notify",
    "Reason",
    "Resolution",
    "acknowledge",
    "incident_id",
    "silence_applied",
    "silence_lifted",
    "step",
]


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
    applies = (
        silence if silence and silence.matches(previous.rule, previous.operation, now) else None
    )
    if previous.state is AlertState.FIRING:
        if evaluation.status in (EvalStatus.QUIET, EvalStatus.HELD):
            return _firing_quiet(previous, evaluation, spec, applies, now)
        return _step_firing(previous, evaluation, spec, applies, now)
    if evaluation.status is EvalStatus.HELD:
        why = evaluation.detail or "data cannot be trusted"
        return Decision(previous, Reason.HELD, detail=f"held ({why}): {previous.state} kept")
    if previous.state is AlertState.PENDING:
        return _step_pending(previous, evaluation, spec, applies, now)
    return _step_idle(previous, evaluation, spec, applies, now)


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
    mention = _mentions(spec, alert)
    posted = replace(alert, posted=True, last_notified_at=now, pinged=alert.pinged or mention)
    return Decision(
        posted,
        Reason.FIRST,
        Notify.POST,
        mention=mention,
        detail=f"firing {alert.severity}{_numbers_text(alert.last_evaluation)}",
    )


def _step_firing(
    previous: Alert, evaluation: Evaluation, spec: RuleSpec, silence: Silence | None, now: datetime
) -> Decision:
    """A judged evaluation (BREACH, BAND or CLEAR) of a firing alert."""
    status = evaluation.status
    outside = evaluation.outside_since
    clear = status is EvalStatus.CLEAR
    muted_since = outside if outside is not None else (previous.muted_since if clear else None)
    severity = previous.severity if clear else (evaluation.severity or previous.severity)
    if muted_since is not None and _rank(severity) > _rank(previous.severity):
        severity = previous.severity
    rearmed = clear or (status is EvalStatus.BAND and severity is not Severity.CRITICAL)
    breach = status is EvalStatus.BREACH
    current = replace(
        previous,
        severity=severity,
        breaches=previous.breaches + 1 if breach else 0,
        clears=previous.clears + 1 if clear else 0,
        last_evaluation=evaluation,
        quiet=None,
        quiet_since=None,
        muted_since=muted_since,
        pinged=previous.pinged and not rearmed,
        silenced=silence is not None,
    )
    if breach:
        current = _with_peak(current, evaluation, spec)
    if clear and current.clears >= max(spec.for_, 1):
        return _resolve(current, Resolution.RECOVERED, silence, now)
    if not previous.posted:
        if muted_since is not None:
            return Decision(
                current, Reason.MUTED, detail="firing outside active hours; first post waits"
            )
        return _announce(current, spec, silence, now)

    old_rank, new_rank = _rank(previous.severity), _rank(severity)
    changed = (
        new_rank != old_rank
        or _numbers(evaluation) != _numbers(previous.last_evaluation)
        or previous.quiet is not None
        or previous.muted_since != muted_since
    )
    mention = False
    if new_rank > old_rank:
        reason, notify = Reason.ESCALATED, Notify.UPDATE_AND_THREAD
        mention = _mentions(spec, current)
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
    if clear:
        detail += f"; recovering {current.clears}/{max(spec.for_, 1)}"
    if muted_since is not None and reason is not Reason.NONE:
        return Decision(
            current, Reason.MUTED, notify.quiet(), detail=f"{detail}; outside active hours"
        )
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
    if mention:
        current = replace(current, pinged=True)
    return Decision(current, reason, notify, mention=mention, detail=detail)


def _firing_quiet(
    previous: Alert, evaluation: Evaluation, spec: RuleSpec, silence: Silence | None, now: datetime
) -> Decision:
    """A firing alert that cannot be judged (QUIET or HELD) stays firing: quiet is not
    resolved. Its message says why, once; no reminders while nothing is known. After
    `resolve_when_quiet` of QUIET evaluations (HELD restarts the count) it resolves,
    saying so."""
    held = evaluation.status is EvalStatus.HELD
    current = replace(
        previous,
        quiet=evaluation,
        quiet_since=None if held else (previous.quiet_since or now),
        muted_since=evaluation.outside_since or previous.muted_since,
        silenced=silence is not None,
    )
    why = evaluation.detail or str(evaluation.status)
    if current.quiet_since is not None and now - current.quiet_since >= spec.resolve_when_quiet:
        return _resolve(current, Resolution.QUIET, silence, now)
    reason = Reason.HELD if held else Reason.QUIET
    changed = (
        previous.quiet is None
        or previous.quiet.status is not evaluation.status
        or _numbers(previous.quiet) != _numbers(evaluation)
    )
    notify = Notify.UPDATE if previous.posted and changed else Notify.NONE
    return Decision(current, reason, notify, detail=f"firing, cannot judge: {why}")


def _resolve(
    current: Alert, resolution: Resolution, silence: Silence | None, now: datetime
) -> Decision:
    """End the incident. Told in its thread, unless a silence or closed active hours
    make it a quiet edit, or it was never posted."""
    resolved = replace(
        current,
        state=AlertState.RESOLVED,
        resolved_at=now,
        breaches=0,
        resolution=resolution,
    )
    why = "its value recovered" if resolution is Resolution.RECOVERED else "nothing to judge"
    if not current.posted:
        return Decision(
            resolved,
            Reason.RESOLVED_SILENCED,
            detail=f"resolved ({why}); it was never posted",
            silence=silence,
        )
    if silence is not None:
        return Decision(
            resolved,
            Reason.RESOLVED_SILENCED,
            Notify.UPDATE,
            detail=f"resolved ({why}) quietly; {_until(silence)}",
            silence=silence,
        )
    if current.muted_since is not None:
        return Decision(
            resolved,
            Reason.RESOLVED_MUTED,
            Notify.UPDATE,
            detail=f"resolved ({why}) quietly, outside active hours",
        )
    return Decision(resolved, Reason.RESOLVED, Notify.UPDATE_AND_THREAD, detail=f"resolved ({why})")


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
        low_is_worse = (
            spec.kind is RuleKind.FLATLINE
            or (spec.seasonal is not None and spec.seasonal.direction == "drop")
            or (spec.queue is not None and spec.queue.metric.low_is_worse)
        )
        worse = value < alert.peak_value if low_is_worse else value > alert.peak_value
        if worse:
            return replace(alert, peak_value=value)
    return alert


def _severity(evaluation: Evaluation, spec: RuleSpec) -> Severity:
    return evaluation.severity or spec.severity


def _mentions(spec: RuleSpec, alert: Alert) -> bool:
    """The rule pings on critical, once per incident (until re-armed below warning)."""
    return bool(spec.mention) and alert.severity is Severity.CRITICAL and not alert.pinged


def _rank(severity: Severity | None) -> int:
    return severity.rank if severity else 0


def _numbers(evaluation: Evaluation | None) -> tuple[object, ...]:
    if evaluation is None:
        return ()
    e = evaluation
    return (
        e.value,
        e.compared,
        e.threshold,
        e.matched,
        e.population,
        e.baseline,
        e.breakdown,
        e.outside_since,
        e.opened_at,
    )


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
