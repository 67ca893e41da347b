"""`--calls FILE`: CSV or JSON lines, read with the live mapping's tolerance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.backtest.calls_file import CallsFileError, read_calls_file

BOGOTA = ZoneInfo("America/Bogota")


def test_csv_with_header_reads_old_names_both_date_formats_and_reports_bad_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "type_call,result,date,tel_number,customer_id,conn_id\n"
        "Inbound,ABANDON,2026-11-23 10:00:05,3001234567,,a1\n"
        "out_pre,Chan Unavail,20261123100106,3001234568,,a2\n"
        "inbound,answer,,3001234569,,a3\n"
        "inbound,answer,yesterday,3001234569,,a4\n"
        "inbound,answer,2026-11-23 10:02:00,3001234569,,\n",
        encoding="utf-8",
    )
    read = read_calls_file(path, BOGOTA)
    assert [r.row["conn_id"] for r in read.rows] == ["a1", "a2"]
    # 10:00:05 in Bogota is 15:00:05 UTC; the compact date is read the same way.
    assert read.rows[0].at == datetime(2026, 11, 23, 15, 0, 5, tzinfo=UTC)
    assert read.rows[1].at == datetime(2026, 11, 23, 15, 1, 6, tzinfo=UTC)
    assert [(b.line, b.reason) for b in read.bad] == [
        (4, "no date"),
        (5, "a date that is not a date and time"),
        (6, "no conn_id"),
    ]


def test_json_lines_count_lines_that_are_not_objects(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text(
        '{"type_interaction": "inbound", "result": "answer", "date": "2026-11-23 10:00:00",'
        ' "conn_id": 7}\n'
        "\n"
        "not json\n"
        "[1, 2]\n",
        encoding="utf-8",
    )
    read = read_calls_file(path, BOGOTA)
    assert len(read.rows) == 1
    assert [(b.line, b.reason) for b in read.bad] == [(3, "not JSON"), (4, "not a JSON object")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe\x00bad", "is not UTF-8 text"),
        (b"", "is empty"),
        (b"a,b,c\n1,2,3\n", "header row names none of the calls_last_10 fields"),
    ],
)
def test_a_file_that_cannot_be_read_is_an_error_naming_it(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "exported.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CallsFileError) as caught:
        read_calls_file(path, BOGOTA)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
