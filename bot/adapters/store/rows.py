"""Contract values <-> flat rows, shared by every store so they validate identically.

The encoders are generators on purpose: the SQLite store feeds them straight into
`executemany` inside its transaction (a bad value aborts the transaction half-way and rolls
it back), while the memory store materialises them before touching its tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from bot.adapters.store.base import (
    BucketKey,
    BudgetCounter,
    Document,
    MessageRef,
    NewOutboxRow,
    OutboxRow,
    PollStatus,
    RememberedCall,
    StoredLog,
    StoredState,
)
from bot.adapters.store.encoding import (
    check_day,
    decode_document,
    duration_micros,
    encode_document,
    from_micros,
    micros_duration,
    to_micros,
)

AlertRow = tuple[str, str, str]
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
DigestRow = tuple[str, str | None]
BudgetRow = tuple[str, str, int]


def alert_rows(operation: str, alerts: Mapping[str, Document]) -> Iterator[AlertRow]:
    for rule, doc in alerts.items():
        yield operation, rule, encode_document(doc, what=f"alert document of rule {rule!r}")


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
    return created, row.channel, row.incident_id, row.action, payload, not_before


def decode_outbox(row: OutboxTuple) -> OutboxRow:
    row_id, created, channel, incident_id, action, payload, attempts, not_before, error = row
    return OutboxRow(
        id=row_id,
        created_at=from_micros(created),
        channel=channel,
        incident_id=incident_id,
        action=action,
        payload=decode_document(payload),
        attempts=attempts,
        not_before=from_micros(not_before),
        last_error=error,
    )


def _micros_or_none(when: datetime | None, what: str) -> int | None:
    return None if when is None else to_micros(when, what=what)


def poll_row(operation: str, status: PollStatus) -> PollRow:
    duration = None if status.last_duration is None else duration_micros(status.last_duration)
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


def budget_row(operation: str, budget: BudgetCounter) -> BudgetRow:
    used = budget.used
    if not isinstance(used, int) or isinstance(used, bool) or used < 0:
        raise ValueError(f"budget used must be a non-negative int, got {used!r}")
    return operation, check_day(budget.day), used


def decode_poll(row: PollRow) -> tuple[str, PollStatus]:
    (operation, success, error, failures, duration, attempt, kind, stopped) = row[:8]
    records, skipped, truncated = row[8:]
    return operation, PollStatus(
        last_attempt_at=None if attempt is None else from_micros(attempt),
        last_success_at=None if success is None else from_micros(success),
        last_error=error,
        last_error_kind=kind,
        consecutive_failures=failures,
        last_duration=None if duration is None else micros_duration(duration),
        last_records=records,
        last_skipped=skipped,
        possibly_truncated=bool(truncated),
        stopped=stopped,
    )


def digest_rows(digests: Mapping[str, Document | None]) -> Iterator[DigestRow]:
    """(id, JSON text), or (id, None) for a digest to forget."""
    for digest_id, doc in digests.items():
        text = None if doc is None else encode_document(doc, what=f"digest {digest_id!r}")
        yield digest_id, text


def decode_message_ref(row: MessageRefRow) -> MessageRef:
    incident_id, channel, ts = row
    return MessageRef(incident_id=incident_id, channel=channel, ts=ts)


def assemble_state(
    *,
    alerts: Iterable[AlertRow],
    silences: Iterable[SilenceRow],
    message_refs: Iterable[MessageRefRow],
    buckets: Iterable[BucketRow],
    minutes: Iterable[MinuteRow],
    conn_ids: Iterable[ConnIdRow],
    budgets: Iterable[BudgetRow],
    polls: Iterable[PollRow],
    digests: Iterable[tuple[str, str]] = (),
) -> StoredState:
    """Build the start-up state from the rows of every table (silences: id, document)."""
    bucket_maps: dict[str, dict[BucketKey, int]] = {}
    for operation, minute, call_type, result, count in buckets:
        key = BucketKey(minute=from_micros(minute), call_type=call_type, result=result)
        bucket_maps.setdefault(operation, {})[key] = count
    minute_sets: dict[str, set[datetime]] = {}
    for operation, minute in minutes:
        minute_sets.setdefault(operation, set()).add(from_micros(minute))
    conn_maps: dict[str, dict[str, RememberedCall]] = {}
    for operation, conn_id, at, call_type, result in conn_ids:
        call = RememberedCall(at=from_micros(at), call_type=call_type, result=result)
        conn_maps.setdefault(operation, {})[conn_id] = call
    operations = bucket_maps.keys() | minute_sets.keys() | conn_maps.keys()
    return StoredState(
        alerts={(op, rule): decode_document(doc) for op, rule, doc in alerts},
        silences={silence_id: decode_document(doc) for silence_id, doc in silences},
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
        digests={digest_id: decode_document(doc) for digest_id, doc in digests},
    )
