"""Remembered conn_ids stored a group at a time: one row per (minute, type, result) a cycle
wrote, its conn_ids one JSON array (SQLite and PostgreSQL; the memory store keeps a row each).

A poll of a busy operation brings tens of thousands of new conn_ids, and a row each (a
primary key and an age index to update per row) was most of the cost of committing it
(issue 11: ~80 ms of SQLite for 30,000 at idle, ~6 us a row). The calls of one poll share a
few hundred (minute, type, result) entries, so a group each is a few hundred rows.

The contract stays the one `LogDelta` states: a conn_id written again replaces its earlier
entry, and `forget_conn_ids_before` forgets the conn_ids whose latest entry is older.
Groups are numbered in the order they are written (an increasing id) and read back in that
order, so a later group's entry wins. Forgetting marks the groups older than the cutoff
as forgotten instead of deleting them, because a forgotten group still hides the earlier
entries of its conn_ids: a call moved from minute 5 to minute 0 must not come back at
minute 5 once minute 0 is forgotten. A forgotten group is deleted once no live group is
older (by id) than it: then nothing it could hide is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import orjson

from bot.services.ports.store import RememberedCall

ConnIdGroupRow = tuple[str, int, str, str, str]
"""operation, at (epoch microseconds), call type, result, the conn_ids as a JSON array."""
StoredGroupRow = tuple[str, int, str, str, int, str]
"""operation, at, call type, result, forgotten (0 or 1), conn_ids JSON: in write order."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def group_rows(operation: str, conn_ids: Mapping[str, RememberedCall]) -> list[ConnIdGroupRow]:
    """One row per distinct entry of `conn_ids`, its conn_ids in the order given."""
    groups: dict[RememberedCall, list[str]] = {}
    for conn_id, call in conn_ids.items():
        members = groups.get(call)
        if members is None:
            members = groups[call] = []
        members.append(conn_id)
    rows = []
    for (when, call_type, result), members in groups.items():
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("conn_id time must be a timezone-aware datetime")
        at = (when - _EPOCH) // _MICROSECOND
        rows.append((operation, at, call_type, result, orjson.dumps(members).decode()))
    return rows


def resolve_groups(rows: Iterable[StoredGroupRow]) -> dict[str, dict[str, RememberedCall]]:
    """Each operation's remembered conn_ids from its groups read in write order: the
    latest entry of each conn_id, unless that entry's group is forgotten."""
    found: dict[str, dict[str, RememberedCall]] = {}
    for operation, at, call_type, result, forgotten, members in rows:
        calls = found.get(operation)
        if calls is None:
            calls = found[operation] = {}
        ids: list[str] = orjson.loads(members)
        if forgotten:
            for conn_id in ids:
                calls.pop(conn_id, None)
        else:
            call = RememberedCall(_EPOCH + at * _MICROSECOND, call_type, result)
            calls.update(dict.fromkeys(ids, call))
    return {operation: calls for operation, calls in found.items() if calls}
