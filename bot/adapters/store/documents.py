"""Domain objects <-> the JSON documents every store keeps them as.

The one place that knows how each domain type (alert, silence, digest, incident and action
record) is spelled on disk, private to the stores: services hand the store domain objects.
A document written by an older version with missing keys still decodes to defaults. Kept as
documents so a domain type can grow a field without a schema change (PostgreSQL: jsonb).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.domain.alerts import Alert, AlertState, Resolution
from bot.domain.digests import Digest
from bot.domain.history import ActionRecord, IncidentRecord, RecordKind
from bot.domain.silences import Silence
from bot.domain.specs import EvalStatus, Evaluation, Severity
from bot.services.ports.store import DocumentError

Document = dict[str, Any]
"""A JSON object: str keys; values str, int, float (finite), bool, None, lists, objects."""

UNREADABLE = (KeyError, TypeError, ValueError)
"""What decoding a stored document that no longer fits its type raises."""


def encode_document(doc: Document, *, what: str) -> str:
    """JSON text of `doc`; `DocumentError` naming `what` when it is not a JSON object."""
    if not isinstance(doc, dict):
        raise DocumentError(f"{what} must be a JSON object, not {type(doc).__name__}")
    try:
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise DocumentError(f"{what} cannot be stored as JSON: {exc}") from exc


def decode_document(text: str) -> Document:
    """The JSON object in `text` (a fresh copy each time it is read)."""
    doc = json.loads(text)
    if not isinstance(doc, dict):
        raise DocumentError("a stored document is not a JSON object")
    return doc


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _severity(value: object) -> Severity | None:
    return Severity(value) if isinstance(value, str) else None


def encode_evaluation(evaluation: Evaluation) -> Document:
    return {
        "rule": evaluation.rule,
        "operation": evaluation.operation,
        "status": evaluation.status.value,
        "severity": evaluation.severity.value if evaluation.severity else None,
        "value": evaluation.value,
        "threshold": evaluation.threshold,
        "matched": evaluation.matched,
        "population": evaluation.population,
        "baseline": evaluation.baseline,
        "detail": evaluation.detail,
        "breakdown": [list(pair) for pair in evaluation.breakdown],
        "compared": evaluation.compared,
        "recover": evaluation.recover,
        "outside_since": _time(evaluation.outside_since),
        "opened_at": _time(evaluation.opened_at),
        "facts": [[name, value] for name, value in evaluation.facts],
        "subject": evaluation.subject,
    }


def decode_evaluation(doc: Document) -> Evaluation:
    return Evaluation(
        rule=doc["rule"],
        operation=doc["operation"],
        status=EvalStatus(doc["status"]),
        severity=_severity(doc.get("severity")),
        value=doc.get("value"),
        threshold=doc.get("threshold"),
        matched=doc.get("matched"),
        population=doc.get("population"),
        baseline=doc.get("baseline"),
        detail=doc.get("detail", ""),
        breakdown=tuple((str(name), int(count)) for name, count in doc.get("breakdown", [])),
        compared=doc.get("compared"),
        recover=doc.get("recover"),
        outside_since=_parse_time(doc.get("outside_since")),
        opened_at=_parse_time(doc.get("opened_at")),
        facts=tuple((str(name), float(value)) for name, value in doc.get("facts", [])),
        subject=str(doc.get("subject") or ""),
    )


def encode_alert(alert: Alert) -> Document:
    return {
        "rule": alert.rule,
        "operation": alert.operation,
        "state": alert.state.value,
        "severity": alert.severity.value if alert.severity else None,
        "incident_id": alert.incident_id,
        "pending_since": _time(alert.pending_since),
        "fired_at": _time(alert.fired_at),
        "resolved_at": _time(alert.resolved_at),
        "last_notified_at": _time(alert.last_notified_at),
        "breaches": alert.breaches,
        "last_evaluation": (
            encode_evaluation(alert.last_evaluation) if alert.last_evaluation else None
        ),
        "peak_value": alert.peak_value,
        "peak_severity": alert.peak_severity.value if alert.peak_severity else None,
        "acked_by": alert.acked_by,
        "acked_at": _time(alert.acked_at),
        "silenced": alert.silenced,
        "posted": alert.posted,
        "clears": alert.clears,
        "quiet": encode_evaluation(alert.quiet) if alert.quiet else None,
        "quiet_since": _time(alert.quiet_since),
        "muted_since": _time(alert.muted_since),
        "pinged": alert.pinged,
        "resolution": alert.resolution.value if alert.resolution else None,
    }


def decode_alert(doc: Document) -> Alert:
    evaluation = doc.get("last_evaluation")
    quiet = doc.get("quiet")
    resolution = doc.get("resolution")
    return Alert(
        rule=doc["rule"],
        operation=doc["operation"],
        state=AlertState(doc.get("state", AlertState.INACTIVE.value)),
        severity=_severity(doc.get("severity")),
        incident_id=doc.get("incident_id"),
        pending_since=_parse_time(doc.get("pending_since")),
        fired_at=_parse_time(doc.get("fired_at")),
        resolved_at=_parse_time(doc.get("resolved_at")),
        last_notified_at=_parse_time(doc.get("last_notified_at")),
        breaches=int(doc.get("breaches", 0)),
        last_evaluation=decode_evaluation(evaluation) if evaluation else None,
        peak_value=doc.get("peak_value"),
        peak_severity=_severity(doc.get("peak_severity")),
        acked_by=doc.get("acked_by"),
        acked_at=_parse_time(doc.get("acked_at")),
        silenced=bool(doc.get("silenced", False)),
        posted=bool(doc.get("posted", False)),
        clears=int(doc.get("clears", 0)),
        quiet=decode_evaluation(quiet) if quiet else None,
        quiet_since=_parse_time(doc.get("quiet_since")),
        muted_since=_parse_time(doc.get("muted_since")),
        pinged=bool(doc.get("pinged", False)),
        resolution=Resolution(resolution) if isinstance(resolution, str) else None,
    )


def fires_with(text: str | None, incident_id: str) -> bool:
    """Whether a stored alert document (None: no row) is firing with `incident_id`: the
    check of `ActionCommit.only_if_firing`, the same in every store. A document that no
    longer reads is not."""
    if text is None:
        return False
    try:
        doc = decode_document(text)
    except UNREADABLE:
        return False
    return doc.get("state") == AlertState.FIRING.value and doc.get("incident_id") == incident_id


def encode_silence(silence: Silence) -> Document:
    return {
        "id": silence.id,
        "rule": silence.rule,
        "operation": silence.operation,
        "starts_at": silence.starts_at.isoformat(),
        "ends_at": silence.ends_at.isoformat(),
        "created_by": silence.created_by,
        "reason": silence.reason,
        "ended_by": silence.ended_by,
    }


def decode_silence(doc: Document) -> Silence:
    starts_at = _parse_time(doc["starts_at"])
    ends_at = _parse_time(doc["ends_at"])
    if starts_at is None or ends_at is None:
        raise ValueError(f"silence {doc.get('id')!r} has no start or end")
    return Silence(
        id=doc["id"],
        rule=doc["rule"],
        operation=doc.get("operation"),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=doc.get("created_by", ""),
        reason=doc.get("reason", ""),
        ended_by=doc.get("ended_by"),
    )


def encode_digest(digest: Digest) -> Document:
    return {
        "id": digest.id,
        "channel": digest.channel,
        "opened_at": digest.opened_at.isoformat(),
        "members": list(digest.members),
        "mentioned": list(digest.mentioned),
    }


def decode_digest(doc: Document) -> Digest:
    opened_at = _parse_time(doc["opened_at"])
    if opened_at is None:
        raise ValueError(f"digest {doc.get('id')!r} has no opening time")
    members = doc.get("members", [])
    if not isinstance(members, list):
        raise ValueError(f"digest {doc.get('id')!r} has no member list")
    return Digest(
        id=doc["id"],
        channel=doc["channel"],
        opened_at=opened_at,
        members=tuple(str(m) for m in members),
        mentioned=tuple(str(m) for m in doc.get("mentioned", []) or []),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def encode_incident(record: IncidentRecord) -> Document:
    """The part of an incident record kept as a document (the rest are columns)."""
    return {
        "severity": record.severity.value if record.severity else None,
        "peak_value": record.peak_value,
        "acked_by": record.acked_by,
        "acked_at": _time(record.acked_at),
    }


def decode_incident(
    doc: Document,
    *,
    incident_id: str,
    rule: str,
    operation: str,
    started_at: datetime,
    ended_at: datetime | None,
) -> IncidentRecord:
    severity = doc.get("severity")
    peak = doc.get("peak_value")
    return IncidentRecord(
        incident_id=incident_id,
        rule=rule,
        operation=operation,
        started_at=started_at,
        ended_at=ended_at,
        severity=Severity(severity) if isinstance(severity, str) else None,
        peak_value=float(peak) if isinstance(peak, int | float) else None,
        acked_by=_text(doc.get("acked_by")),
        acked_at=_parse_time(doc.get("acked_at")),
    )


def encode_action(record: ActionRecord) -> Document:
    """The part of an action record kept as a document (time, rule, operation are columns)."""
    return {
        "kind": record.kind.value,
        "by": record.by,
        "reason": record.reason,
        "ends_at": _time(record.ends_at),
        "silence_id": record.silence_id,
        "incident_id": record.incident_id,
        "silenced_by": record.silenced_by,
    }


def decode_action(doc: Document, *, at: datetime, rule: str, operation: str | None) -> ActionRecord:
    return ActionRecord(
        kind=RecordKind(doc["kind"]),
        at=at,
        by=str(doc.get("by") or ""),
        rule=rule,
        operation=operation,
        reason=str(doc.get("reason") or ""),
        ends_at=_parse_time(doc.get("ends_at")),
        silence_id=_text(doc.get("silence_id")),
        incident_id=_text(doc.get("incident_id")),
        silenced_by=_text(doc.get("silenced_by")),
    )
