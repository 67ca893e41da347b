"""Status and body bytes to an Envelope: the one place that decodes JSON.

A calls_last_10 body, the big one, is decoded straight into typed rows
(rows_decode.py, msgspec); any other body, and a calls_last_10 body outside
those types, into Python objects with orjson. A body that is not JSON is still
informative: with an error status the status decides (a 403 HTML page during a
backup is a backup); with 200 it is an HTML error page or a body cut off in
transit, both worth a retry. What PHP prints before the JSON (a byte-order mark,
blank lines, warnings, notices) is skipped first and reported on the Envelope.

HTTP 404 is read as "nothing in the window" when it is Wolkvox's own answer
(shared/wolkvox-api.md: the empty window's answer is undocumented and 404 is
accepted), that is a JSON body or none. A 404 whose body is something else (a
web server's "Not Found" page) is not Wolkvox speaking but a URL that names no
Wolkvox API: a NotFoundError the operator sees, never a quiet "no calls".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo

import orjson

from bot.adapters.wolkvox.envelope import (
    EMPTY,
    Envelope,
    classify_error,
    envelope_of,
    read_envelope,
)
from bot.adapters.wolkvox.errors import NotFoundError, PayloadError
from bot.adapters.wolkvox.mapping import MappedBatch, map_calls
from bot.adapters.wolkvox.php_noise import skip_noise
from bot.adapters.wolkvox.rows_decode import decode_calls


def decode_response(
    status: int,
    body: bytes | bytearray | memoryview,
    *,
    api: str = "calls_last_10",
    resumes_at: datetime | None = None,
) -> Envelope:
    """Decode one HTTP answer of the real-time family, or raise the matching WolkvoxError."""
    body, noise = skip_noise(body)
    if status == 404:
        return _not_found(body, api)
    envelope = _decode(status, body, api=api, resumes_at=resumes_at)
    return replace(envelope, noise=noise) if noise else envelope


def _decode(
    status: int, body: bytes | bytearray | memoryview, *, api: str, resumes_at: datetime | None
) -> Envelope:
    if api == "calls_last_10":
        parts = decode_calls(body)
        if parts is not None:
            return envelope_of(*parts, status=status, api=api, resumes_at=resumes_at)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        if status >= 300:
            raise classify_error(status, None, None, api=api, resumes_at=resumes_at) from None
        raise _unreadable(bytes(body[:64]), len(body), status, api) from None
    return read_envelope(payload, status=status, api=api, resumes_at=resumes_at)


def _not_found(body: bytes | bytearray | memoryview, api: str) -> Envelope:
    """An empty window when Wolkvox said it (JSON or no body), else a wrong address."""
    if not bytes(body).strip():
        return EMPTY
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NotFoundError(
            f"Wolkvox's address answered {api} with 404 Not Found and a page that is not "
            "a Wolkvox answer; check the operation's base_url and server code.",
            status=404,
        ) from None
    return EMPTY


def map_calls_response(
    status: int, body: bytes | bytearray | memoryview, zone: tzinfo
) -> MappedBatch:
    """Decode and map one calls_last_10 answer read in the operation's `zone`."""
    return map_calls(decode_response(status, body, api="calls_last_10"), zone)


def _unreadable(head: bytes, size: int, status: int, api: str) -> PayloadError:
    start = head.lstrip()[:15].lower()
    if not start:
        return PayloadError(
            f"Wolkvox answered {api} with an empty body (HTTP {status}).", status=status
        )
    if start.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        return PayloadError(
            f"Wolkvox answered {api} with an HTML page instead of JSON (HTTP {status}); the "
            "server may be in maintenance.",
            status=status,
        )
    return PayloadError(
        f"Wolkvox answered {api} with {size} bytes that are not valid JSON (HTTP {status}); "
        "the body may have been cut off in transit.",
        status=status,
    )
