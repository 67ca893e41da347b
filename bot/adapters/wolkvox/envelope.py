"""The real-time API's response envelope, read tolerantly (pure, standard library only).

Every v2 real-time API answers `{"code", "error", "msg", "data"}`, and the vendor's
own examples disagree on the details: `code` as 200 or "200", `data` as a list,
an object, null or missing, and no documented answer for an empty window. This
module accepts all of those, turns every documented error into the matching
typed exception, and hands the rows on untouched so each API maps its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.adapters.wolkvox.errors import (
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

MAX_RECORDS = 60_000
"""The vendor cuts a result at this many records without saying so."""

_FIRST_NUMBER = re.compile(r"\d+")
_SERVER_TEXT_LIMIT = 160


@dataclass(frozen=True, slots=True)
class Envelope:
    """A successful answer: the raw rows and what the server said about them.

    `rows` are the vendor's objects as decoded (dicts, or `CallRow`s for a
    calls_last_10 body read by rows_decode.py); callers must not mutate them,
    because callers that joined the same request share one Envelope.
    """

    rows: tuple[object, ...]
    declared_count: int | None = None
    sent_at: datetime | None = None
    """When the client sent the request (set by the client, for coverage)."""
    noise: tuple[str, ...] = ()
    """What was skipped before the JSON (php_noise.NOISE_KINDS), one kind per item."""

    @property
    def possibly_truncated(self) -> bool:
        return len(self.rows) >= MAX_RECORDS


EMPTY = Envelope(rows=(), declared_count=0)


def read_envelope(
    payload: object,
    *,
    status: int = 200,
    api: str = "calls_last_10",
    resumes_at: datetime | None = None,
) -> Envelope:
    """Check a decoded answer and return its rows, or raise the matching WolkvoxError.

    HTTP 404 and an envelope code 404 mean "nothing in the window". A body
    code that is an error wins over the HTTP status (some servers answer 200
    with an error envelope); otherwise an HTTP error status decides.
    """
    if status == 404:
        return EMPTY
    if not isinstance(payload, dict):
        if status >= 300:
            raise classify_error(status, None, None, api=api, resumes_at=resumes_at)
        raise PayloadError(
            f"Wolkvox answered {api} with a JSON {type(payload).__name__} instead of the "
            "documented object; retrying may help, otherwise report it to Wolkvox support."
        )
    return envelope_of(
        payload.get("code"),
        payload.get("error"),
        payload.get("msg"),
        payload.get("data"),
        status=status,
        api=api,
        resumes_at=resumes_at,
    )


def envelope_of(
    code: object,
    error: object,
    msg: object,
    data: object,
    *,
    status: int = 200,
    api: str = "calls_last_10",
    resumes_at: datetime | None = None,
) -> Envelope:
    """`read_envelope` for an answer object already taken apart (see rows_decode.py)."""
    body_code = _as_code(code)
    if body_code is not None and body_code >= 300:
        checked = body_code
    elif status >= 300:
        checked = status
    else:
        checked = 200
    if checked == 404:
        return EMPTY
    if checked != 200:
        raise classify_error(checked, error, msg, api=api, resumes_at=resumes_at, status=status)
    return Envelope(rows=_rows(data, api), declared_count=_count(msg))


def classify_error(
    code: int,
    error: object,
    msg: object,
    *,
    api: str = "calls_last_10",
    resumes_at: datetime | None = None,
    status: int | None = None,
) -> WolkvoxError:
    """Turn an error code and the server's words into the exception a person can act on."""
    said = _server_text(error, msg)
    upper = said.upper()
    quoted = f" ({code} {said})" if said else f" ({code})"
    http = status if status is not None else code
    if code == 400:
        if "PARAMETER" in upper:
            return ConfigurationError(
                f"Wolkvox says {api} is missing a required parameter{quoted}; this is a bot "
                "bug, please report it.",
                status=http,
            )
        return ConfigurationError(
            f"Wolkvox does not offer the API {api!r}{quoted}; check the operation's server "
            "code and base URL, and that the bot is up to date.",
            status=http,
        )
    if code == 401:
        return TokenMissingError(
            f"Wolkvox received no token{quoted}; set the operation's token in the "
            "configuration. Polling this operation stops until it is fixed.",
            status=http,
        )
    if code == 403:
        if "SIMULTANEOUS" in upper:
            return ConcurrencyLimitError(
                f"Wolkvox refused a simultaneous request on this token{quoted}; another "
                "integration may be using the same token at the same time.",
                status=http,
            )
        if "TOKEN" in upper and "VALIDATE" in upper:
            return TokenRejectedError(
                f"Wolkvox refused the token{quoted}: it is wrong or expired. Create one in "
                "wolkvox Manager (Configuration, Integrations, Tokens) and update the "
                "configuration; polling this operation stops until then.",
                status=http,
            )
        if "TOKEN" in upper and "LIMIT" in upper:
            when = f" ({resumes_at:%Y-%m-%d %H:%M} {resumes_at.tzinfo})" if resumes_at else ""
            return QuotaExceededError(
                f"Wolkvox says the token's daily quota of calls is spent{quoted}; polling "
                f"resumes at the operation's local midnight{when}.",
                resumes_at=resumes_at,
                status=http,
            )
        return ServerBackupError(
            f"Wolkvox answered 403 without a known reason{quoted}, as it does during server "
            "backups.",
            status=http,
        )
    if code == 429:
        return ConcurrencyLimitError(f"Wolkvox asked the bot to slow down{quoted}.", status=http)
    if code >= 500:
        return ServerError(f"Wolkvox had a server error{quoted}.", status=http)
    return PayloadError(
        f"Wolkvox answered {api} with an undocumented code{quoted}; retrying may help, "
        "otherwise report it to Wolkvox support.",
        status=http,
    )


def _as_code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
    return None


def _rows(data: object, api: str) -> tuple[object, ...]:
    if data is None or data == "":
        return ()
    if isinstance(data, list):
        return tuple(data)
    if isinstance(data, dict):
        return (data,)
    raise PayloadError(
        f"Wolkvox answered {api} with `data` as a JSON {type(data).__name__}, not a list or "
        "object; retrying may help, otherwise report it to Wolkvox support."
    )


def _count(msg: object) -> int | None:
    if not isinstance(msg, str):
        return None
    found = _FIRST_NUMBER.search(msg)
    return int(found.group()) if found else None


def _server_text(error: object, msg: object) -> str:
    parts = [str(part) for part in (error, msg) if part not in (None, "")]
    text = " ".join(" ".join(parts).split())
    text = "".join(ch for ch in text if ch.isprintable())
    if len(text) > _SERVER_TEXT_LIMIT:
        text = text[: _SERVER_TEXT_LIMIT - 1] + "…"
    return text
