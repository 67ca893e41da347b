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
through the slots, see `_SLOT_SETTERS`) is built only when it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, tzinfo
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import Any

from bot.adapters.wolkvox.envelope import Envelope, read_envelope
from bot.adapters.wolkvox.rows_decode import ROW_TYPES, DocumentedRow
from bot.domain.calls import (
    CallRecord,
    CallResult,
    CallType,
    KeyedCalls,
    normalise_result,
    normalise_type,
)

SKIP_NOT_AN_OBJECT = "not_an_object"
SKIP_NO_CONN_ID = "no_conn_id"
SKIP_NO_DATE = "no_date"
SKIP_BAD_DATE = "bad_date"
SKIP_DUPLICATE = "duplicate"

_RECORD_FIELDS = ("conn_id", "at", "call_type", "result", "telephone", "customer_id")


def _slot_setters() -> tuple[Callable[[CallRecord, object], None], ...]:
    """The slot descriptors' setters of CallRecord, in field order.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`
    by name, which was half of the mapping's time on a 60,000-row answer
    (bench/bench_ingest.py); setting the slots directly builds the same record
    in less than half the time. That is only the same record while CallRecord
    has exactly these fields and no `__post_init__`, so a change there stops
    the import instead of being skipped silently.
    """
    if tuple(f.name for f in fields(CallRecord)) != _RECORD_FIELDS or hasattr(
        CallRecord, "__post_init__"
    ):
        raise RuntimeError("CallRecord changed: update the mapping's record construction")
    return tuple(vars(CallRecord)[name].__set__ for name in _RECORD_FIELDS)


_SLOT_SETTERS = _slot_setters()


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
    demand (`_record`). An answer of documented rows only is read in C-level passes
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
            _record,
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
_DOCUMENTED_TYPES = frozenset({DocumentedRow})
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

    A documented type or result is its own canonical spelling
    (`_check_documented_spellings`), so they are counted as they come; each distinct
    date is read once. The result equals `_map_rows`'s (tests/adapters/wolkvox).
    """
    if not rows or set(map(type, rows)) != _DOCUMENTED_TYPES:
        return None
    try:
        ids = list(map(str.strip, map(_CONN_ID, rows)))
    except TypeError:  # a conn_id that is not text
        return None
    dates = list(map(_DATE, rows))
    at_of: dict[str, datetime] = {}
    for raw in set(dates):
        at = _read_date(raw, zone) if type(raw) is str else SKIP_NO_DATE
        if isinstance(at, str):
            return None
        at_of[raw] = at
    calls = KeyedCalls.from_columns(
        ids,
        list(map(at_of.__getitem__, dates)),
        map(_TYPE_INTERACTION, rows),
        map(_RESULT_FIELD, rows),
        rows,
        _record,
        times=at_of.values(),
    )
    if "" in calls.entries or any(not t or r is None for _, t, r in calls.counts):
        return None
    return calls


_Key = tuple[datetime, str, str]
"""A row's (at, type, result) as read, before its row is added to make its `CallKey`."""
CallKey = tuple[datetime, str, str, object]
"""(at, type, result, row) of a row kept by `_map_rows`."""
_Mapped = tuple[dict[str, CallKey], dict[str, int]]


def _map_rows(rows: tuple[object, ...], keyer: _Keyer) -> _Mapped:
    """(keys by conn_id, skipped) of an answer's rows, in one pass; each key carries the
    row it was read from (its fourth item), for `_record`.

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
                conn_id = _text(row.conn_id)
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
        conn_id = raw_id.strip() if type(raw_id) is str else _text(raw_id)
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
        at = _read_date(raw, self._zone)
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
            call_type = normalise_type(_text(raw_type))
            if type(raw_type) is str:
                self._types[raw_type] = call_type
        result = self._results.get(raw_result) if type(raw_result) is str else None
        if result is None:
            result = normalise_result(_text(raw_result))
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


def _record(conn_id: str, at: datetime, call_type: str, result: str, row: Any) -> CallRecord:
    """The full record of one kept call: its key and the phone and customer id of its row."""
    if type(row) is dict:
        phone = row.get("telephone") or row.get("tel_number")
        customer = row.get("customer_id")
    else:
        phone = row.telephone or row.tel_number
        customer = row.customer_id
    record = _new_record(CallRecord)
    set_conn_id, set_at, set_type, set_result, set_phone, set_customer = _SLOT_SETTERS
    set_conn_id(record, conn_id)
    set_at(record, at)
    set_type(record, call_type)
    set_result(record, result)
    set_phone(record, phone.strip() if type(phone) is str else _text(phone))
    set_customer(record, customer.strip() if type(customer) is str else _text(customer))
    return record


_new_record = object.__new__


def parse_local_date(text: str, zone: tzinfo) -> datetime | None:
    """Read a vendor date in the operation's zone and return it as aware UTC, or None.

    Accepts `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM`, the compact `YYYYmmddHHiiss`
    and `YYYYmmddHHii`, and any other ISO 8601 date-time (an explicit offset in it
    wins over `zone`). A bare date is not a usable call time.
    """
    text = text.strip()
    size = len(text)
    try:
        if (size == 19 or size == 16) and text[4] in "-/" and text[13] == ":":
            local = datetime(
                int(text[0:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13]),
                int(text[14:16]),
                int(text[17:19]) if size == 19 else 0,
                tzinfo=zone,
            )
        elif (size == 14 or size == 12) and text.isdigit():
            local = datetime(
                int(text[0:4]),
                int(text[4:6]),
                int(text[6:8]),
                int(text[8:10]),
                int(text[10:12]),
                int(text[12:14]) if size == 14 else 0,
                tzinfo=zone,
            )
        elif size > 10:
            local = datetime.fromisoformat(text)
            if local.tzinfo is None:
                local = local.replace(tzinfo=zone)
        else:
            return None
        # A date at the very edge of the calendar (9999-12-31 23:59 in Bogota) is valid
        # locally but has no UTC: OverflowError, an unusable date like any other.
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _read_date(raw: object, zone: tzinfo) -> datetime | str:
    """The call time as aware UTC, or the reason the row cannot be used."""
    if type(raw) is int:
        raw = str(raw)
    if type(raw) is not str or not raw.strip():
        return SKIP_NO_DATE
    at = parse_local_date(raw, zone)
    return SKIP_BAD_DATE if at is None else at


def _text(value: object) -> str:
    if type(value) is str:
        return value.strip()
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return ""
