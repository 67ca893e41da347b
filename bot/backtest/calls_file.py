"""`callbot backtest --calls FILE`: calls exported from Wolkvox, one per row.

A CSV file with a header row, or JSON lines (one object per line), with the fields of
a `calls_last_10` record. Each row is read by the live payload mapping, so the same
tolerance applies: old field names (`type_call`, `tel_number`), spellings of types
and results, both date formats, `date` in the operation's local time. A row the
mapping cannot use is counted with its line number and the reason, and the rest is
replayed; a file that cannot be read at all is an error that names it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.adapters.wolkvox.call_fields import SKIP_BAD_DATE, SKIP_NO_DATE
from bot.adapters.wolkvox.envelope import Envelope
from bot.adapters.wolkvox.mapping import SKIP_NO_CONN_ID, SKIP_NOT_AN_OBJECT, map_calls
from bot.backtest.sources import Row, TimedRow

FIELDS = frozenset(
    {"type_interaction", "type_call", "result", "date", "telephone", "tel_number"}
    | {"customer_id", "conn_id"}
)
_REASONS = {
    SKIP_NO_CONN_ID: "no conn_id",
    SKIP_NO_DATE: "no date",
    SKIP_BAD_DATE: "a date that is not a date and time",
    SKIP_NOT_AN_OBJECT: "not an object",
}


class CallsFileError(Exception):
    """The file cannot be read as calls at all; the message names it."""


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class CallsFile:
    """The usable rows of a file and the rows left out, by line number."""

    path: Path
    rows: tuple[TimedRow, ...]
    bad: tuple[BadRow, ...]


def read_calls_file(path: Path, zone: ZoneInfo) -> CallsFile:
    """Read `path` (CSV with a header, or JSON lines) with dates in `zone`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CallsFileError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CallsFileError(f"{path}: is not UTF-8 text") from None
    except OSError as exc:
        raise CallsFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not text.strip():
        raise CallsFileError(f"{path}: is empty")
    numbered = _json_lines(text) if _looks_like_json(path, text) else _csv_rows(path, text)
    good: list[TimedRow] = []
    bad: list[BadRow] = []
    for line, row in numbered:
        if isinstance(row, str):
            bad.append(BadRow(line, row))
            continue
        batch = map_calls(Envelope(rows=(row,)), zone)
        if batch.records:
            good.append(TimedRow(batch.records[0].at, row))
        else:
            reason = next(iter(batch.skipped), "")
            bad.append(BadRow(line, _REASONS.get(reason, reason.replace("_", " "))))
    return CallsFile(path=path, rows=tuple(good), bad=tuple(bad))


def _looks_like_json(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return True
    if path.suffix.lower() in (".csv", ".tsv"):
        return False
    return text.lstrip().startswith("{")


def _json_lines(text: str) -> list[tuple[int, Row | str]]:
    out: list[tuple[int, Row | str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            out.append((number, "not JSON"))
            continue
        if isinstance(value, dict):
            out.append((number, {str(k): v for k, v in value.items()}))
        else:
            out.append((number, "not a JSON object"))
    return out


def _csv_rows(path: Path, text: str) -> list[tuple[int, Row | str]]:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise CallsFileError(f"{path}: has no header row") from None
    if not FIELDS.intersection(header):
        raise CallsFileError(
            f"{path}: the header row names none of the calls_last_10 fields "
            f"({', '.join(sorted(FIELDS))}); the first row must be the column names"
        )
    out: list[tuple[int, Row | str]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.append((reader.line_num, f"not CSV ({exc})"))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            out.append((reader.line_num, f"{len(cells)} cells for {len(header)} columns"))
            continue
        out.append((reader.line_num, dict(zip(header, cells, strict=False))))
    return out
