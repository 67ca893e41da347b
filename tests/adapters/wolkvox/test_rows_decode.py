"""A calls_last_10 body decoded into typed rows maps exactly as the generic (orjson) path does:
the same records, skips, counts and errors, for every variant the vendor's examples show."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.wolkvox import response
from bot.adapters.wolkvox.errors import WolkvoxError
from bot.adapters.wolkvox.mapping import MappedBatch
from bot.adapters.wolkvox.response import map_calls_response
from bot.adapters.wolkvox.rows_decode import decode_calls

BOGOTA = ZoneInfo("America/Bogota")
ROW = {
    "type_interaction": "inbound",
    "result": "answer",
    "date": "2026-01-19 10:30:15",
    "telephone": "3001234567",
    "customer_id": "1020304050",
    "conn_id": "6736.4628.1040.1768782812.1814",
}


def body(data: object = ..., **envelope: object) -> bytes:
    payload: dict[str, Any] = {"code": 200, "error": None, "msg": " 1 records were found"}
    payload.update(envelope)
    if data is not ...:
        payload["data"] = data
    return orjson.dumps(payload)


def row(**fields: object) -> dict[str, object]:
    merged = {**ROW, **fields}
    return {key: value for key, value in merged.items() if value is not ...}


Outcome = tuple[object, ...]


def outcome(work: Callable[[], MappedBatch]) -> Outcome:
    """What a caller can observe: the batch, or the error's type, words and flags."""
    try:
        batch = work()
    except WolkvoxError as exc:
        return (type(exc), str(exc), exc.transient, exc.status)
    return (batch.records, dict(batch.skipped), batch.possibly_truncated, batch.declared_count)


def both_paths(status: int, raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Outcome, Outcome]:
    typed = outcome(lambda: map_calls_response(status, raw, BOGOTA))
    with monkeypatch.context() as patch:
        patch.setattr(response, "decode_calls", lambda _body: None)
        generic = outcome(lambda: map_calls_response(status, raw, BOGOTA))
    return typed, generic


VARIANTS: list[tuple[str, int, bytes, bool]] = [
    ("a documented answer", 200, body([row(), row(conn_id="2", result="abandon")]), True),
    ("code as a string", 200, body([row()], code="200"), True),
    ("code with spaces", 200, body([row()], code=" 200 "), True),
    ("no code", 200, orjson.dumps({"data": [row()]}), True),
    ("data as an object", 200, body(row()), True),
    ("data null", 200, body(None), True),
    ("data empty string", 200, body(""), True),
    ("data missing", 200, body(), True),
    ("data empty list", 200, body([], msg="0 records"), True),
    ("data a string", 200, body("two rows"), True),
    ("data a number", 200, body(3), True),
    ("data true", 200, body(True), True),
    (
        "old field names",
        200,
        body([row(type_interaction=..., telephone=..., type_call="out_pre", tel_number="300")]),
        True,
    ),
    (
        "both field names",
        200,
        body([row(type_call="out_pre", tel_number="300"), row(conn_id="2", type_call="x")]),
        True,
    ),
    (
        "empty type falls back to type_call",
        200,
        body([row(type_interaction="", type_call="transfer")]),
        True,
    ),
    (
        "other spellings",
        200,
        body(
            [
                row(type_interaction="INBOUND", result="No-Answer"),
                row(conn_id="2", result="answer machine"),
            ]
        ),
        True,
    ),
    ("unknown values", 200, body([row(type_interaction="callback", result="voicemail")]), True),
    (
        "numbers for text",
        200,
        body(
            [
                row(conn_id=123456, telephone=3001234567, customer_id=1.0),
                row(conn_id=2.5, customer_id=True, result=7),
            ]
        ),
        True,
    ),
    (
        "compact and short dates",
        200,
        body(
            [
                row(date="20260119103015"),
                row(conn_id="2", date=20260119103015),
                row(conn_id="3", date="2026-01-19 10:30"),
                row(conn_id="4", date="2026-01-19T10:30:15-05:00"),
            ]
        ),
        True,
    ),
    (
        "unusable rows",
        200,
        body(
            [
                row(conn_id=None),
                row(conn_id="  "),
                row(conn_id="2", date=None),
                row(conn_id="3", date="yesterday"),
                row(conn_id="4", date=2.5),
                1,
                "x",
                None,
                [row()],
                {},
            ]
        ),
        True,
    ),
    (
        "repeated conn_id",
        200,
        body([row(result="abandon"), row(), row(conn_id=" 6736.4628.1040.1768782812.1814 ")]),
        True,
    ),
    (
        "extra fields and unicode",
        200,
        body([row(agent="Ana María", skill={"id": 7}, conn_id="ñ-1")]),
        True,
    ),
    (
        "upper-case keys are not the fields",
        200,
        body([{k.upper(): v for k, v in ROW.items()}]),
        True,
    ),
    (
        "escaped key",
        200,
        b'{"code":200,"data":[{"conn\\u005fid":"1","date":"2026-01-19 10:30:15"}]}',
        True,
    ),
    (
        "duplicate keys",
        200,
        b'{"code":200,"data":[{"conn_id":"1","conn_id":"2","date":"2026-01-19 10:30"}]}',
        True,
    ),
    (
        "an error envelope with 200",
        200,
        body(code=403, error="FORBIDDEN", msg="TOKEN LIMIT EXCEEDED"),
        True,
    ),
    (
        "an error envelope",
        403,
        body(code="403", error="FORBIDDEN", msg="PLEASE VALIDATE TOKEN"),
        True,
    ),
    (
        "simultaneous requests",
        403,
        body(code=403, msg="EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS"),
        True,
    ),
    ("a backup", 403, body(code=403), True),
    ("no token", 401, body(code=401, error="UNAUTHORIZED"), True),
    ("no such api", 400, body(code=400, msg="THE API YOU WANT TO CONSULT DOES NOT EXIST"), True),
    ("server error", 500, body(code=500), True),
    ("code 404 in the body", 200, body(code=404, msg="0 records"), True),
    ("undocumented code", 200, body(code=418, msg="teapot"), True),
    ("error status, ok body", 502, body([row()]), True),
    ("a nested value where a scalar was", 200, body([row(conn_id={"id": 1})]), False),
    ("error as an object", 403, body(code=403, error={"reason": "backup"}), False),
    (
        "an integer beyond 64 bits",
        200,
        body([row(conn_id=...)])[:-3] + b',"conn_id":18446744073709551616}]}',
        False,
    ),
    ("a float too big", 200, b'{"code":200,"data":[{"conn_id":1e999}]}', False),
    ("HTML", 200, b"<!DOCTYPE html><html><body>Error</body></html>", False),
    ("HTML with an error status", 403, b"<html>backup</html>", False),
    ("cut off", 200, body([row()])[:-5], False),
    ("empty body", 200, b"", False),
    ("a JSON list", 200, b"[1, 2, 3]", False),
    ("invalid UTF-8", 200, b'{"code":200,"data":[{"conn_id":"\xff"}]}', False),
    ("a lone surrogate", 200, b'{"code":200,"data":[{"conn_id":"\\ud800"}]}', False),
    ("trailing garbage", 200, body([row()]) + b"x", False),
]


@pytest.mark.parametrize(
    ("status", "raw", "typed"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS]
)
def test_every_variant_maps_as_the_generic_path_does(
    status: int, raw: bytes, typed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, generic = both_paths(status, raw, monkeypatch)

    assert fast == generic
    assert (decode_calls(raw) is not None) is typed


def test_the_typed_rows_are_what_a_big_answer_is_read_into() -> None:
    rows = [
        row(conn_id=str(i), result=("answer", "abandon", "NO ANSWER")[i % 3]) for i in range(300)
    ]

    parts = decode_calls(body(rows))

    assert parts is not None
    code, _, msg, data = parts
    assert (code, msg) == (200, " 1 records were found")
    assert isinstance(data, list) and len(data) == 300
    assert [r.conn_id for r in data] == [str(i) for i in range(300)]


_TEXT = (
    st.sampled_from(["", " ", "inbound", "INBOUND", "no answer", "out_pre", "answer machine"])
    | st.sampled_from(["2026-01-19 10:30:15", "20260119103015", "2026-01-19 10:30", "2026-13-40 9"])
    | st.text(max_size=12)
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
_WILD = _SCALARS | st.integers(min_value=2**63, max_value=2**70) | st.lists(_SCALARS, max_size=2)
_FIELDS = [*ROW, "type_call", "tel_number", "other"]


def _answers(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    rows = st.dictionaries(st.sampled_from(_FIELDS), values, max_size=len(_FIELDS))
    return st.lists(rows | values, max_size=6) | rows | values


@settings(max_examples=150, deadline=None)
@given(
    data=_answers(_SCALARS),
    code=st.sampled_from([200, "200", 404, 403, "500", None, "x"]),
    status=st.sampled_from([200, 403, 500]),
)
def test_any_answer_of_scalars_is_typed_and_maps_as_the_generic_path_does(
    data: object, code: object, status: int
) -> None:
    raw = json.dumps({"code": code, "msg": "2 records", "data": data}).encode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, generic = both_paths(status, raw, monkeypatch)

    assert decode_calls(raw) is not None
    assert fast == generic


@settings(max_examples=100, deadline=None)
@given(data=_answers(_WILD), code=st.sampled_from([200, "200", 403]))
def test_any_answer_at_all_maps_as_the_generic_path_does(data: object, code: object) -> None:
    raw = json.dumps({"code": code, "error": data, "msg": "2 records", "data": data}).encode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, generic = both_paths(200, raw, monkeypatch)

    assert fast == generic
