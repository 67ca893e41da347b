"""Domain objects <-> JSON documents for the store.

The store keeps alert states and silences as documents so that its contract
stays plain data (and a PostgreSQL implementation can use jsonb). The codec is
the one place that knows how each domain type is spelled on disk; a document
written by an older version with missing keys still decodes to defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.alerts import Alert, AlertState, Resolution
from bot.domain.digests import Digest
from bot.domain.silences import Silence
from bot.domain.specs import EvalStatus, Evaluation, Severity

Document = dict[str, Any]


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
