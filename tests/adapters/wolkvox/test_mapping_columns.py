"""An answer of documented rows is read in C-level passes (`_map_documented`); anything
odd in it sends the whole answer to the row-by-row mapping. Either way the bot sees the
same calls, skips and counts as the generic path (orjson dicts, mapped row by row).

Each case is a clean five-row answer with one thing changed, as the vendor's payloads
vary: numbers as strings or strings as numbers, missing or null fields, the old field
names, spaces, repeats, dates that cannot be read or lie outside the log's range.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from bot.adapters.wolkvox.envelope import Envelope
from bot.adapters.wolkvox.mapping import _map_documented, map_calls, map_calls_payload
from bot.adapters.wolkvox.response import decode_response, map_calls_response
from bot.adapters.wolkvox.rows_decode import CallRow, DocumentedRow
from bot.domain.call_log import CallLog
from bot.domain.calls import latest_calls

BOGOTA = ZoneInfo("America/Bogota")
NOW = datetime(2026, 1, 19, 15, 40, tzinfo=UTC)  # 10:40 in Bogota


def _local(minutes: int, seconds: int = 0) -> str:
    at = (NOW - timedelta(minutes=minutes, seconds=seconds)).astimezone(BOGOTA)
    return at.strftime("%Y-%m-%d %H:%M:%S")


def _clean() -> list[dict[str, Any]]:
    return [
        {
            "conn_id": f"6736.4628.1040.17687828{i}.181{i}",
            "date": _local(i + 1, 7 * i),
            "type_interaction": ("inbound", "out_pre", "transfer", "inbound", "outbound_ma")[i],
            "result": ("answer", "abandon", "no answer", "busy", "answer machine")[i],
            "telephone": f"300123456{i}",
            "customer_id": f"10203040{i}",
        }
        for i in range(5)
    ]


def _with(index: int, **changes: Any) -> list[dict[str, Any]]:
    rows = _clean()
    for field, value in changes.items():
        if value is _DROP:
            del rows[index][field]
        else:
            rows[index][field] = value
    return rows


_DROP = object()

# (case, rows, read in C-level passes?)
CASES: list[tuple[str, list[Any], bool]] = [
    ("clean", _clean(), True),
    ("conn_id with spaces", _with(1, conn_id="  abc.1 "), True),
    ("conn_id repeated", _with(3, conn_id=_clean()[0]["conn_id"]), True),
    ("conn_id repeated with spaces", _with(3, conn_id=f" {_clean()[0]['conn_id']}\t"), True),
    ("empty result", _with(2, result=""), True),
    ("extra field", _with(2, agent_id="7"), True),
    ("phone as a number", _with(1, telephone=3001234567), True),
    ("customer id null", _with(1, customer_id=None), True),
    ("old phone field", _with(1, telephone=_DROP, tel_number="3009999999"), True),
    (
        "compact date",
        _with(4, date=_local(2).replace("-", "").replace(" ", "").replace(":", "")),
        True,
    ),
    ("date without seconds", _with(4, date=_local(2)[:16]), True),
    ("date with spaces", _with(4, date=f" {_local(2)} "), True),
    ("date in the future", _with(0, date=_local(-30)), True),
    ("date past the retention", _with(0, date=_local(60 * 24 * 9)), True),
    ("conn_id as a number", _with(2, conn_id=1768782812), False),
    ("conn_id empty", _with(2, conn_id=""), False),
    ("conn_id blank", _with(2, conn_id="   "), False),
    ("conn_id null", _with(2, conn_id=None), False),
    ("conn_id missing", _with(2, conn_id=_DROP), False),
    ("date missing", _with(1, date=_DROP), False),
    ("date null", _with(1, date=None), False),
    ("date empty", _with(1, date=""), False),
    ("date as a number", _with(1, date=20260119103015), False),
    ("date unreadable", _with(1, date="2026-13-40 9"), False),
    ("bare date", _with(1, date="2026-01-19"), False),
    ("type missing", _with(3, type_interaction=_DROP), False),
    ("type empty", _with(3, type_interaction=""), False),
    ("type null", _with(3, type_interaction=None), False),
    ("old type field", _with(3, type_interaction=_DROP, type_call="transfer"), False),
    ("empty type and old type field", _with(3, type_interaction="", type_call="inbound"), False),
    ("result missing", _with(0, result=_DROP), False),
    ("result null", _with(0, result=None), False),
    ("a row that is not an object", [*_clean(), "row"], False),
    ("a null row", [*_clean(), None], False),
    ("a list row", [*_clean(), [1, 2]], False),
    ("the first row not an object", ["row", *_clean()], False),
    ("the first row null", [None, *_clean()], False),
    ("a row with every field null", [*_clean(), {}], False),
]


@pytest.mark.parametrize(("case", "rows", "columnar"), CASES, ids=[c[0] for c in CASES])
def test_odd_answers_map_and_count_as_the_generic_path_does(
    case: str, rows: list[Any], columnar: bool
) -> None:
    body = orjson.dumps({"code": 200, "error": None, "msg": f"{len(rows)} records", "data": rows})
    typed = map_calls_response(200, body, BOGOTA)
    generic = map_calls_payload(orjson.loads(body), BOGOTA)

    assert (_map_documented(decode_response(200, body).rows, BOGOTA) is not None) is columnar
    assert tuple(typed.records) == tuple(generic.records)
    assert dict(typed.skipped) == dict(generic.skipped)
    assert latest_calls(typed.records, 3) == latest_calls(generic.records, 3)
    typed_plan = CallLog().plan("op", typed.records, now=NOW)
    generic_plan = CallLog().plan("op", tuple(generic.records), now=NOW)
    assert typed_plan.report == generic_plan.report
    assert dict(typed_plan.written) == dict(generic_plan.written)
    assert dict(typed_plan.buckets) == dict(generic_plan.buckets)


def test_the_clean_answer_counts_every_call_and_the_repeat_once() -> None:
    rows = _with(3, conn_id=f" {_clean()[0]['conn_id']}")
    body = orjson.dumps({"code": 200, "msg": "5 records", "data": rows})

    batch = map_calls_response(200, body, BOGOTA)
    log = CallLog()
    report = log.ingest("op", batch.records, now=NOW)

    assert dict(batch.skipped) == {"duplicate": 1}
    assert [r.conn_id for r in batch.records] == [rows[i]["conn_id"] for i in (0, 1, 2, 4)]
    first = batch.records[0]
    assert (first.call_type, first.result, first.telephone) == ("inbound", "busy", "3001234563")
    assert report.new == 4
    assert log.stats("op", start=NOW - timedelta(minutes=10), end=NOW).total == 4


def _compact(text: str) -> str:
    return text.replace("-", "").replace(" ", "").replace(":", "")


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_one_time_written_two_ways_ranks_the_latest_calls_as_the_generic_path(n: int) -> None:
    # Rows 0 and 2 share the latest time, row 2 writing it in the compact form: the
    # columnar path keeps each call's date text and reads it once per spelling, so the
    # latest calls must still be picked by time, ties by the order listed.
    rows = _with(2, date=_compact(_local(1)))
    rows[4]["date"] = _local(1)
    body = orjson.dumps({"code": 200, "msg": "5 records", "data": rows})

    typed = map_calls_response(200, body, BOGOTA)
    generic = map_calls_payload(orjson.loads(body), BOGOTA)

    assert _map_documented(decode_response(200, body).rows, BOGOTA) is not None
    assert latest_calls(typed.records, n) == latest_calls(generic.records, n)
    assert [c.conn_id for c in latest_calls(typed.records, 3)] == [
        rows[i]["conn_id"] for i in (4, 2, 0)
    ]


def test_a_row_of_another_class_among_documented_rows_is_still_normalised() -> None:
    # map_calls is public: rows it is handed may mix classes. A type or result that is
    # not a documented spelling sends the answer row by row, where it is normalised.
    rows = (
        DocumentedRow(conn_id="a", date=_local(2), type_interaction="inbound", result="answer"),
        CallRow(conn_id="b", date=_local(1), type_interaction="INBOUND ", result="Answered"),
    )

    batch = map_calls(Envelope(rows=rows), BOGOTA)

    assert _map_documented(rows, BOGOTA) is None
    assert [(r.conn_id, r.call_type, r.result) for r in batch.records] == [
        ("a", "inbound", "answer"),
        ("b", "inbound", "answer"),
    ]
