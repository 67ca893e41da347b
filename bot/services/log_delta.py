"""A poll's call-log plan as the store's delta: only what the poll changed.

The store keeps per-minute buckets, covered minutes and the conn_ids still inside the
overlap window. A poll of 60,000 records in which most calls were seen before changes a
few buckets and the new or changed calls only, and that is all it writes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.call_log import IngestPlan
from bot.services.ports.store import BucketKey, LogDelta, RememberedCall

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
CONN_ID_MEMORY = timedelta(hours=1)
"""How long the store remembers conn_ids: twice the call log's overlap horizon."""


def _minute_start(minute: int) -> datetime:
    return _EPOCH + minute * _MINUTE


def store_delta(ingest: IngestPlan | None, now: datetime, retention: timedelta) -> LogDelta:
    """What the store must write for one poll: only the calls and buckets it changed."""
    if ingest is None:
        return LogDelta()
    minutes: dict[int, datetime] = {}

    def minute_of(minute: int) -> datetime:
        at = minutes.get(minute)
        if at is None:
            at = minutes[minute] = _minute_start(minute)
        return at

    # One (minute, type, result) -> RememberedCall per distinct entry: calls share them.
    remembered: dict[tuple[int, str, str], RememberedCall] = {}
    conn_ids: dict[str, RememberedCall] = {}
    for conn_id, entry in ingest.written.items():
        if conn_id.startswith("\x00"):
            continue
        call = remembered.get(entry)
        if call is None:
            m, t, r = entry
            call = remembered[entry] = RememberedCall(minute_of(m), t, r)
        conn_ids[conn_id] = call
    return LogDelta(
        buckets={BucketKey(minute_of(m), t, r): n for (m, t, r), n in ingest.buckets.items()},
        covered_minutes=frozenset(minute_of(m) for m in range(*ingest.covered)),
        conn_ids=conn_ids,
        forget_conn_ids_before=now - CONN_ID_MEMORY,
        drop_minutes_before=now - retention,
    )
