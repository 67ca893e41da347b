"""Values as every store keeps them: JSON text for documents, epoch microseconds for times.

Shared by all implementations so they accept and refuse exactly the same inputs, and so a
document read back is always a fresh copy (mutating it never changes what is stored).
Integer microseconds compare correctly in SQL and round-trip a datetime exactly.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from bot.adapters.store.base import Document, DocumentError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_document(doc: Document, *, what: str) -> str:
    """JSON text of `doc`; `DocumentError` naming `what` when it is not a JSON object."""
    if not isinstance(doc, dict):
        raise DocumentError(f"{what} must be a JSON object, not {type(doc).__name__}")
    try:
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise DocumentError(f"{what} cannot be stored as JSON: {exc}") from exc


def decode_document(text: str) -> Document:
    doc = json.loads(text)
    if not isinstance(doc, dict):
        raise DocumentError("a stored document is not a JSON object")
    return doc


def to_micros(when: datetime, *, what: str) -> int:
    """Epoch microseconds of an aware datetime; naive ones are refused, never guessed."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return (when - _EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND


def to_utc(when: datetime, *, what: str) -> datetime:
    """The same instant in UTC, refusing naive datetimes like `to_micros`."""
    return from_micros(to_micros(when, what=what))


def check_day(day: str) -> str:
    """A local day must be ISO (YYYY-MM-DD) so that days order correctly as text."""
    try:
        parsed = date.fromisoformat(day)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"budget day must be YYYY-MM-DD, got {day!r}") from exc
    if parsed.isoformat() != day:
        raise ValueError(f"budget day must be YYYY-MM-DD, got {day!r}")
    return day


def duration_micros(duration: timedelta) -> int:
    return duration // _MICROSECOND


def micros_duration(micros: int) -> timedelta:
    return micros * _MICROSECOND
