"""The API faults the Wolkvox simulator can inject, and the exact bytes each one sends.

Every documented error of the vendor's response-code page is here with its
status and body, plus the undocumented behaviour public clients have met (5xx,
the 403 of server backups, PHP warnings before the JSON, HTML pages, cut
bodies, the many shapes of `data`) and the record variants the mapping must
survive. This module knows no HTTP server: it returns `Canned` responses and
transformed record lists; simulator.py puts them on the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from bot.adapters.wolkvox.simulator_traffic import Record

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=UTF-8"
TEXT = "text/plain; charset=utf-8"


class Fault(StrEnum):
    """A fault injected into the next requests (see FAULT_TEXT for what each sends)."""

    SLOW = "slow"
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    BAD_API = "bad_api"
    MISSING_PARAMS = "missing_params"
    TOKEN_MISSING = "token_missing"  # noqa: S105 (a fault name, not a secret)
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a fault name, not a secret)
    TOKEN_LIMIT = "token_limit"  # noqa: S105 (a fault name, not a secret)
    CONCURRENCY = "concurrency"
    BACKUP_403 = "backup_403"
    FORBIDDEN_UNKNOWN = "forbidden_unknown"
    MALFORMED_JSON = "malformed_json"
    PHP_WARNING = "php_warning"
    PHP_NOTICES = "php_notices"
    BOM = "bom"
    PHP_FATAL = "php_fatal"
    HTML_ERROR_PAGE = "html_error_page"
    TRUNCATED_BODY = "truncated_body"
    CONNECTION_DROP = "connection_drop"
    JSON_AS_HTML = "json_as_html"
    DATA_NULL = "data_null"
    DATA_OBJECT = "data_object"
    DATA_MISSING = "data_missing"
    STRING_CODE = "string_code"
    EMPTY_WINDOW = "empty_window"
    NOT_FOUND_EMPTY = "not_found_empty"
    OVER_LIMIT = "over_limit"
    OLD_FIELD_NAMES = "old_field_names"
    ODD_SPELLINGS = "odd_spellings"
    COMPACT_DATES = "compact_dates"
    MINUTE_DATES = "minute_dates"
    HOSTILE_VALUES = "hostile_values"
    BAD_ROWS = "bad_rows"
    DUPLICATE_CONN_IDS = "duplicate_conn_ids"


FAULT_TEXT: dict[Fault, str] = {
    Fault.SLOW: "answer normally after `slow_seconds` real seconds (default 65, past the 60 s cap)",
    Fault.HTTP_500: "HTTP 500 with a plain-text body",
    Fault.HTTP_502: "HTTP 502 with an nginx HTML page",
    Fault.HTTP_503: "HTTP 503 with an nginx HTML page",
    Fault.BAD_API: "400 BAD REQUEST / THE API YOU WANT TO CONSULT DOES NOT EXIST",
    Fault.MISSING_PARAMS: "400 BAD REQUEST / SOME PARAMETERS ARE REQUIRED",
    Fault.TOKEN_MISSING: "401 UNAUTHORIZED / PLEASE ENTER THE WOLKVOX-TOKEN",
    Fault.TOKEN_INVALID: "403 FORBIDDEN / PLEASE VALIDATE TOKEN",
    Fault.TOKEN_LIMIT: "403 FORBIDDEN / TOKEN LIMIT EXCEEDED",
    Fault.CONCURRENCY: "403 FORBIDDEN / EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)",
    Fault.BACKUP_403: "403 with an Apache 'Forbidden' HTML page (server backup)",
    Fault.FORBIDDEN_UNKNOWN: "403 JSON with an undocumented message (server backup)",
    Fault.MALFORMED_JSON: "200 whose JSON has a trailing comma (built by hand, not valid JSON)",
    Fault.PHP_WARNING: "200 with a PHP warning (html_errors markup) printed before the JSON",
    Fault.PHP_NOTICES: "200 with plain-text PHP Deprecated and Notice lines before the JSON",
    Fault.BOM: "200 with a UTF-8 byte-order mark and blank lines before the JSON",
    Fault.PHP_FATAL: "200 with a PHP warning, then a PHP fatal error and no JSON at all",
    Fault.HTML_ERROR_PAGE: "200 with an HTML error page instead of JSON",
    Fault.TRUNCATED_BODY: "200 whose JSON is cut in the middle (complete HTTP message)",
    Fault.CONNECTION_DROP: "200 whose connection closes half-way through the announced body",
    Fault.JSON_AS_HTML: "valid JSON served as text/html (PHP's default content type)",
    Fault.DATA_NULL: '"data": null',
    Fault.DATA_OBJECT: '"data" is one record object instead of a list',
    Fault.DATA_MISSING: 'no "data" key at all',
    Fault.STRING_CODE: '"code": "200" as a string',
    Fault.EMPTY_WINDOW: '200 with " 0 records were found" and "data": []',
    Fault.NOT_FOUND_EMPTY: "HTTP 404 for an empty window",
    Fault.OVER_LIMIT: "exactly `over_limit_records` records (default 60,000, the vendor's cut)",
    Fault.OLD_FIELD_NAMES: "type_call and tel_number instead of type_interaction and telephone",
    Fault.ODD_SPELLINGS: "types and results in UPPER, Title, hyphen-, under_score, squashed forms",
    Fault.COMPACT_DATES: "dates as YYYYmmddHHiiss",
    Fault.MINUTE_DATES: "dates as YYYY-MM-DD HH:MM (no seconds)",
    Fault.HOSTILE_VALUES: "<!channel>, <@U123>, links, 10,000-char strings, control characters",
    Fault.BAD_ROWS: "extra unusable rows: no conn_id, zero or missing dates, non-object rows",
    Fault.DUPLICATE_CONN_IDS: "every third record repeated in the same response",
}


@dataclass(frozen=True, slots=True)
class Canned:
    """A complete response: status, body bytes and content type."""

    status: int
    body: bytes
    content_type: str = JSON


def encode(payload: Any) -> bytes:
    return orjson.dumps(payload)


def vendor_error(status: int, error: str, msg: str) -> Canned:
    """An error in the vendor's envelope; the body arrives with the matching status."""
    return Canned(status, encode({"code": status, "error": error, "msg": msg}))


def _html(status: int, title: str, server: str) -> Canned:
    page = (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
        f"<body><center><h1>{title}</h1></center><hr><center>{server}</center></body></html>\n"
    )
    return Canned(status, page.encode(), HTML)


TOKEN_MISSING = vendor_error(401, "UNAUTHORIZED", "PLEASE ENTER THE WOLKVOX-TOKEN")
TOKEN_INVALID = vendor_error(403, "FORBIDDEN", "PLEASE VALIDATE TOKEN")
TOKEN_LIMIT = vendor_error(403, "FORBIDDEN", "TOKEN LIMIT EXCEEDED")
CONCURRENCY = vendor_error(
    403, "FORBIDDEN", "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"
)
BAD_API = vendor_error(400, "BAD REQUEST", "THE API YOU WANT TO CONSULT DOES NOT EXIST")
MISSING_PARAMS = vendor_error(400, "BAD REQUEST", "SOME PARAMETERS ARE REQUIRED")

_ERRORS: dict[Fault, Canned] = {
    Fault.HTTP_500: Canned(500, b"Internal Server Error", TEXT),
    Fault.HTTP_502: _html(502, "502 Bad Gateway", "nginx"),
    Fault.HTTP_503: _html(503, "503 Service Temporarily Unavailable", "nginx"),
    Fault.BAD_API: BAD_API,
    Fault.MISSING_PARAMS: MISSING_PARAMS,
    Fault.TOKEN_MISSING: TOKEN_MISSING,
    Fault.TOKEN_INVALID: TOKEN_INVALID,
    Fault.TOKEN_LIMIT: TOKEN_LIMIT,
    Fault.CONCURRENCY: CONCURRENCY,
    Fault.BACKUP_403: _html(403, "403 Forbidden", "Apache"),
    Fault.FORBIDDEN_UNKNOWN: vendor_error(403, "FORBIDDEN", "ACCESS TEMPORARILY RESTRICTED"),
    Fault.HTML_ERROR_PAGE: _html(200, "Error", "wolkvox"),
    Fault.NOT_FOUND_EMPTY: Canned(
        404, encode({"code": 404, "error": "NOT FOUND", "msg": " 0 records were found"})
    ),
}


_PHP_WARNING = (
    b'<br />\n<b>Warning</b>:  Undefined array key "skill" in '
    b"<b>/var/www/html/api/v2/real_time.php</b> on line <b>212</b><br />\n"
)
_PHP_FATAL_ERROR = (
    b"<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted in "
    b"<b>/var/www/html/api/v2/real_time.php</b> on line <b>240</b><br />\n"
)
_PREFIXES: dict[Fault, bytes] = {
    Fault.PHP_WARNING: _PHP_WARNING,
    Fault.PHP_NOTICES: (
        b"PHP Deprecated:  Creation of dynamic property Report::$skill is deprecated in "
        b"/var/www/html/api/v2/real_time.php on line 88\n"
        b"Notice: Undefined index: skill in /var/www/html/api/v2/real_time.php on line 97\n"
    ),
    Fault.BOM: b"\xef\xbb\xbf\r\n\r\n",
}


def canned_error(fault: Fault | None) -> Canned | None:
    """The fixed response of a fault that does not depend on the data, if it is one."""
    return _ERRORS.get(fault) if fault is not None else None


def envelope(records: list[Any], fault: Fault | None = None) -> Canned:
    """The success envelope around `records`, bent the way `fault` says."""
    if fault is Fault.EMPTY_WINDOW:
        records = []
    payload: dict[str, Any] = {
        "code": "200" if fault is Fault.STRING_CODE else 200,
        "error": None,
        "msg": f" {len(records)} records were found",
        "data": records,
    }
    if fault is Fault.DATA_NULL:
        payload["data"] = None
    elif fault is Fault.DATA_OBJECT:
        payload["data"] = records[0] if records else {}
    elif fault is Fault.DATA_MISSING:
        del payload["data"]
    body = encode(payload)
    if fault is Fault.MALFORMED_JSON:
        body = body[:-1] + b",}"
    elif fault in _PREFIXES:
        body = _PREFIXES[fault] + body
    elif fault is Fault.PHP_FATAL:
        body = _PHP_WARNING + _PHP_FATAL_ERROR
    elif fault is Fault.TRUNCATED_BODY:
        body = body[: max(1, len(body) * 3 // 5)]
    return Canned(200, body, HTML if fault is Fault.JSON_AS_HTML else JSON)


def _spell(value: str, style: int) -> str:
    forms = (
        value.upper(),
        value.title(),
        value.replace(" ", "-").replace("_", "-"),
        value.replace(" ", "_"),
        value.replace(" ", "").replace("_", ""),
    )
    return forms[style % len(forms)]


def _old_names(records: list[Record]) -> list[Any]:
    renamed = {"type_interaction": "type_call", "telephone": "tel_number"}
    return [{renamed.get(k, k): v for k, v in r.items()} for r in records]


def _odd_spellings(records: list[Record]) -> list[Any]:
    return [
        {
            **r,
            "type_interaction": _spell(r["type_interaction"], i),
            "result": _spell(r["result"], i + 2),
        }
        for i, r in enumerate(records)
    ]


def _dates(fmt: Callable[[str], str]) -> Callable[[list[Record]], list[Any]]:
    return lambda records: [{**r, "date": fmt(r["date"])} for r in records]


_HOSTILE: tuple[dict[str, str], ...] = (
    {"telephone": "<!channel>", "customer_id": "<@U123>"},
    {"customer_id": "x" * 10_000, "telephone": "3001234567\x00\x1b[31m\r\n"},
    {"type_interaction": "<!here> inbound", "result": "answer\n*bold* `code` ~strike~"},
    {"result": "<https://evil.example|click me>", "customer_id": "&lt;&amp;&gt; <#C123>"},
    {"telephone": "\u202e\u200b" + "9" * 300, "type_interaction": "inbound\t\x07"},
)


def _hostile(records: list[Record]) -> list[Any]:
    return [{**r, **_HOSTILE[i % len(_HOSTILE)]} for i, r in enumerate(records)]


def _bad_rows(records: list[Record]) -> list[Any]:
    if not records:
        return []
    model = records[0]
    no_conn = {k: v for k, v in model.items() if k != "conn_id"}
    extra: list[Any] = [
        no_conn,
        {**model, "conn_id": "", "date": model["date"]},
        {**model, "conn_id": model["conn_id"] + "1", "date": "0000-00-00 00:00:00"},
        {k: v for k, v in {**model, "conn_id": model["conn_id"] + "2"}.items() if k != "date"},
        {**model, "conn_id": model["conn_id"] + "3", "date": "not a date"},
        "row",
        None,
    ]
    return [*records, *extra]


def _duplicates(records: list[Record]) -> list[Any]:
    out: list[Any] = []
    for i, r in enumerate(records):
        out.append(r)
        if i % 3 == 0:
            out.append(dict(r))
    return out


_RECORD_FAULTS: dict[Fault, Callable[[list[Record]], list[Any]]] = {
    Fault.OLD_FIELD_NAMES: _old_names,
    Fault.ODD_SPELLINGS: _odd_spellings,
    Fault.COMPACT_DATES: _dates(lambda d: d.replace("-", "").replace(" ", "").replace(":", "")),
    Fault.MINUTE_DATES: _dates(lambda d: d[:16]),
    Fault.HOSTILE_VALUES: _hostile,
    Fault.BAD_ROWS: _bad_rows,
    Fault.DUPLICATE_CONN_IDS: _duplicates,
}


def bend_records(records: list[Record], fault: Fault | None) -> list[Any]:
    """The records as `fault` spells them; the cached originals are never mutated."""
    transform = _RECORD_FAULTS.get(fault) if fault is not None else None
    return transform(records) if transform is not None else list(records)
