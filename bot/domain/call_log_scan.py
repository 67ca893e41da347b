"""One poll's calls read against the call log's conn_id memory (bot.domain.call_log).

A poll of a busy operation brings tens of thousands of calls, most of them seen by the
previous poll: this is the per-call loop of an ingest, kept apart from the log's
bookkeeping. `scan_records` reads any records; `scan_keyed` reads an answer's calls by
key (`KeyedCalls`) without building their records, with the same result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress, repeat
from operator import eq, not_

from bot.domain.calls import CallRecord, KeyedCalls, epoch_minute

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
_Entry = tuple[int, str, str]
_UNPLACED = -(2**63)
"""A minute no datetime falls in: marks a call time not placed in a minute yet."""


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one poll's records did to the log (for the poll's log line and metrics).

    `out_of_range`: records older than the retention or further in the future
    than the tolerance (a skewed clock); they are not counted.
    """

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    out_of_range: int = 0


_Scan = tuple[Mapping[str, _Entry], Mapping[str, _Entry], Mapping[_Entry, int], IngestReport]


def scan_records(
    records: Iterable[CallRecord],
    current: dict[str, _Entry],
    previous: dict[str, _Entry],
    oldest: int,
    latest: datetime,
) -> _Scan:
    """One poll's records against the conn_id memory: (moved, written, changes, report).

    `moved`: the memory entries the poll sets (new, changed, or promoted from the
    previous generation); `written`: the new and changed calls; `changes`: +n / -n per
    (minute, type, result).
    """
    moved: dict[str, _Entry] = {}
    written: dict[str, _Entry] = {}
    changes: Counter[_Entry] = Counter()
    new = updated = duplicates = out_of_range = 0
    epoch, minute_len = _EPOCH, _MINUTE
    # Calls share their times (to the second), so each distinct time is placed
    # once: datetime arithmetic per record was a third of a 60,000-record ingest.
    minutes: dict[datetime, int | None] = {}
    for record in records:
        at = record.at
        minute = minutes.get(at, _UNPLACED)
        if minute is _UNPLACED:
            minute = (at - epoch) // minute_len
            if minute < oldest or at > latest:
                minute = None
            minutes[at] = minute
        if minute is None:
            out_of_range += 1
            continue
        entry = (minute, record.call_type, record.result)
        conn_id = record.conn_id or _synthetic_id(record)
        known = moved.get(conn_id) or current.get(conn_id)
        if known is None:
            known = previous.get(conn_id)
            if known is None:
                moved[conn_id] = written[conn_id] = entry
                changes[entry] += 1
                new += 1
                continue
            moved[conn_id] = known
        if known == entry:
            duplicates += 1
        else:
            moved[conn_id] = written[conn_id] = entry
            changes[known] -= 1
            changes[entry] += 1
            updated += 1
    return moved, written, changes, IngestReport(new, updated, duplicates, out_of_range)


def scan_keyed(
    calls: KeyedCalls,
    current: dict[str, _Entry],
    previous: dict[str, _Entry],
    oldest: int,
    latest: datetime,
) -> _Scan:
    """`scan_records` of an answer's calls by key, without building their records.

    The same result for the same calls (tests/adapters/wolkvox/test_mapping_keyed.py
    compares them). The answer's entries and counts are already made (`KeyedCalls`):
    a first poll takes them as they are. Most calls of a later poll were seen by the
    last one with the same entry: those are recognised in C-level passes over the
    answer (`map`, `compress`), and only the rest, the new and changed calls, are
    looked at one by one; when none of them changed or comes back from the previous
    generation, not even that.
    """
    entries = calls.entries
    span = calls.span
    if span is None:
        return {}, {}, {}, IngestReport()
    if epoch_minute(span[0]) < oldest or span[1] > latest:
        # A call out of range (rare): the plain loop counts it where it lies.
        in_range = map(_in_range, entries.values(), calls.ats, repeat(oldest), repeat(latest))
        return _scan_each(zip(entries, in_range, strict=True), current, previous, 0)
    if not current and not previous:
        # Nothing remembered (the first poll): every call is new.
        return entries, entries, calls.counts, IngestReport(len(entries), 0, 0)
    entry_list = list(entries.values())
    known = list(map(current.get, entries))
    same = list(map(eq, known, entry_list))
    duplicates = sum(same)
    if duplicates == len(same):
        return {}, {}, {}, IngestReport(0, 0, duplicates, 0)
    differ = list(map(not_, same))
    rest_ids = list(compress(entries, differ))
    rest_entries = list(compress(entry_list, differ))
    # None of the rest is in `current` with another entry (a changed call), nor in the
    # previous generation: they are all new.
    if not any(compress(known, differ)) and (
        not previous or not any(map(previous.__contains__, rest_ids))
    ):
        written = dict(zip(rest_ids, rest_entries, strict=True))
        new = len(written)
        return written, written, Counter(rest_entries), IngestReport(new, 0, duplicates)
    return _scan_each(zip(rest_ids, rest_entries, strict=True), current, previous, duplicates)


def _scan_each(
    calls: Iterable[tuple[str, _Entry | None]],
    current: dict[str, _Entry],
    previous: dict[str, _Entry],
    duplicates: int,
) -> _Scan:
    """`scan_records` of (distinct conn_id, its entry or None if out of range), one by one."""
    moved: dict[str, _Entry] = {}
    written: dict[str, _Entry] = {}
    changes: dict[_Entry, int] = {}
    new = updated = out_of_range = 0
    get_current, get_previous, get_change = current.get, previous.get, changes.get
    for conn_id, entry in calls:
        if entry is None:
            out_of_range += 1
            continue
        known = get_current(conn_id)
        if known is None:
            known = get_previous(conn_id)
            if known is None:
                moved[conn_id] = written[conn_id] = entry
                changes[entry] = get_change(entry, 0) + 1
                new += 1
                continue
            moved[conn_id] = known
        if known == entry:
            duplicates += 1
        else:
            moved[conn_id] = written[conn_id] = entry
            changes[known] = get_change(known, 0) - 1
            changes[entry] = get_change(entry, 0) + 1
            updated += 1
    return moved, written, changes, IngestReport(new, updated, duplicates, out_of_range)


def _in_range(entry: _Entry, at: datetime, oldest: int, latest: datetime) -> _Entry | None:
    """A call's entry, or None when the call is out of range."""
    return None if entry[0] < oldest or at > latest else entry


def _synthetic_id(record: CallRecord) -> str:
    """An identity for a record that arrived without conn_id, so overlaps still de-duplicate."""
    return f"\x00{record.at.isoformat()}|{record.call_type}|{record.result}|{record.telephone}"
