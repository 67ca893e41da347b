"""Call records as the domain sees them.

Vendor payloads die at the adapter boundary; from here on a call is a frozen
`CallRecord` with normalised type and result. Wolkvox spells the same value in
several ways (case, spaces, hyphens, underscores, dropped spaces), so
`normalise_token` folds them all onto one canonical spelling. A value that is
still unknown after folding is kept as it is: it is counted and shown, never
dropped and never a crash.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import compress
from operator import itemgetter
from typing import cast, overload


class CallType(StrEnum):
    """The documented `type_interaction` values of calls_last_10."""

    CONFERENCE = "conference"
    INBOUND = "inbound"
    INTERNAL_CALL = "internal call"
    INTERNAL_CALL_INB = "internal call_inb"
    INTERNAL_CALL_QUE = "internal call_que"
    OUT_PRE = "out_pre"
    OUTBOUND_MA = "outbound_ma"
    TRANSFER = "transfer"


class CallResult(StrEnum):
    """The documented `result` values of calls_last_10."""

    ANSWER = "answer"
    ABANDON = "abandon"
    NO_ANSWER = "no answer"
    BUSY = "busy"
    FAILED = "failed"
    CONGESTION = "congestion"
    CHANUNAVAIL = "chanunavail"
    ANSWER_MACHINE = "answer machine"


OUTBOUND_TYPES: frozenset[str] = frozenset({CallType.OUT_PRE, CallType.OUTBOUND_MA})
"""Types that are outbound calls (the `outbound` alias in rules and commands)."""

NETWORK_FAILURE_RESULTS: frozenset[str] = frozenset(
    {CallResult.CHANUNAVAIL, CallResult.CONGESTION, CallResult.FAILED}
)
"""Results that say the network or trunk failed, not the customer."""

_SEPARATORS = re.compile(r"[\s\-_]+")


def _squash(value: str) -> str:
    return _SEPARATORS.sub("", value.strip().lower())


_TYPE_BY_SQUASHED: dict[str, str] = {_squash(t.value): t.value for t in CallType}
_RESULT_BY_SQUASHED: dict[str, str] = {_squash(r.value): r.value for r in CallResult}
_RESULT_BY_SQUASHED["answered"] = CallResult.ANSWER.value
_RESULT_BY_SQUASHED["abandoned"] = CallResult.ABANDON.value
_RESULT_BY_SQUASHED["noanswered"] = CallResult.NO_ANSWER.value
_RESULT_BY_SQUASHED["answeringmachine"] = CallResult.ANSWER_MACHINE.value


def _fold_unknown(value: str) -> str:
    return " ".join(value.strip().lower().split())


def normalise_type(value: str) -> str:
    """Map any spelling of a call type to its canonical value; unknown values are kept.

    Unknown values are lower-cased with inner whitespace collapsed so the same
    unknown value spelled twice counts once.
    """
    return _TYPE_BY_SQUASHED.get(_squash(value), _fold_unknown(value))


def normalise_result(value: str) -> str:
    """Map any spelling of a call result to its canonical value; unknown values are kept."""
    return _RESULT_BY_SQUASHED.get(_squash(value), _fold_unknown(value))


def expand_types(values: frozenset[str] | set[str] | list[str] | tuple[str, ...]) -> frozenset[str]:
    """Normalise type filters, expanding the `outbound` alias to its documented types."""
    out: set[str] = set()
    for value in values:
        if _squash(value) == "outbound":
            out |= OUTBOUND_TYPES
        else:
            out.add(normalise_type(value))
    return frozenset(out)


def expand_results(
    values: frozenset[str] | set[str] | list[str] | tuple[str, ...],
) -> frozenset[str]:
    """Normalise result filters, expanding the `network` alias to the network failures."""
    out: set[str] = set()
    for value in values:
        if _squash(value) in {"network", "networkfailure", "networkfailures"}:
            out |= NETWORK_FAILURE_RESULTS
        else:
            out.add(normalise_result(value))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call from calls_last_10, normalised.

    `at` is timezone-aware UTC. `call_type` and `result` are canonical values
    (a `CallType`/`CallResult` value when known, the folded vendor string
    otherwise). `telephone` and `customer_id` are personal data: they are kept
    for masking at render time and never logged.
    """

    conn_id: str
    at: datetime
    call_type: str
    result: str
    telephone: str = ""
    customer_id: str = ""

    @property
    def is_outbound(self) -> bool:
        return self.call_type in OUTBOUND_TYPES


Entry = tuple[int, str, str]
"""(epoch minute, call type, result): what the call log counts and remembers a call by."""

Build = Callable[[str, datetime, str, str, object], CallRecord]
"""(conn_id, time, type, result, source) -> the call's full record."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)


def epoch_minute(at: datetime) -> int:
    """The minute since the Unix epoch that the aware time `at` falls in."""
    return (at - _EPOCH) // _MINUTE


class KeyedCalls(Sequence[CallRecord]):
    """The calls of one answer keyed by conn_id, their full records built only when read.

    The call log needs only each call's entry (minute, type, result) to count it, and a
    poll of a busy operation repeats most of its calls from the last poll, so building a
    `CallRecord` (phone and customer id read, an object per call) for every call was most
    of an ingest's cost (issue 11). Made by `from_entries` or `from_columns`. `entries`
    maps each distinct conn_id to its entry, in the order the answer first named it. Each
    call's time is kept as a stamp: the time itself (`time_of` None), or the vendor's date
    text, read through `time_of` only where a time is wanted (a record built, the latest
    calls), so an answer's 60,000 times are not looked up when its entries already say the
    minute.
    Reading this as a sequence gives exactly the records a plain mapping would have
    built, in that order, built once and kept.
    """

    __slots__ = (
        "_ats",
        "_build",
        "_counts",
        "_duplicates",
        "_entries",
        "_ids",
        "_records",
        "_sources",
        "_span",
        "_stamps",
        "_time_of",
    )

    def __init__(
        self,
        ids: list[str],
        entries: dict[str, Entry],
        stamps: Sequence[Hashable],
        time_of: Mapping[Hashable, datetime] | None,
        sources: Sequence[object],
        build: Build,
        duplicates: int,
    ) -> None:
        """Use `from_entries` or `from_columns`: this trusts its arguments to agree."""
        self._ids = ids
        self._entries = entries
        self._stamps = stamps
        self._time_of = time_of
        self._sources = sources
        self._build = build
        self._duplicates = duplicates
        self._ats: Sequence[datetime] | None = None
        self._counts: Mapping[Entry, int] | None = None
        self._span: tuple[datetime, datetime] | None = None
        self._records: tuple[CallRecord, ...] | None = None

    @classmethod
    def from_entries(
        cls,
        ids: Sequence[str],
        entries: Sequence[Entry],
        stamps: Sequence[Hashable],
        time_of: Mapping[Hashable, datetime] | None,
        sources: Sequence[object],
        build: Build,
    ) -> KeyedCalls:
        """The calls of an answer given as columns, one item per call as listed.

        `ids` are non-empty conn_ids; `entries` the calls' (epoch minute, type, result),
        with canonical spellings; `stamps` stand for the calls' times, `time_of[stamp]`
        being the aware time (it holds every stamp listed, repeats included, and no other),
        or with `time_of` None each stamp is the call's own aware time; `build(conn_id,
        time, type, result, source)` makes a call's record. A conn_id listed again keeps
        its first place and takes the later call's values (`duplicates` counts the
        repeats). Every step is a C-level pass over the columns.
        """
        keyed = dict(zip(ids, entries, strict=True))
        listed = len(ids)
        if len(keyed) == listed:
            calls = cls(list(ids), keyed, stamps, time_of, sources, build, 0)
        else:
            # Each repeated conn_id's last stamp and source, in the order of its first place.
            last = list(dict(zip(ids, range(listed), strict=True)).values())
            calls = cls(
                list(keyed),
                keyed,
                list(map(stamps.__getitem__, last)),
                time_of,
                list(map(sources.__getitem__, last)),
                build,
                listed - len(keyed),
            )
        times = cast("Sequence[datetime]", stamps) if time_of is None else time_of.values()
        if times:
            calls._span = (min(times), max(times))
        return calls

    @classmethod
    def from_columns(
        cls,
        ids: Sequence[str],
        ats: Sequence[datetime],
        types: Iterable[str],
        results: Iterable[str],
        sources: Sequence[object],
        build: Build,
    ) -> KeyedCalls:
        """`from_entries` of calls given by their aware times, types and results (the
        time of each call is its own stamp)."""
        # One int object per minute, so that entries of one minute compare by identity.
        shared: dict[int, int] = {}
        minute_of = {at: shared.setdefault(m, m) for at in set(ats) for m in (epoch_minute(at),)}
        entries = list(zip(map(minute_of.__getitem__, ats), types, results, strict=True))
        return cls.from_entries(ids, entries, ats, None, sources, build)

    @property
    def entries(self) -> Mapping[str, Entry]:
        """conn_id -> (epoch minute, type, result), in the order the answer named them."""
        return self._entries

    @property
    def ats(self) -> Sequence[datetime]:
        """Each call's time, in the order of `entries` (looked up on first read)."""
        if self._ats is None:
            stamps, time_of = self._stamps, self._time_of
            if time_of is None:
                self._ats = cast("Sequence[datetime]", stamps)
            else:
                self._ats = list(map(time_of.__getitem__, stamps))
        return self._ats

    @property
    def span(self) -> tuple[datetime, datetime] | None:
        """(earliest, latest) call time listed (None when empty); repeats included."""
        return self._span

    @property
    def duplicates(self) -> int:
        """How many listed calls repeated a conn_id listed before (and replaced it)."""
        return self._duplicates

    @property
    def counts(self) -> Mapping[Entry, int]:
        """How many calls each entry has (computed once, on first read)."""
        if self._counts is None:
            self._counts = Counter(self._entries.values())
        return self._counts

    def _at(self, index: int) -> CallRecord:
        conn_id = self._ids[index]
        _, call_type, result = self._entries[conn_id]
        stamp = self._stamps[index]
        at = cast(datetime, stamp) if self._time_of is None else self._time_of[stamp]
        return self._build(conn_id, at, call_type, result, self._sources[index])

    def _all(self) -> tuple[CallRecord, ...]:
        if self._records is None:
            entries = self._entries.values()
            self._records = tuple(
                map(
                    self._build,
                    self._ids,
                    self.ats,
                    map(_TYPE, entries),
                    map(_RESULT, entries),
                    self._sources,
                )
            )
        return self._records

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self._all())

    @overload
    def __getitem__(self, index: int) -> CallRecord: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[CallRecord, ...]: ...

    def __getitem__(self, index: int | slice) -> CallRecord | tuple[CallRecord, ...]:
        return self._all()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, KeyedCalls | tuple | list):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"KeyedCalls({len(self._ids)} calls)"

    def latest(self, n: int) -> tuple[CallRecord, ...]:
        """`latest_calls(self, n)`, building only the few records it returns.

        The calls at the latest times are picked out first (C-level passes over the
        stamps, widening the times taken until at least `n` calls are in), then ranked
        exactly as `latest_calls` ranks all of them.
        """
        stamps = self._stamps
        if n <= 0 or not stamps:
            return ()
        time_of = self._time_of
        if time_of is None:
            by_time: Sequence[Hashable] = sorted(
                set(cast("Sequence[datetime]", stamps)), reverse=True
            )
            time: Callable[[Hashable], datetime] = _itself
        else:
            by_time = sorted(time_of, key=time_of.__getitem__, reverse=True)
            time = time_of.__getitem__
        take = 1
        while True:
            # The latest `take` stamps, and any other stamp of the same time as the last.
            last = time(by_time[take - 1])
            while take < len(by_time) and time(by_time[take]) == last:
                take += 1
            wanted = frozenset(by_time[:take])
            chosen = list(compress(range(len(stamps)), map(wanted.__contains__, stamps)))
            if len(chosen) >= n or take >= len(by_time):
                break
            take = min(2 * take, len(by_time))
        top = heapq.nlargest(n, chosen, key=lambda i: time(stamps[i]))
        return tuple(map(self._at, reversed(top)))


_TYPE = itemgetter(1)
_RESULT = itemgetter(2)


def _itself(stamp: Hashable) -> datetime:
    """The time of a stamp that is its own time (`KeyedCalls` made by `from_columns`)."""
    return cast(datetime, stamp)


def _record_at(record: CallRecord) -> datetime:
    return record.at


def latest_calls(records: Sequence[CallRecord], n: int) -> tuple[CallRecord, ...]:
    """The `n` latest calls, oldest first (of calls at the same time, the earlier listed
    comes later): what `/calls last10` shows."""
    if isinstance(records, KeyedCalls):
        return records.latest(n)
    return tuple(reversed(heapq.nlargest(n, records, key=_record_at)))
