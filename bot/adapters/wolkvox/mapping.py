"""calls_last_10 rows to CallRecords: the anti-corruption layer (pure: no I/O).

Vendor rows die here: dicts as orjson decodes them, or `CallRow`s as
rows_decode.py does, read by the same rules in the same loop. A row that
cannot be used (not an object, no conn_id, no usable date) is skipped and
counted by reason so the poll can report it; a value that is merely unknown is
kept. Dates are naive local time of the operation and become aware UTC.

This is the hot path of a 60,000-record answer. An answer of documented rows
with nothing to skip (the usual one) is read in C-level passes over its rows
(`_map_documented`); any other row by row (`_map_rows`), normalising spellings
and dates once per distinct value. Either way a call becomes its conn_id and
entry in a `KeyedCalls`, and its full record (phone and customer id read, built
through the slots, call_fields.py) is built only when it is read. How one field
is read (dates, text values, the record) lives in call_fields.py, for both paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from operator import attrgetter, itemgetter
from types import MappingProxyType

from bot.adapters.wolkvox.call_fields import (
    SKIP_NO_DATE,
    build_record,
    read_date,
    text,
)
from bot.adapters.wolkvox.envelope import Envelope, read_envelope
from bot.adapters.wolkvox.rows_decode import ROW_TYPES, DocumentedRow
from bot.domain.calls import (
    CallRecord,
    CallResult,
    CallType,
    KeyedCalls,
    epoch_minute,
    normalise_result,
    normalise_type,
)

SKIP_NOT_AN_OBJECT = "not_an_object"
SKIP_NO_CONN_ID = "no_conn_id"
SKIP_DUPLICATE = "duplicate"


def _check_documented_spellings() -> None:
    """A DocumentedRow's type and result are used as they come (`_map_rows`): that is
    only right while every documented spelling is its own canonical value, so a change
    in the normalisation stops the import instead of miscounting."""
    if any(normalise_type(t.value) != t.value for t in CallType) or any(
        normalise_result(r.value) != r.value for r in CallResult
    ):
        raise RuntimeError("a documented spelling is not canonical: update _map_rows")


_check_documented_spellings()


@dataclass(frozen=True, slots=True)
class MappedBatch:
    """The usable calls of one answer and what was left out.

    `records` are the calls by conn_id (`KeyedCalls`: the call log counts them by key,
    and a full record is built only for the calls that are read). `skipped` maps a
    reason to how many rows it removed. `possibly_truncated` is true when the answer hit
    the vendor's 60,000-record cut, so counts may be low. `declared_count` is the number
    in the server's `msg`, informative only.
    """

    records: Sequence[CallRecord]
    skipped: Mapping[str, int]
    possibly_truncated: bool = False
    declared_count: int | None = None
    sent_at: datetime | None = None
    """When the request was sent: the answer saw no call made after it."""

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def map_calls_payload(payload: object, zone: tzinfo, *, status: int = 200) -> MappedBatch:
    """Map a decoded calls_last_10 answer; raises the matching WolkvoxError for error envelopes."""
    return map_calls(read_envelope(payload, status=status, api="calls_last_10"), zone)


def map_calls(envelope: Envelope, zone: tzinfo) -> MappedBatch:
    """Map the rows of a successful calls_last_10 answer, read in the operation's `zone`.

    Every usable row is keyed by its conn_id (a later row with the same conn_id wins,
    and is counted as a duplicate); the records are built from the rows kept, on
    demand (`build_record`). An answer of documented rows only is read in C-level passes
    (`_map_documented`); any other answer row by row (`_map_rows`), by the same rules.
    """
    rows = envelope.rows
    mapped = _map_documented(rows, zone)
    if mapped is None:
        keys, skipped = _map_rows(rows, _Keyer(zone))
        values = keys.values()
        calls = KeyedCalls.from_columns(
            list(keys),
            list(map(_AT, values)),
            map(_TYPE, values),
            map(_RESULT, values),
            list(map(_ROW, values)),
            build_record,
        )
    else:
        calls = mapped
        skipped = {SKIP_DUPLICATE: calls.duplicates} if calls.duplicates else {}
    return MappedBatch(
        records=calls,
        skipped=MappingProxyType(skipped),
        possibly_truncated=envelope.possibly_truncated,
        declared_count=envelope.declared_count,
        sent_at=envelope.sent_at,
    )


_AT, _TYPE, _RESULT, _ROW = (itemgetter(i) for i in range(4))
_CONN_ID = attrgetter("conn_id")
_DATE = attrgetter("date")
_TYPE_INTERACTION = attrgetter("type_interaction")
_RESULT_FIELD = attrgetter("result")


def _map_documented(rows: tuple[object, ...], zone: tzinfo) -> KeyedCalls | None:
    """The calls of an answer whose rows are all `DocumentedRow`s with nothing to skip,
    in C-level passes over the rows (no Python code per row), or None to map it row by
    row: a row that is not a DocumentedRow, a conn_id that is not text or is empty once
    stripped, a date that is not text or not a usable call time, a type that is missing
    or empty (the old `type_call` may stand in for it), a missing result.

    One decoder reads a whole answer, so when its first row is a DocumentedRow every
    object in it is one, and a row that is no object has no conn_id to get. A documented
    type or result is its own canonical spelling (`_check_documented_spellings`), so
    they are used as they come; each distinct date is read once (`_Minutes`), and each
    distinct entry is made once (`_Entries`, which also refuses any type or result that is
    not a documented spelling): a call costs a few dictionary look-ups, no object of its
    own. The result equals `_map_rows`'s (tests/adapters/wolkvox).
    """
    if not rows or type(rows[0]) is not DocumentedRow:
        return None
    try:
        ids = list(map(str.strip, map(_CONN_ID, rows)))
    except (AttributeError, TypeError):  # a row that is no object, a conn_id not text
        return None
    dates = list(map(_DATE, rows))
    minutes = _Minutes(zone)
    made = _Entries()
    entries = list(
        map(
            made.__getitem__,
            zip(
                map(minutes.__getitem__, dates),
                map(_TYPE_INTERACTION, rows),
                map(_RESULT_FIELD, rows),
                strict=True,
            ),
        )
    )
    if minutes.refused or made.refused:
        return None
    calls = KeyedCalls.from_entries(ids, entries, dates, minutes.times, rows, build_record)
    return None if "" in calls.entries else calls


_DOCUMENTED_TYPES = frozenset(t.value for t in CallType)
_DOCUMENTED_RESULTS = frozenset({"", *(r.value for r in CallResult)})


class _Minutes(dict[object, int]):
    """A documented answer's dates to their epoch minutes, each date read once (on its
    first look-up), one int object per minute. `times` holds each date's call time;
    `refused` is set by a date that is not a usable call time."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__()
        self.zone = zone
        self.times: dict[object, datetime] = {}
        self.refused = False
        self._shared: dict[int, int] = {}

    def __missing__(self, raw: object) -> int:
        at = read_date(raw, self.zone) if type(raw) is str else SKIP_NO_DATE
        if isinstance(at, str):
            self.refused = True
            self[raw] = 0  # looked up again without reading it again
            return 0
        minute = epoch_minute(at)
        minute = self[raw] = self._shared.setdefault(minute, minute)
        self.times[raw] = at
        return minute


class _Entries(dict[tuple[int, object, object], tuple[int, str, str]]):
    """(minute, type, result) as a documented row has them to the one entry tuple that
    stands for them all; `refused` is set by a type that is not a documented spelling
    (missing and empty included) or a result that is neither one nor empty, so that a
    row of another class mixed into `map_calls`'s rows is never counted unnormalised.
    The key looked up is the tuple `zip` hands out: the first one kept here becomes an
    entry, and `zip`, which reuses its tuple only while no one else holds it, makes a
    new one for the next row."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = False

    def __missing__(self, key: tuple[int, object, object]) -> tuple[int, str, str]:
        _, call_type, result = key
        if call_type not in _DOCUMENTED_TYPES or result not in _DOCUMENTED_RESULTS:
            self.refused = True
        self[key] = key  # type: ignore[assignment]
        return key  # type: ignore[return-value]


_Key = tuple[datetime, str, str]
"""A row's (at, type, result) as read, before its row is added to make its `CallKey`."""
CallKey = tuple[datetime, str, str, object]
"""(at, type, result, row) of a row kept by `_map_rows`."""
_Mapped = tuple[dict[str, CallKey], dict[str, int]]


def _map_rows(rows: tuple[object, ...], keyer: _Keyer) -> _Mapped:
    """(keys by conn_id, skipped) of an answer's rows, in one pass; each key carries the
    row it was read from (its fourth item), for `build_record`.

    A DocumentedRow's type and result are documented spellings, which are their own
    canonical values, or empty: only its date needs reading (once per distinct date).
    Other rows are read by `_read_row`, with the same rules. A conn_id named again
    keeps its first place and takes the later row's values; each repeat is counted as
    a duplicate (the usable rows less the distinct conn_ids).
    """
    keys: dict[str, CallKey] = {}
    skipped: dict[str, int] = {}
    dates = keyer.dates
    read_date = keyer.date
    documented = DocumentedRow
    for row in rows:
        if type(row) is documented:
            try:
                conn_id = row.conn_id.strip()  # type: ignore[union-attr]
            except AttributeError:  # not a string
                conn_id = text(row.conn_id)
            if not conn_id:
                skipped[SKIP_NO_CONN_ID] = skipped.get(SKIP_NO_CONN_ID, 0) + 1
                continue
            at = dates.get(row.date)  # type: ignore[arg-type]
            if at is None:
                when = read_date(row.date)
                if isinstance(when, str):
                    skipped[when] = skipped.get(when, 0) + 1
                    continue
                at = when
            call_type = row.type_interaction or row.type_call or ""
            keys[conn_id] = (at, call_type, row.result or "", row)
            continue
        read = _read_row(row, keyer)
        if read is None:
            skipped[SKIP_NOT_AN_OBJECT] = skipped.get(SKIP_NOT_AN_OBJECT, 0) + 1
            continue
        raw_id, key = read
        conn_id = raw_id.strip() if type(raw_id) is str else text(raw_id)
        if not conn_id:
            skipped[SKIP_NO_CONN_ID] = skipped.get(SKIP_NO_CONN_ID, 0) + 1
        elif isinstance(key, str):
            skipped[key] = skipped.get(key, 0) + 1
        else:
            keys[conn_id] = (*key, row)
    repeated = len(rows) - sum(skipped.values()) - len(keys)
    if repeated:
        skipped[SKIP_DUPLICATE] = repeated
    return keys, skipped


class _Keyer:
    """Vendor (date, type, result) to a `CallKey`, or the reason the row is unusable.

    Dates and spellings are read once per distinct value (a 10-minute window has a few
    hundred distinct dates and a handful of types and results), never once per row.
    `dates` holds the dates that read; `date` remembers the others' reasons apart, so a
    hit in `dates` is always a call time.
    """

    __slots__ = ("_refused", "_results", "_types", "_zone", "dates")

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self.dates: dict[str, datetime] = {}
        self._refused: dict[str, str] = {}
        self._types: dict[str, str] = {}
        self._results: dict[str, str] = {}

    def date(self, raw: object) -> datetime | str:
        """The call time as aware UTC, or the reason the row cannot be used."""
        if type(raw) is str:
            cached = self.dates.get(raw) or self._refused.get(raw)
            if cached is not None:
                return cached
        at = read_date(raw, self._zone)
        if type(raw) is str:
            if isinstance(at, str):
                self._refused[raw] = at
            else:
                self.dates[raw] = at
        return at

    def key(self, raw_date: object, raw_type: object, raw_result: object) -> _Key | str:
        at = self.date(raw_date)
        if isinstance(at, str):
            return at
        call_type = self._types.get(raw_type) if type(raw_type) is str else None
        if call_type is None:
            call_type = normalise_type(text(raw_type))
            if type(raw_type) is str:
                self._types[raw_type] = call_type
        result = self._results.get(raw_result) if type(raw_result) is str else None
        if result is None:
            result = normalise_result(text(raw_result))
            if type(raw_result) is str:
                self._results[raw_result] = result
        return (at, call_type, result)


def _read_row(row: object, keyer: _Keyer) -> tuple[object, _Key | str] | None:
    """(conn_id, key or skip reason) of a row that is not a DocumentedRow (a CallRow
    with other spellings, or a dict as orjson decodes it), or None if it is no object."""
    if type(row) in ROW_TYPES:
        conn_id = row.conn_id  # type: ignore[attr-defined]
        raw_date = row.date  # type: ignore[attr-defined]
        raw_type = row.type_interaction or row.type_call  # type: ignore[attr-defined]
        raw_result = row.result  # type: ignore[attr-defined]
    elif type(row) is dict:
        get = row.get
        conn_id = get("conn_id")
        raw_date = get("date")
        raw_type = get("type_interaction") or get("type_call")
        raw_result = get("result")
    else:
        return None
    return conn_id, keyer.key(raw_date, raw_type, raw_result)
