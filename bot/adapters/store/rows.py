"""The contract's values <-> flat rows, shared by every store so they validate identically.

Times are stored as epoch microseconds (integers compare correctly in SQL and round-trip a
datetime exactly); domain objects as JSON documents (see `documents`). The encoders are
generators on purpose: the SQLite store feeds them straight into `executemany` inside its
transaction (a bad value aborts the transaction half-way and rolls it back), while the
memory store materialises them before touching its tables. Decoding never raises for a
document that no longer fits its type: the row is left out and reported as `Unreadable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from bot.adapters.store.conn_id_groups import StoredGroupRow, resolve_groups
from bot.adapters.store.documents import (
    UNREADABLE,
    Document,
    decode_action,
    decode_alert,
    decode_digest,
    decode_document,
    decode_incident,
    decode_silence,
    encode_action,
    encode_alert,
    encode_digest,
    encode_document,
    encode_incident,
    encode_silence,
)
from bot.domain.alerts import Alert
from bot.domain.day_budget import DayBudget
from bot.domain.digests import Digest
from bot.domain.history import ActionRecord, IncidentRecord
from bot.domain.polling import PollState
from bot.domain.silences import Silence
from bot.services.ports.store import (
    BucketKey,
    HistoryPage,
    MessageRef,
    NewOutboxRow,
    OutboxAction,
    OutboxRow,
    RememberedCall,
    StoredLog,
    StoredState,
    Unreadable,
)

T = TypeVar("T")
R = TypeVar("R")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

AlertRow = tuple[str, str, str]
"""operation, rule, alert document."""
BucketRow = tuple[str, int, str, str, int]
MinuteRow = tuple[str, int]
ConnIdRow = tuple[str, str, int, str, str]
NewOutboxValues = tuple[int, str, str, str, str, int]
OutboxTuple = tuple[int, int, str, str, str, str, int, int, str | None]
PollRow = tuple[
    str,
    int | None,
    str | None,
    int,
    int | None,
    int | None,
    str | None,
    str | None,
    int,
    int,
    int,
]
"""operation, last_success_at, last_error, consecutive_failures, last_duration (migration 1);
last_attempt_at, last_error_kind, stopped, last_records, last_skipped, possibly_truncated
(migration 3)."""
MessageRefRow = tuple[str, str, str]
SilenceRow = tuple[str, str]
"""id, silence document."""
SilenceUpsert = tuple[str, str, int]
"""id, silence document, ends_at."""
DigestRow = tuple[str, str | None]
BudgetRow = tuple[str, str, int]
IncidentRow = tuple[str, str, str, int, int | None, str]
"""id, rule, operation, started_at, ended_at, document."""
ActionRow = tuple[int, str, str | None, str]
"""at, rule, operation, document."""


def to_micros(when: datetime, *, what: str) -> int:
    """Epoch microseconds of an aware datetime; naive ones are refused, never guessed."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return (when - _EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND


def check_day(day: str) -> str:
    """A local day must be ISO (YYYY-MM-DD) so that days order correctly as text."""
    try:
        parsed = date.fromisoformat(day)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"budget day must be YYYY-MM-DD, got {day!r}") from exc
    if parsed.isoformat() != day:
        raise ValueError(f"budget day must be YYYY-MM-DD, got {day!r}")
    return day


def _micros_or_none(when: datetime | None, what: str) -> int | None:
    return None if when is None else to_micros(when, what=what)


def alert_rows(alerts: Iterable[Alert]) -> Iterator[AlertRow]:
    for alert in alerts:
        what = f"alert of rule {alert.rule!r}"
        yield alert.operation, alert.rule, encode_document(encode_alert(alert), what=what)


def bucket_rows(operation: str, buckets: Mapping[BucketKey, int]) -> Iterator[BucketRow]:
    for key, count in buckets.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"a bucket count must be a non-negative int, got {count!r}")
        minute = to_micros(key.minute, what="bucket minute")
        yield operation, minute, key.call_type, key.result, count


def minute_rows(operation: str, minutes: Iterable[datetime]) -> Iterator[MinuteRow]:
    for minute in minutes:
        yield operation, to_micros(minute, what="covered minute")


def conn_id_rows(operation: str, conn_ids: Mapping[str, RememberedCall]) -> Iterator[ConnIdRow]:
    micros: dict[datetime, int] = {}  # calls share their minutes: convert each one once
    for conn_id, (when, call_type, result) in conn_ids.items():
        at = micros.get(when)
        if at is None:
            at = micros[when] = to_micros(when, what="conn_id time")
        yield operation, conn_id, at, call_type, result


def new_outbox_values(row: NewOutboxRow) -> NewOutboxValues:
    """(created_at, channel, incident_id, action, payload, not_before) of a row to insert."""
    created = to_micros(row.created_at, what="outbox created_at")
    not_before = created if row.not_before is None else to_micros(row.not_before, what="not_before")
    payload = encode_document(row.payload, what=f"outbox payload for {row.incident_id!r}")
    action = OutboxAction(row.action)
    if action is OutboxAction.UNKNOWN:
        raise ValueError(f"outbox row for {row.incident_id!r} has no action to store")
    return created, row.channel, row.incident_id, action.value, payload, not_before


def _outbox_action(text: str) -> OutboxAction:
    try:
        return OutboxAction(text)
    except ValueError:
        return OutboxAction.UNKNOWN


def decode_outbox(row: OutboxTuple) -> OutboxRow:
    row_id, created, channel, incident_id, action, payload, attempts, not_before, error = row
    return OutboxRow(
        id=row_id,
        created_at=from_micros(created),
        channel=channel,
        incident_id=incident_id,
        action=_outbox_action(action),
        payload=decode_document(payload),
        attempts=attempts,
        not_before=from_micros(not_before),
        last_error=error,
    )


def poll_row(operation: str, status: PollState) -> PollRow:
    duration = None if status.last_duration is None else status.last_duration // _MICROSECOND
    return (
        operation,
        _micros_or_none(status.last_success_at, "last_success_at"),
        status.last_error,
        status.consecutive_failures,
        duration,
        _micros_or_none(status.last_attempt_at, "last_attempt_at"),
        status.last_error_kind,
        status.stopped,
        status.last_records,
        status.last_skipped,
        int(status.possibly_truncated),
    )


def decode_poll(row: PollRow) -> tuple[str, PollState]:
    (operation, success, error, failures, duration, attempt, kind, stopped) = row[:8]
    records, skipped, truncated = row[8:]
    return operation, PollState(
        last_attempt_at=None if attempt is None else from_micros(attempt),
        last_success_at=None if success is None else from_micros(success),
        last_error=error,
        last_error_kind=kind,
        consecutive_failures=failures,
        last_duration=None if duration is None else duration * _MICROSECOND,
        last_records=records,
        last_skipped=skipped,
        possibly_truncated=bool(truncated),
        stopped=stopped,
    )


def budget_row(operation: str, budget: DayBudget) -> BudgetRow:
    used = budget.used
    if not isinstance(used, int) or isinstance(used, bool) or used < 0:
        raise ValueError(f"budget used must be a non-negative int, got {used!r}")
    return operation, budget.day.isoformat(), used


def digest_rows(digests: Mapping[str, Digest | None]) -> Iterator[DigestRow]:
    """(id, JSON text), or (id, None) for a digest to forget."""
    for digest_id, digest in digests.items():
        if digest is None:
            yield digest_id, None
        else:
            yield digest_id, encode_document(encode_digest(digest), what=f"digest {digest_id!r}")


def silence_upserts(silences: Iterable[Silence]) -> Iterator[SilenceUpsert]:
    """(id, doc, ends_at) of each silence to store."""
    for silence in silences:
        yield (
            silence.id,
            encode_document(encode_silence(silence), what=f"silence {silence.id!r}"),
            to_micros(silence.ends_at, what="ends_at"),
        )


def incident_rows(incidents: Iterable[IncidentRecord]) -> Iterator[IncidentRow]:
    """(id, rule, operation, started_at, ended_at, doc) of each incident to upsert."""
    for record in incidents:
        yield (
            record.incident_id,
            record.rule,
            record.operation,
            to_micros(record.started_at, what="started_at"),
            _micros_or_none(record.ended_at, "ended_at"),
            encode_document(encode_incident(record), what=f"incident {record.incident_id!r}"),
        )


def action_rows(actions: Iterable[ActionRecord]) -> Iterator[ActionRow]:
    """(at, rule, operation, doc) of each action to append."""
    for record in actions:
        yield (
            to_micros(record.at, what="action time"),
            record.rule,
            record.operation,
            encode_document(encode_action(record), what=f"action on {record.rule!r}"),
        )


def decode_message_ref(row: MessageRefRow) -> MessageRef:
    incident_id, channel, ts = row
    return MessageRef(incident_id=incident_id, channel=channel, ts=ts)


def _incident(row: IncidentRow) -> IncidentRecord:
    incident_id, rule, operation, started, ended, doc = row
    return decode_incident(
        decode_document(doc),
        incident_id=incident_id,
        rule=rule,
        operation=operation,
        started_at=from_micros(started),
        ended_at=None if ended is None else from_micros(ended),
    )


def _action(row: ActionRow) -> ActionRecord:
    at, rule, operation, doc = row
    return decode_action(decode_document(doc), at=from_micros(at), rule=rule, operation=operation)


def _document(decode: Callable[[Document], T]) -> Callable[[str], T]:
    return lambda text: decode(decode_document(text))


@dataclass(slots=True)
class _Reader:
    """Decodes rows, setting aside those that no longer read back."""

    unreadable: list[Unreadable] = field(default_factory=list)

    def read(self, kind: str, key: str, decode: Callable[[R], T], raw: R) -> T | None:
        try:
            return decode(raw)
        except UNREADABLE as exc:
            self.unreadable.append(Unreadable(kind=kind, key=key, error=str(exc)))
            return None


def history_page(incidents: Iterable[IncidentRow], actions: Iterable[ActionRow]) -> HistoryPage:
    """A history page from its rows, newest first as given; unreadable rows are counted."""
    reader = _Reader()
    found = [reader.read("incident", row[0], _incident, row) for row in incidents]
    done = [reader.read("action", row[1], _action, row) for row in actions]
    return HistoryPage(
        incidents=[r for r in found if r is not None],
        actions=[r for r in done if r is not None],
        unreadable=len(reader.unreadable),
    )


def assemble_state(
    *,
    alerts: Iterable[AlertRow],
    silences: Iterable[SilenceRow],
    message_refs: Iterable[MessageRefRow],
    buckets: Iterable[BucketRow],
    minutes: Iterable[MinuteRow],
    budgets: Iterable[BudgetRow],
    polls: Iterable[PollRow],
    digests: Iterable[tuple[str, str]] = (),
    conn_ids: Iterable[ConnIdRow] = (),
    conn_id_groups: Iterable[StoredGroupRow] = (),
) -> StoredState:
    """Build the start-up state from the rows of every table (silences: id, document).

    Remembered conn_ids come a row each (`conn_ids`, the memory store) or in groups read
    in write order (`conn_id_groups`, the SQL stores; bot.adapters.store.conn_id_groups).
    """
    bucket_maps: dict[str, dict[BucketKey, int]] = {}
    for operation, minute, call_type, result, count in buckets:
        key = BucketKey(minute=from_micros(minute), call_type=call_type, result=result)
        bucket_maps.setdefault(operation, {})[key] = count
    minute_sets: dict[str, set[datetime]] = {}
    for operation, minute in minutes:
        minute_sets.setdefault(operation, set()).add(from_micros(minute))
    conn_maps = resolve_groups(conn_id_groups)
    for operation, conn_id, at, call_type, result in conn_ids:
        call = RememberedCall(at=from_micros(at), call_type=call_type, result=result)
        conn_maps.setdefault(operation, {})[conn_id] = call
    operations = bucket_maps.keys() | minute_sets.keys() | conn_maps.keys()
    reader = _Reader()
    read_alerts = {
        (op, rule): reader.read("alert", rule, _document(decode_alert), doc)
        for op, rule, doc in alerts
    }
    read_silences = {
        id: reader.read("silence", id, _document(decode_silence), doc) for id, doc in silences
    }
    read_digests = {
        id: reader.read("digest", id, _document(decode_digest), doc) for id, doc in digests
    }
    return StoredState(
        alerts={key: alert for key, alert in read_alerts.items() if alert is not None},
        silences={id: s for id, s in read_silences.items() if s is not None},
        message_refs={row[0]: decode_message_ref(row) for row in message_refs},
        logs={
            op: StoredLog(
                buckets=bucket_maps.get(op, {}),
                covered_minutes=frozenset(minute_sets.get(op, ())),
                conn_ids=conn_maps.get(op, {}),
            )
            for op in sorted(operations)
        },
        budgets={(op, day): used for op, day, used in budgets},
        polls=dict(decode_poll(row) for row in polls),
        digests={id: d for id, d in read_digests.items() if d is not None},
        unreadable=tuple(reader.unreadable),
    )
