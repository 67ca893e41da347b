"""The fast path of a poll (calls keyed by conn_id, records built on demand, seen calls
recognised in bulk) gives exactly what the plain path gives: a row-by-row mapping to
CallRecords, counted into the call log one record at a time.

Random answers mix duplicates, conn_ids with spaces, calls changed since the last poll,
calls from the previous generation of the conn_id memory, calls out of range, and bad rows
(no conn_id, no or bad date, not an object, odd spellings, numbers where text was).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.wolkvox.call_fields import parse_local_date
from bot.adapters.wolkvox.response import map_calls_response
from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord, KeyedCalls, latest_calls, normalise_result, normalise_type

BOGOTA = ZoneInfo("America/Bogota")
OP = "bogota"
NOW = datetime(2026, 1, 19, 15, 40, tzinfo=UTC)  # 10:40 in Bogota


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return ""


def plain_map(rows: list[object], zone: tzinfo) -> tuple[tuple[CallRecord, ...], dict[str, int]]:
    """The mapping's rules applied row by row, without any cache or shortcut."""
    by_conn: dict[str, CallRecord] = {}
    skipped: dict[str, int] = {}

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    for row in rows:
        if not isinstance(row, dict):
            skip("not_an_object")
            continue
        conn_id = _text(row.get("conn_id"))
        if not conn_id:
            skip("no_conn_id")
            continue
        raw_date = row.get("date")
        if type(raw_date) is int:
            raw_date = str(raw_date)
        if type(raw_date) is not str or not raw_date.strip():
            skip("no_date")
            continue
        at = parse_local_date(raw_date, zone)
        if at is None:
            skip("bad_date")
            continue
        if conn_id in by_conn:
            skip("duplicate")
        by_conn[conn_id] = CallRecord(
            conn_id=conn_id,
            at=at,
            call_type=normalise_type(_text(row.get("type_interaction") or row.get("type_call"))),
            result=normalise_result(_text(row.get("result"))),
            telephone=_text(row.get("telephone") or row.get("tel_number")),
            customer_id=_text(row.get("customer_id")),
        )
    return tuple(by_conn.values()), skipped


def local(minutes_before_now: int, seconds: int = 0) -> str:
    at = (NOW - timedelta(minutes=minutes_before_now, seconds=seconds)).astimezone(BOGOTA)
    return at.strftime("%Y-%m-%d %H:%M:%S")


_CONN_IDS = st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6", " c1 ", "c7\t", "c8", "c9"])
_DATES = st.sampled_from(
    [
        *(local(1), local(2, 10), local(3, 59), local(9), local(1, 1)),
        local(5).replace("-", "").replace(" ", "").replace(":", ""),  # compact
        local(-30),  # in the future beyond the tolerance
        local(60 * 24 * 9),  # past the retention
        *("", " ", "2026-13-40 9", "2026-01-19"),
    ]
) | st.sampled_from([None, 20260119103015, 1, True, 1.0])
_TYPES = st.sampled_from(
    ["inbound", "out_pre", "internal call_que", "", "INBOUND", "Out Pre", "fax", None, 7]
)
_RESULTS = st.sampled_from(["answer", "abandon", "no answer", "", "ANSWERED", "Busy ", None, 0])
_ROW = st.fixed_dictionaries(
    {"conn_id": _CONN_IDS | st.sampled_from(["", " ", None, 42])},
    optional={
        "date": _DATES,
        "type_interaction": _TYPES,
        "type_call": _TYPES,
        "result": _RESULTS,
        "telephone": st.sampled_from(["3001234567", " 300 ", None, 3001234567]),
        "tel_number": st.sampled_from(["3009999999", None]),
        "customer_id": st.sampled_from(["1020", "", None, 1020.0]),
    },
)
_DOCUMENTED_ROW = st.fixed_dictionaries(
    {
        "conn_id": _CONN_IDS,
        "date": st.sampled_from([local(1), local(2, 10), local(3, 59), local(9)]),
        "type_interaction": st.sampled_from(["inbound", "out_pre", "transfer", ""]),
        "result": st.sampled_from(["answer", "abandon", "no answer", "busy"]),
        "telephone": st.sampled_from(["3001234567", "3007654321"]),
    }
)
_ANSWER = st.lists(_DOCUMENTED_ROW, max_size=25) | st.lists(
    _ROW | _DOCUMENTED_ROW | st.sampled_from([1, "row", None]), max_size=25
)


def fast(rows: list[object]) -> tuple[KeyedCalls, dict[str, int]]:
    body = orjson.dumps({"code": 200, "msg": f"{len(rows)} records", "data": rows})
    batch = map_calls_response(200, body, BOGOTA)
    assert isinstance(batch.records, KeyedCalls)
    return batch.records, dict(batch.skipped)


def observable(log: CallLog, records: object, now: datetime) -> tuple[object, ...]:
    """A plan as a store and the rules see it: report, writes, buckets, coverage, memory."""
    plan = log.plan(OP, records, now=now)  # type: ignore[arg-type]
    after = log.staged(plan).export(OP)
    return (
        plan.report,
        dict(plan.written),
        dict(plan.buckets),
        plan.covered,
        after.buckets,
        after.covered,
        sorted(after.memory),
    )


@settings(max_examples=300, deadline=None)
@given(first=_ANSWER, second=_ANSWER, gap=st.sampled_from([0, 5, 31, 65]))
def test_a_poll_maps_and_counts_the_same_on_the_fast_and_the_plain_path(
    first: list[object], second: list[object], gap: int
) -> None:
    log = CallLog(retention=timedelta(days=8))
    records, skipped = fast(first)
    plain_records, plain_skipped = plain_map(first, BOGOTA)
    assert (tuple(records), skipped) == (plain_records, plain_skipped)
    assert latest_calls(records, 3) == latest_calls(plain_records, 3)
    assert observable(log, records, NOW) == observable(log, plain_records, NOW)
    log.ingest(OP, plain_records, now=NOW)

    # The next poll: repeats, calls whose result or time changed, new calls, and (after a
    # gap past the memory's horizon) calls remembered by the previous generation only.
    later = NOW + timedelta(minutes=gap)
    records, skipped = fast(second)
    plain_records, plain_skipped = plain_map(second, BOGOTA)
    assert (tuple(records), skipped) == (plain_records, plain_skipped)
    assert latest_calls(records, 4) == latest_calls(plain_records, 4)
    assert observable(log, records, later) == observable(log, plain_records, later)


def test_a_call_seen_before_is_a_duplicate_and_a_changed_one_moves() -> None:
    rows: list[object] = [
        {"conn_id": "a", "date": local(2), "type_interaction": "inbound", "result": "answer"},
        {"conn_id": "b", "date": local(3), "type_interaction": "inbound", "result": "abandon"},
    ]
    log = CallLog()
    log.ingest(OP, fast(rows)[0], now=NOW)
    rows[1] = {**rows[1], "result": "answer"}  # type: ignore[dict-item]
    rows.append({"conn_id": "c", "date": local(1), "type_interaction": "inbound", "result": "busy"})

    plan = log.plan(OP, fast(rows)[0], now=NOW + timedelta(seconds=30))

    assert (plan.report.new, plan.report.updated, plan.report.duplicates) == (1, 1, 1)
    assert set(plan.written) == {"b", "c"}


def test_only_the_records_read_are_built() -> None:
    built: list[str] = []
    at = NOW - timedelta(minutes=1)

    def build(conn_id: str, when: datetime, call_type: str, result: str, _: object) -> CallRecord:
        built.append(conn_id)
        return CallRecord(conn_id, when, call_type, result)

    ids = [f"c{i}" for i in range(500)]
    ats = [at + timedelta(seconds=i % 7) for i in range(500)]
    calls = KeyedCalls.from_columns(
        ids, ats, ["inbound"] * 500, ["answer"] * 500, [None] * 500, build
    )
    log = CallLog()

    log.ingest(OP, calls, now=NOW)
    latest = latest_calls(calls, 20)

    assert len(built) == 20
    plain = tuple(CallRecord(c, a, "inbound", "answer") for c, a in zip(ids, ats, strict=True))
    assert latest == latest_calls(plain, 20)
    assert log.stats(OP, start=NOW - timedelta(minutes=10), end=NOW).total == 500


def test_a_repeated_conn_id_keeps_its_first_place_and_takes_the_later_values() -> None:
    at = NOW - timedelta(minutes=2)
    later = NOW - timedelta(minutes=1)

    def build(conn_id: str, when: datetime, call_type: str, result: str, row: object) -> CallRecord:
        return CallRecord(conn_id, when, call_type, result, telephone=str(row))

    calls = KeyedCalls.from_columns(
        ["a", "b", "a", "c", "b"],
        [at, at, later, at, at],
        ["inbound", "inbound", "out_pre", "inbound", "inbound"],
        ["answer", "busy", "abandon", "answer", "answer"],
        ["row1", "row2", "row3", "row4", "row5"],
        build,
    )

    assert calls.duplicates == 2
    assert [(r.conn_id, r.at, r.call_type, r.result, r.telephone) for r in calls] == [
        ("a", later, "out_pre", "abandon", "row3"),
        ("b", at, "inbound", "answer", "row5"),
        ("c", at, "inbound", "answer", "row4"),
    ]
    assert dict(calls.counts) == {
        (calls.entries["a"][0], "out_pre", "abandon"): 1,
        (calls.entries["b"][0], "inbound", "answer"): 2,
    }


def test_records_keep_each_call_s_own_time_even_when_two_are_one_instant() -> None:
    # 15:30 UTC and 10:30 at UTC-5 are one instant: each record must still carry the
    # time it was given, as a plain mapping's records would.
    utc = NOW - timedelta(minutes=10)
    bogota = utc.astimezone(BOGOTA)

    def build(conn_id: str, when: datetime, call_type: str, result: str, _: object) -> CallRecord:
        return CallRecord(conn_id, when, call_type, result)

    calls = KeyedCalls.from_columns(
        ["x", "y"], [utc, bogota], ["inbound"] * 2, ["answer"] * 2, [None, None], build
    )
    plain = (
        CallRecord("x", utc, "inbound", "answer"),
        CallRecord("y", bogota, "inbound", "answer"),
    )

    assert [r.at.utcoffset() for r in calls] == [r.at.utcoffset() for r in plain]
    assert [r.at.utcoffset() for r in latest_calls(calls, 2)] == [
        r.at.utcoffset() for r in latest_calls(plain, 2)
    ]
