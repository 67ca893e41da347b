"""A poll's call-log plan as the store's delta: only what the poll changed.

The store keeps per-minute buckets, covered minutes and the conn_ids still inside the
overlap window. A poll of 60,000 records in which most calls were seen before changes a
few buckets and the new or changed calls only, and that is all it writes.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping
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

    written = ingest.written
    if written and min(written) < "\x01":  # a synthetic id (a record without one): rare
        written = {k: v for k, v in written.items() if not k.startswith("\x00")}
    return LogDelta(
        buckets={BucketKey(minute_of(m), t, r): n for (m, t, r), n in ingest.buckets.items()},
        covered_minutes=frozenset(minute_of(m) for m in range(*ingest.covered)),
        conn_ids=RememberedCalls(written, minute_of),
        forget_conn_ids_before=now - CONN_ID_MEMORY,
        drop_minutes_before=now - retention,
    )


_Entry = tuple[int, str, str]


class RememberedCalls(Mapping[str, RememberedCall]):
    """The conn_ids a poll wrote, as the store remembers them, read through the plan's own
    `written` (conn_id -> entry) rather than copied: a first poll of a busy operation
    writes 60,000 conn_ids, and a second dict of them per poll was a few megabytes and a
    Python loop over every call. Each distinct entry becomes one `RememberedCall`, shared
    by its calls; `items()` pairs them in C-level passes."""

    __slots__ = ("_calls", "_written")

    def __init__(self, written: Mapping[str, _Entry], minute_of: Callable[[int], datetime]) -> None:
        self._written = written
        self._calls = _Calls(minute_of)

    def __getitem__(self, conn_id: str) -> RememberedCall:
        return self._calls[self._written[conn_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._written)

    def __len__(self) -> int:
        return len(self._written)

    def items(self) -> ItemsView[str, RememberedCall]:
        return _Items(self)

    def __repr__(self) -> str:
        return f"RememberedCalls({len(self._written)} conn_ids)"

    def pairs(self) -> Iterator[tuple[str, RememberedCall]]:
        """(conn_id, call) in the order written."""
        written = self._written
        return zip(written.keys(), map(self._calls.__getitem__, written.values()), strict=True)


class _Items(ItemsView[str, RememberedCall]):
    _mapping: RememberedCalls

    def __iter__(self) -> Iterator[tuple[str, RememberedCall]]:
        return self._mapping.pairs()


class _Calls(dict[_Entry, RememberedCall]):
    """Entry -> the one RememberedCall of its calls, made on its first look-up."""

    def __init__(self, minute_of: Callable[[int], datetime]) -> None:
        super().__init__()
        self._minute_of = minute_of

    def __missing__(self, entry: _Entry) -> RememberedCall:
        minute, call_type, result = entry
        call = self[entry] = RememberedCall(self._minute_of(minute), call_type, result)
        return call
