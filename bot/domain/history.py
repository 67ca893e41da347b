"""What happened, kept as a record: incidents, and what people did to alerts.

A living Slack message shows the present; a supervisor asking "what happened
last night, and who silenced it?" needs the past. Two kinds of record answer
that, both plain data with aware UTC datetimes:

- `IncidentRecord`: one per incident (rule, operation, started, ended, highest
  severity, peak value, who acknowledged), rewritten as it opens, escalates,
  is acknowledged and resolves;
- `ActionRecord`: one per acknowledgement, silence, unsilence and expiry, with
  who, when, the scope (rule, operation or every operation), the reason and
  the end of the silence. An expiry is done by nobody: `by` is the author of
  the silence that ended, so the record still says whose silence it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.alerts import Alert, AlertState
from bot.domain.silences import Silence
from bot.domain.specs import Severity


class RecordKind(StrEnum):
    """What a person (or the end of a silence) did to a rule's alerts."""

    ACK = "ack"
    SILENCE = "silence"
    UNSILENCE = "unsilence"
    EXPIRY = "expiry"


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One acknowledgement, silence, unsilence or expiry.

    `operation` None means every operation. `ends_at` is when the silence ends
    (or ended); `silence_id` ties a silence to its unsilence or expiry;
    `silenced_by` is the author of a silence someone else lifted.
    """

    kind: RecordKind
    at: datetime
    by: str
    rule: str
    operation: str | None
    reason: str = ""
    ends_at: datetime | None = None
    silence_id: str | None = None
    incident_id: str | None = None
    silenced_by: str | None = None

    @classmethod
    def silenced(cls, silence: Silence) -> ActionRecord:
        return cls._of_silence(RecordKind.SILENCE, silence, at=silence.starts_at, by=None)

    @classmethod
    def lifted(cls, silence: Silence, *, by: str, at: datetime) -> ActionRecord:
        """`silence` as `SilenceBook.remove` returned it: ended at `at` by `by`."""
        return cls._of_silence(RecordKind.UNSILENCE, silence, at=at, by=by)

    @classmethod
    def expired(cls, silence: Silence) -> ActionRecord:
        return cls._of_silence(RecordKind.EXPIRY, silence, at=silence.ends_at, by=None)

    @classmethod
    def _of_silence(
        cls, kind: RecordKind, silence: Silence, *, at: datetime, by: str | None
    ) -> ActionRecord:
        """A silence's start (`by` None: its author did it) or end (`silenced_by` kept)."""
        return cls(
            kind=kind,
            at=at,
            by=silence.created_by if by is None else by,
            rule=silence.rule,
            operation=silence.operation,
            reason=silence.reason,
            ends_at=silence.ends_at,
            silence_id=silence.id,
            silenced_by=None if kind is RecordKind.SILENCE else silence.created_by,
        )

    @classmethod
    def acknowledged(cls, alert: Alert) -> ActionRecord:
        if alert.acked_by is None or alert.acked_at is None:
            raise ValueError(f"{alert.rule} on {alert.operation} is not acknowledged")
        return cls(
            kind=RecordKind.ACK,
            at=alert.acked_at,
            by=alert.acked_by,
            rule=alert.rule,
            operation=alert.operation,
            incident_id=alert.incident_id,
        )


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One incident as history tells it. `ended_at` None: still firing.

    `severity` is the highest the incident reached and `peak_value` its worst
    value at that severity (the alert's own peak, in the rule's unit).
    """

    incident_id: str
    rule: str
    operation: str
    started_at: datetime
    ended_at: datetime | None = None
    severity: Severity | None = None
    peak_value: float | None = None
    acked_by: str | None = None
    acked_at: datetime | None = None

    @classmethod
    def of(cls, alert: Alert) -> IncidentRecord | None:
        """The record of the alert's current or last incident; None when it never fired."""
        if alert.incident_id is None or alert.fired_at is None:
            return None
        if alert.state not in (AlertState.FIRING, AlertState.RESOLVED):
            return None
        return cls(
            incident_id=alert.incident_id,
            rule=alert.rule,
            operation=alert.operation,
            started_at=alert.fired_at,
            ended_at=alert.resolved_at if alert.state is AlertState.RESOLVED else None,
            severity=alert.peak_severity or alert.severity,
            peak_value=alert.peak_value,
            acked_by=alert.acked_by,
            acked_at=alert.acked_at,
        )


def incident_changes(before: Iterable[Alert], after: Iterable[Alert]) -> list[IncidentRecord]:
    """The incident records that the alerts `after` change, compared with the same
    (rule, operation) `before`: a new incident, an escalation, a new peak, an
    acknowledgement, a resolution. Nothing else is rewritten."""
    earlier = {alert.key: alert for alert in before}
    changed: list[IncidentRecord] = []
    for alert in after:
        record = IncidentRecord.of(alert)
        if record is None:
            continue
        previous = earlier.get(alert.key)
        if previous is None or IncidentRecord.of(previous) != record:
            changed.append(record)
    return changed
