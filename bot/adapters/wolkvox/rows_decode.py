"""A calls_last_10 body decoded straight into typed rows (msgspec), for the big answers.

A 60,000-record answer decoded to Python dicts takes ~6 times its size in memory
and most of the mapping's time (bench/RESULTS.md). Decoded into `CallRow`
structs (no dict, no key strings, not tracked by the cyclic GC) it takes less
than twice its size, and the documented call types and results (a handful of
values repeated on every row) come out as the same shared string objects.

The types accept every variant the vendor's examples show (see envelope.py):
`code` as a number or a string, `data` as a list, an object, null, "" or
missing, rows with the old field names (`type_call`, `tel_number`), missing
fields, values of any JSON scalar type. An answer with a type or result spelled
otherwise is decoded again with plain strings. A body outside these types (not
JSON, not an object, an object or list where a scalar was expected, an integer
beyond 64 bits, which orjson reads as a float) is not decoded here:
`decode_calls` returns None and the caller decodes it the generic way, so errors
and edge cases behave exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from bot.domain.calls import CallResult, CallType

_Int = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Scalar = str | _Int | float | bool | None

if TYPE_CHECKING:
    _Type = str
    _Result = str
else:
    _Type = Literal[("", *(t.value for t in CallType))]
    _Result = Literal[("", *(r.value for r in CallResult))]


class CallRow(msgspec.Struct, gc=False):
    """One calls_last_10 record as sent; a field the row does not have is None.

    Any field not named here is skipped while decoding. Rows are shared by the
    callers that joined one request: never mutate them.
    """

    conn_id: Scalar = None
    date: Scalar = None
    type_interaction: Scalar = None
    type_call: Scalar = None
    result: Scalar = None
    telephone: Scalar = None
    tel_number: Scalar = None
    customer_id: Scalar = None


class DocumentedRow(CallRow, gc=False):
    """A CallRow whose type and result, when present, are documented spellings (or empty)."""

    type_interaction: _Type | None = None
    type_call: _Type | None = None
    result: _Result | None = None


ROW_TYPES: frozenset[type] = frozenset({CallRow, DocumentedRow})
"""The types of the rows `decode_calls` returns (the mapping reads both the same way)."""


class _Envelope(msgspec.Struct, gc=False):
    code: Scalar = None
    error: Scalar = None
    msg: Scalar = None
    data: list[CallRow | list[object] | Scalar] | CallRow | Scalar = None


class _DocumentedEnvelope(msgspec.Struct, gc=False):
    code: Scalar = None
    error: Scalar = None
    msg: Scalar = None
    data: list[DocumentedRow | list[object] | Scalar] | DocumentedRow | Scalar = None


_DECODERS = (msgspec.json.Decoder(_DocumentedEnvelope), msgspec.json.Decoder(_Envelope))


def decode_calls(
    body: bytes | bytearray | memoryview,
) -> tuple[Scalar, Scalar, Scalar, object] | None:
    """(code, error, msg, data) of a calls_last_10 body, or None to decode it generically.

    `data` is a list (an object is wrapped), or whatever scalar was sent.
    """
    for decoder in _DECODERS:
        try:
            envelope = decoder.decode(body)
        except msgspec.ValidationError:
            continue
        except (msgspec.MsgspecError, ValueError, RecursionError):
            return None
        data = envelope.data
        rows = [data] if isinstance(data, CallRow) else data
        return envelope.code, envelope.error, envelope.msg, rows
    return None
