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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import compress
from operator import itemgetter
from typing import overload


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


CallKey = tuple[datetime, str, str] | tuple[datetime, str, str, object]
"""(at, call type, result[, source]): what the call log counts a call by, then optionally
what the answer's builder needs to build the full record (the vendor row, opaque here and
never compared or hashed). Only the first three are read by the domain, by position, so
a mapping keeps the row with its key instead of in a second dict of 60,000 (issue 11)."""


class KeyedCalls(Sequence[CallRecord]):
    """The calls of one answer keyed by conn_id, their full records built only when read.

    The call log needs only each call's key to count it, and a poll of a busy operation
    repeats most of its calls from the last poll, so building a `CallRecord` (phone and
    customer id read, an object per call) for every call was most of an ingest's cost
    (issue 11). `keys` maps each distinct, non-empty conn_id to its key, in the order
    the answer first named it; reading this as a sequence gives exactly the records a
    plain mapping would have built, in that order, built once and kept.
    """

    __slots__ = ("_build", "_keys", "_records")

    def __init__(
        self, keys: Mapping[str, CallKey], build: Callable[[str, CallKey], CallRecord]
    ) -> None:
        self._keys = keys
        self._build = build
        self._records: tuple[CallRecord, ...] | None = None

    @property
    def keys(self) -> Mapping[str, CallKey]:
        return self._keys

    def record(self, conn_id: str) -> CallRecord:
        """The full record of one call of this answer."""
        return self._build(conn_id, self._keys[conn_id])

    def _all(self) -> tuple[CallRecord, ...]:
        if self._records is None:
            build = self._build
            self._records = tuple(build(c, k) for c, k in self._keys.items())
        return self._records

    def __len__(self) -> int:
        return len(self._keys)

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
        return f"KeyedCalls({len(self._keys)} calls)"

    def latest(self, n: int) -> tuple[CallRecord, ...]:
        """`latest_calls(self, n)`, building only the few records it returns.

        The calls at the latest times are picked out by key first (C-level passes over
        the keys, widening the times taken until at least `n` calls are in), then ranked
        exactly as `latest_calls` ranks all of them.
        """
        keys = self._keys
        if n <= 0 or not keys:
            return ()
        times = sorted(set(map(_AT, keys.values())), reverse=True)
        take = 1
        while True:
            wanted = frozenset(times[:take])
            chosen = list(compress(keys.items(), map(wanted.__contains__, map(_AT, keys.values()))))
            if len(chosen) >= n or take >= len(times):
                break
            take *= 2
        top = heapq.nlargest(n, chosen, key=_item_at)
        build = self._build
        return tuple(build(c, k) for c, k in reversed(top))


_AT = itemgetter(0)


def _item_at(item: tuple[str, CallKey]) -> datetime:
    return item[1][0]


def _record_at(record: CallRecord) -> datetime:
    return record.at


def latest_calls(records: Sequence[CallRecord], n: int) -> tuple[CallRecord, ...]:
    """The `n` latest calls, oldest first (of calls at the same time, the earlier listed
    comes later): what `/calls last10` shows."""
    if isinstance(records, KeyedCalls):
        return records.latest(n)
    return tuple(reversed(heapq.nlargest(n, records, key=_record_at)))
