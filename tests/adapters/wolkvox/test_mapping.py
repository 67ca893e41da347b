from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from bot.adapters.wolkvox.call_fields import parse_local_date
from bot.adapters.wolkvox.envelope import MAX_RECORDS, classify_error, read_envelope
from bot.adapters.wolkvox.errors import (
    ERROR_KINDS,
    ConcurrencyLimitError,
    ConfigurationError,
    PayloadError,
    QuotaExceededError,
    ServerBackupError,
    ServerError,
    TokenMissingError,
    TokenRejectedError,
    WolkvoxError,
)
from bot.adapters.wolkvox.mapping import map_calls_payload
from bot.adapters.wolkvox.response import decode_response, map_calls_response
from bot.domain.calls import CallRecord

BOGOTA = ZoneInfo("America/Bogota")


def row(conn_id: object = "6736.4628.1040.1768782812.1814", **fields: object) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type_interaction": "inbound",
        "result": "answer",
        "date": "2026-01-19 10:30:15",
        "telephone": "3001234567",
        "customer_id": "1020304050",
        "conn_id": conn_id,
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not ...}


def envelope(data: object = ..., code: object = 200, msg: object = " 1 records were found") -> Any:
    payload: dict[str, Any] = {"code": code, "error": None, "msg": msg}
    if data is not ...:
        payload["data"] = data
    return payload


def test_a_documented_answer_becomes_frozen_utc_call_records() -> None:
    batch = map_calls_payload(envelope([row()]), BOGOTA)

    assert batch.records == (
        CallRecord(
            conn_id="6736.4628.1040.1768782812.1814",
            at=datetime(2026, 1, 19, 15, 30, 15, tzinfo=UTC),
            call_type="inbound",
            result="answer",
            telephone="3001234567",
            customer_id="1020304050",
        ),
    )
    assert dict(batch.skipped) == {}
    assert batch.declared_count == 1
    assert batch.possibly_truncated is False


@pytest.mark.parametrize(
    ("payload", "status", "expected_records", "declared"),
    [
        pytest.param(envelope([row()]), 200, 1, 1, id="code-int"),
        pytest.param(envelope([row()], code="200"), 200, 1, 1, id="code-string"),
        pytest.param(envelope([row()], code=" 200 "), 200, 1, 1, id="code-string-padded"),
        pytest.param(envelope(row()), 200, 1, 1, id="data-object-is-wrapped"),
        pytest.param(envelope(None, msg="0 records were found"), 200, 0, 0, id="data-null"),
        pytest.param(envelope(msg=" 0 records were found"), 200, 0, 0, id="data-missing"),
        pytest.param(envelope([], msg="0 records were found"), 200, 0, 0, id="data-empty"),
        pytest.param(envelope("", msg="0 records"), 200, 0, 0, id="data-empty-string"),
        pytest.param(envelope(code=404, msg="0 records were found"), 200, 0, 0, id="code-404"),
        pytest.param({"data": [row()]}, 200, 1, None, id="no-code-no-msg"),
        pytest.param(envelope([row()], msg=None), 200, 1, None, id="msg-null"),
        pytest.param({"anything": 1}, 404, 0, 0, id="http-404"),
        pytest.param("not even an object", 404, 0, 0, id="http-404-any-body"),
    ],
)
def test_every_envelope_variant_is_accepted(
    payload: object, status: int, expected_records: int, declared: int | None
) -> None:
    batch = map_calls_payload(payload, BOGOTA, status=status)

    assert len(batch.records) == expected_records
    assert batch.declared_count == declared
    assert dict(batch.skipped) == {}


@pytest.mark.parametrize(
    ("fields", "call_type", "result"),
    [
        ({"type_interaction": "INBOUND", "result": "ABANDON"}, "inbound", "abandon"),
        ({"type_interaction": "Out-Pre", "result": "No-Answer"}, "out_pre", "no answer"),
        (
            {"type_interaction": "outbound ma", "result": "ANSWER_MACHINE"},
            "outbound_ma",
            "answer machine",
        ),
        (
            {"type_interaction": "Internal_Call-Que", "result": "chan_unavail"},
            "internal call_que",
            "chanunavail",
        ),
        ({"type_interaction": "internalcall", "result": "noanswer"}, "internal call", "no answer"),
        ({"type_interaction": ..., "type_call": "transfer", "result": "busy"}, "transfer", "busy"),
        (
            {"type_interaction": "Callback  Web", "result": "Voicemail Drop"},
            "callback web",
            "voicemail drop",
        ),
        ({"type_interaction": None, "result": None}, "", ""),
        ({"type_interaction": 7, "result": ["odd"]}, "7", ""),
    ],
)
def test_types_and_results_are_normalised_and_unknown_values_kept(
    fields: dict[str, object], call_type: str, result: str
) -> None:
    (record,) = map_calls_payload(envelope([row(**fields)]), BOGOTA).records

    assert (record.call_type, record.result) == (call_type, result)


@pytest.mark.parametrize(
    ("fields", "telephone", "customer_id"),
    [
        ({}, "3001234567", "1020304050"),
        ({"telephone": ..., "tel_number": " 6015550000 "}, "6015550000", "1020304050"),
        ({"telephone": 3001234567, "customer_id": 42}, "3001234567", "42"),
        ({"telephone": None, "customer_id": None}, "", ""),
    ],
)
def test_old_field_names_and_numeric_personal_fields(
    fields: dict[str, object], telephone: str, customer_id: str
) -> None:
    (record,) = map_calls_payload(envelope([row(**fields)]), BOGOTA).records

    assert (record.telephone, record.customer_id) == (telephone, customer_id)


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2026-01-19 10:30:15", "America/Bogota", datetime(2026, 1, 19, 15, 30, 15, tzinfo=UTC)),
        ("2026-01-19 10:30", "America/Bogota", datetime(2026, 1, 19, 15, 30, tzinfo=UTC)),
        ("20260119103015", "America/Bogota", datetime(2026, 1, 19, 15, 30, 15, tzinfo=UTC)),
        ("202601191030", "America/Bogota", datetime(2026, 1, 19, 15, 30, tzinfo=UTC)),
        (" 2026-01-19 10:30:15 ", "America/Bogota", datetime(2026, 1, 19, 15, 30, 15, tzinfo=UTC)),
        ("2026/01/19 10:30:15", "America/Bogota", datetime(2026, 1, 19, 15, 30, 15, tzinfo=UTC)),
        ("2026-01-19T10:30:15", "America/Bogota", datetime(2026, 1, 19, 15, 30, 15, tzinfo=UTC)),
        (
            "2026-01-19 10:30:15.250",
            "America/Bogota",
            datetime(2026, 1, 19, 15, 30, 15, 250000, tzinfo=UTC),
        ),
        (
            "2026-01-19T10:30:15+00:00",
            "America/Bogota",
            datetime(2026, 1, 19, 10, 30, 15, tzinfo=UTC),
        ),
        ("2026-07-19 10:30:15", "Europe/Madrid", datetime(2026, 7, 19, 8, 30, 15, tzinfo=UTC)),
        ("2026-01-19 10:30:15", "Europe/Madrid", datetime(2026, 1, 19, 9, 30, 15, tzinfo=UTC)),
        ("2026-01-19 10:30:15", "UTC", datetime(2026, 1, 19, 10, 30, 15, tzinfo=UTC)),
    ],
)
def test_dates_are_read_in_the_operation_timezone_and_stored_as_utc(
    raw: str, zone: str, expected: datetime
) -> None:
    (record,) = map_calls_payload(envelope([row(date=raw)]), ZoneInfo(zone)).records

    assert record.at == expected
    assert record.at.tzinfo is UTC


@pytest.mark.parametrize(
    "raw",
    [
        "19/01/2026 10:30",
        "2026-13-01 10:00:00",
        "2026-01-19 25:00:00",
        "20261319103015",
        "yesterday",
        "2026-01-19",
        "2026-01-19 1a:30:00",
        "1768782812",
    ],
)
def test_unusable_dates_parse_to_none(raw: str) -> None:
    assert parse_local_date(raw, BOGOTA) is None


def test_a_compact_date_sent_as_a_number_is_read() -> None:
    (record,) = map_calls_payload(envelope([row(date=20260119103015)]), BOGOTA).records

    assert record.at == datetime(2026, 1, 19, 15, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        pytest.param("a string", "not_an_object", id="string-row"),
        pytest.param(None, "not_an_object", id="null-row"),
        pytest.param([1, 2], "not_an_object", id="list-row"),
        pytest.param(row(conn_id=...), "no_conn_id", id="conn-id-missing"),
        pytest.param(row(conn_id=""), "no_conn_id", id="conn-id-empty"),
        pytest.param(row(conn_id="   "), "no_conn_id", id="conn-id-blank"),
        pytest.param(row(conn_id=None), "no_conn_id", id="conn-id-null"),
        pytest.param(row(date=...), "no_date", id="date-missing"),
        pytest.param(row(date=None), "no_date", id="date-null"),
        pytest.param(row(date=""), "no_date", id="date-empty"),
        pytest.param(row(date=" "), "no_date", id="date-blank"),
        pytest.param(row(date=True), "no_date", id="date-bool"),
        pytest.param(row(date="19/01/2026 10:30"), "bad_date", id="date-day-first"),
        pytest.param(row(date="2026-02-30 10:00:00"), "bad_date", id="date-impossible"),
    ],
)
def test_unusable_rows_are_skipped_and_counted_by_reason(bad_row: object, reason: str) -> None:
    good = row(conn_id="1.2.3.1768782812.9")
    batch = map_calls_payload(envelope([good, bad_row, bad_row]), BOGOTA)

    assert [r.conn_id for r in batch.records] == ["1.2.3.1768782812.9"]
    assert dict(batch.skipped) == {reason: 2}
    assert batch.skipped_total == 2


def test_a_numeric_conn_id_is_kept_as_text() -> None:
    (record,) = map_calls_payload(envelope([row(conn_id=123456)]), BOGOTA).records

    assert record.conn_id == "123456"


def test_duplicate_conn_ids_keep_the_last_row_and_count_the_rest() -> None:
    rows = [
        row(conn_id="A", result="no answer"),
        row(conn_id="B"),
        row(conn_id="A", result="busy"),
        row(conn_id=" A ", result="abandon"),
    ]

    batch = map_calls_payload(envelope(rows), BOGOTA)

    assert {r.conn_id: r.result for r in batch.records} == {"A": "abandon", "B": "answer"}
    assert dict(batch.skipped) == {"duplicate": 2}


def many_rows(count: int) -> list[dict[str, Any]]:
    return [
        {
            "type_interaction": "inbound",
            "result": "answer",
            "date": f"2026-01-19 10:{20 + i % 10:02d}:{i % 60:02d}",
            "conn_id": f"6736.4628.1040.{1768782812 + i}.{i}",
        }
        for i in range(count)
    ]


@pytest.mark.parametrize(("count", "truncated"), [(MAX_RECORDS - 1, False), (MAX_RECORDS, True)])
def test_an_answer_at_the_vendor_cut_is_flagged_possibly_truncated(
    count: int, truncated: bool
) -> None:
    body = orjson.dumps(envelope(many_rows(count), msg=f"{count} records were found"))

    batch = map_calls_response(200, body, BOGOTA)

    assert batch.possibly_truncated is truncated
    assert len(batch.records) == count
    assert batch.declared_count == count


E = WolkvoxError


@pytest.mark.parametrize(
    ("status", "body", "error", "transient", "words"),
    [
        (
            400,
            {
                "code": 400,
                "error": "BAD REQUEST",
                "msg": "THE API YOU WANT TO CONSULT DOES NOT EXIST",
            },
            ConfigurationError,
            False,
            "does not offer the API",
        ),
        (
            400,
            {"code": "400", "error": "BAD REQUEST", "msg": "SOME PARAMETERS ARE REQUIRED"},
            ConfigurationError,
            False,
            "missing a required parameter",
        ),
        (
            401,
            {"code": 401, "error": "UNAUTHORIZED", "msg": "PLEASE ENTER THE WOLKVOX-TOKEN"},
            TokenMissingError,
            False,
            "received no token",
        ),
        (
            403,
            {"code": 403, "error": "FORBIDDEN", "msg": "PLEASE VALIDATE TOKEN"},
            TokenRejectedError,
            False,
            "wrong or expired",
        ),
        (
            403,
            {"code": 403, "error": "FORBIDDEN", "msg": "TOKEN LIMIT EXCEEDED"},
            QuotaExceededError,
            False,
            "local midnight",
        ),
        (
            403,
            {
                "code": 403,
                "error": "FORBIDDEN",
                "msg": "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)",
            },
            ConcurrencyLimitError,
            True,
            "same token at the same time",
        ),
        (
            403,
            {"code": 403, "error": "FORBIDDEN", "msg": "SERVER UNDER MAINTENANCE"},
            ServerBackupError,
            True,
            "server backups",
        ),
        (403, {"code": 403}, ServerBackupError, True, "server backups"),
        (
            200,
            {"code": "403", "error": "FORBIDDEN", "msg": "PLEASE VALIDATE TOKEN"},
            TokenRejectedError,
            False,
            "wrong or expired",
        ),
        (500, {"code": 500, "error": "INTERNAL", "msg": "oops"}, ServerError, True, "server error"),
        (502, b"<html><body>Bad gateway</body></html>", ServerError, True, "server error"),
        (503, b"", ServerError, True, "server error"),
        (
            403,
            b"<!DOCTYPE html><html>backup in progress</html>",
            ServerBackupError,
            True,
            "server backups",
        ),
        (401, b"", TokenMissingError, False, "received no token"),
        (429, b"slow down", ConcurrencyLimitError, True, "slow down"),
        (200, b"<!DOCTYPE html><html><body>Error</body></html>", PayloadError, True, "HTML page"),
        (
            200,
            b'{"code": 200, "msg": "2 records were found", "data": [{"conn_id": "1"',
            PayloadError,
            True,
            "cut off",
        ),
        (200, b"", PayloadError, True, "empty body"),
        (200, b"[1, 2, 3]", PayloadError, True, "JSON list"),
        (200, {"code": 200, "data": "two rows"}, PayloadError, True, "`data` as a JSON str"),
        (200, {"code": 418, "msg": "teapot"}, PayloadError, True, "undocumented code"),
        (302, b"", PayloadError, True, "undocumented code"),
    ],
)
def test_every_error_answer_maps_to_its_typed_error(
    status: int, body: object, error: type[E], transient: bool, words: str
) -> None:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)

    with pytest.raises(WolkvoxError) as caught:
        decode_response(status, raw, api="calls_last_10")

    assert type(caught.value) is error
    assert caught.value.transient is transient
    assert words in str(caught.value)


def test_the_server_quota_error_says_when_polling_resumes() -> None:
    midnight = datetime(2026, 1, 20, 5, 0, tzinfo=UTC)

    error = classify_error(403, "FORBIDDEN", "TOKEN LIMIT EXCEEDED", resumes_at=midnight)

    assert isinstance(error, QuotaExceededError)
    assert error.resumes_at == midnight
    assert "2026-01-20 05:00 UTC" in str(error)


def test_server_words_are_kept_short_and_printable() -> None:
    error = classify_error(403, "FORBIDDEN", "X" * 1000 + "\x1b[31m")

    assert len(str(error)) < 400
    assert "\x1b" not in str(error)


def test_a_wrapped_object_envelope_keeps_its_row() -> None:
    result = read_envelope({"code": "200", "data": {"conn_id": "1"}})

    assert result.rows == ({"conn_id": "1"},)


def test_error_kinds_are_distinct_metric_labels() -> None:
    assert len(set(ERROR_KINDS)) == len(ERROR_KINDS) == 14
    assert all(kind.replace("_", "").isalpha() and kind.islower() for kind in ERROR_KINDS)
