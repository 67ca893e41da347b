"""The record's domain objects <-> the store's entries (see bot.domain.history).

Like codec.py, the one place that knows how a record is spelled on disk; a
document missing a key written by an older version decodes to the default.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.adapters.store.base import ActionEntry, Document, IncidentEntry
from bot.domain.alerts import Alert
from bot.domain.history import ActionRecord, IncidentRecord, RecordKind, incident_changes
from bot.domain.specs import Severity


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def encode_incident(record: IncidentRecord) -> IncidentEntry:
    doc: Document = {
        "severity": record.severity.value if record.severity else None,
        "peak_value": record.peak_value,
        "acked_by": record.acked_by,
        "acked_at": _time(record.acked_at),
    }
    return IncidentEntry(
        incident_id=record.incident_id,
        rule=record.rule,
        operation=record.operation,
        started_at=record.started_at,
        ended_at=record.ended_at,
        doc=doc,
    )


def decode_incident(entry: IncidentEntry) -> IncidentRecord:
    doc = entry.doc
    severity = doc.get("severity")
    peak = doc.get("peak_value")
    return IncidentRecord(
        incident_id=entry.incident_id,
        rule=entry.rule,
        operation=entry.operation,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        severity=Severity(severity) if isinstance(severity, str) else None,
        peak_value=float(peak) if isinstance(peak, int | float) else None,
        acked_by=_text(doc.get("acked_by")),
        acked_at=_parse_time(doc.get("acked_at")),
    )


def incident_entries(before: Iterable[Alert], after: Iterable[Alert]) -> tuple[IncidentEntry, ...]:
    """The incident entries to store when the alerts `before` become `after`."""
    return tuple(encode_incident(r) for r in incident_changes(before, after))


def encode_action(record: ActionRecord) -> ActionEntry:
    doc: Document = {
        "kind": record.kind.value,
        "by": record.by,
        "reason": record.reason,
        "ends_at": _time(record.ends_at),
        "silence_id": record.silence_id,
        "incident_id": record.incident_id,
        "silenced_by": record.silenced_by,
    }
    return ActionEntry(at=record.at, rule=record.rule, operation=record.operation, doc=doc)


def decode_action(entry: ActionEntry) -> ActionRecord:
    doc = entry.doc
    return ActionRecord(
        kind=RecordKind(doc["kind"]),
        at=entry.at,
        by=str(doc.get("by") or ""),
        rule=entry.rule,
        operation=entry.operation,
        reason=str(doc.get("reason") or ""),
        ends_at=_parse_time(doc.get("ends_at")),
        silence_id=_text(doc.get("silence_id")),
        incident_id=_text(doc.get("incident_id")),
        silenced_by=_text(doc.get("silenced_by")),
    )
