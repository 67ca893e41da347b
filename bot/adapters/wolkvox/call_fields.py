"""One kept call's fields read from its row: the call time, text values, the full record.

Shared by both ways the mapping reads an answer (bot.adapters.wolkvox.mapping): a value
read here is read the same way whichever path the answer took. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.domain.calls import CallRecord

SKIP_NO_DATE = "no_date"
SKIP_BAD_DATE = "bad_date"

_RECORD_FIELDS = ("conn_id", "at", "call_type", "result", "telephone", "customer_id")


def _slot_setters() -> tuple[Callable[[CallRecord, object], None], ...]:
    """The slot descriptors' setters of CallRecord, in field order.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`
    by name, which was half of the mapping's time on a 60,000-row answer
    (bench/bench_ingest.py); setting the slots directly builds the same record
    in less than half the time. That is only the same record while CallRecord
    has exactly these fields and no `__post_init__`, so a change there stops
    the import instead of being skipped silently.
    """
    if tuple(f.name for f in fields(CallRecord)) != _RECORD_FIELDS or hasattr(
        CallRecord, "__post_init__"
    ):
        raise RuntimeError("CallRecord changed: update the mapping's record construction")
    return tuple(vars(CallRecord)[name].__set__ for name in _RECORD_FIELDS)


_SLOT_SETTERS = _slot_setters()


def build_record(conn_id: str, at: datetime, call_type: str, result: str, row: Any) -> CallRecord:
    """The full record of one kept call: its key and the phone and customer id of its row."""
    if type(row) is dict:
        phone = row.get("telephone") or row.get("tel_number")
        customer = row.get("customer_id")
    else:
        phone = row.telephone or row.tel_number
        customer = row.customer_id
    record = _new_record(CallRecord)
    set_conn_id, set_at, set_type, set_result, set_phone, set_customer = _SLOT_SETTERS
    set_conn_id(record, conn_id)
    set_at(record, at)
    set_type(record, call_type)
    set_result(record, result)
    set_phone(record, phone.strip() if type(phone) is str else text(phone))
    set_customer(record, customer.strip() if type(customer) is str else text(customer))
    return record


_new_record = object.__new__


def parse_local_date(text: str, zone: tzinfo) -> datetime | None:
    """Read a vendor date in the operation's zone and return it as aware UTC, or None.

    Accepts `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM`, the compact `YYYYmmddHHiiss`
    and `YYYYmmddHHii`, and any other ISO 8601 date-time (an explicit offset in it
    wins over `zone`). A bare date is not a usable call time.
    """
    text = text.strip()
    size = len(text)
    try:
        if (size == 19 or size == 16) and text[4] in "-/" and text[13] == ":":
            local = datetime(
                int(text[0:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13]),
                int(text[14:16]),
                int(text[17:19]) if size == 19 else 0,
                tzinfo=zone,
            )
        elif (size == 14 or size == 12) and text.isdigit():
            local = datetime(
                int(text[0:4]),
                int(text[4:6]),
                int(text[6:8]),
                int(text[8:10]),
                int(text[10:12]),
                int(text[12:14]) if size == 14 else 0,
                tzinfo=zone,
            )
        elif size > 10:
            local = datetime.fromisoformat(text)
            if local.tzinfo is None:
                local = local.replace(tzinfo=zone)
        else:
            return None
        # A date at the very edge of the calendar (9999-12-31 23:59 in Bogota) is valid
        # locally but has no UTC: OverflowError, an unusable date like any other.
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def read_date(raw: object, zone: tzinfo) -> datetime | str:
    """The call time as aware UTC, or the reason the row cannot be used."""
    if type(raw) is int:
        raw = str(raw)
    if type(raw) is not str or not raw.strip():
        return SKIP_NO_DATE
    at = parse_local_date(raw, zone)
    return SKIP_BAD_DATE if at is None else at


def text(value: object) -> str:
    """A vendor scalar as text: a string stripped, a number as Wolkvox writes it (an
    integral float without its ".0"), anything else (null, a boolean) empty."""
    if type(value) is str:
        return value.strip()
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return ""
