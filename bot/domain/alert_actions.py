"""What people do to an alert: acknowledge it, silence it, lift a silence.

Pure decisions like `step` (bot.domain.alerts): the new state and what Slack
should see, with the reason; the services carry them out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.alert_types import Alert, AlertState, Decision, Notify, Reason
from bot.domain.silences import Silence


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


def _until(silence: Silence) -> str:
    return f"silenced by {silence.created_by} until {silence.ends_at.isoformat()}"


def _name(alert: Alert) -> str:
    return f"{alert.rule} on {alert.operation}"
