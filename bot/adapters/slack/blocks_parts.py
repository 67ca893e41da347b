"""Rendering parts shared by command replies, alert messages and the Home tab."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.adapters.slack.blocks_kit import Block, local_time, section, zone
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import (
    bar,
    format_age,
    format_number,
    format_percent,
    mask_customer_id,
    mask_phone,
    resample,
    safe,
    sparkline,
)
from bot.services.views.alert import CallLine
from bot.services.views.replies import StaleInfo

SPARK_WIDTH = 60
SPARK_GAP = "·"
"""A minute no successful poll covered: unknown, which a bar at zero would pass off as quiet."""
ERRORS_WRITTEN_IN = "en"
"""The language of the Wolkvox client's error texts."""
_ICONS = {
    ("firing", "critical"): ":red_circle:",
    ("firing", "warning"): ":large_orange_circle:",
    ("pending", "critical"): ":hourglass_flowing_sand:",
    ("pending", "warning"): ":hourglass_flowing_sand:",
}


def state_icon(state: str, severity: str | None) -> str:
    if state in {"firing", "pending"}:
        return _ICONS.get((state, severity or "warning"), ":large_orange_circle:")
    return ":large_green_circle:"


def call_line(call: CallLine, tr: Translator, tz: str, ref: datetime, *, mask: bool) -> str:
    """One call: time, type, result, and the (masked) phone number and customer id."""
    phone = mask_phone(call.telephone) if mask else call.telephone
    customer = mask_customer_id(call.customer_id) if mask else call.customer_id
    parts = [
        tr(
            "call_line",
            time=local_time(call.at, tz, ref),
            type=tr.call_type(call.call_type),
            result=tr.result(call.result),
        )
    ]
    if phone.strip():
        parts.append(tr("call_line.phone", phone=safe(phone, 40)))
    if customer.strip():
        parts.append(tr("call_line.customer", customer=safe(customer, 40)))
    return " · ".join(parts)


def count_lines(
    counts: Sequence[tuple[str, int]], total: int, label: Callable[[str], str], lang: str
) -> list[str]:
    """`████░░░░░░ abandoned *9* (18.4%)`, biggest first; `label` names each value."""
    ordered = sorted(counts, key=lambda item: (-item[1], item[0]))
    lines = []
    for value, count in ordered:
        share = count / total if total > 0 else 0.0
        shown = label(value)
        number = format_number(count, lang)
        lines.append(f"`{bar(share)}` {shown} *{number}* ({format_percent(share, lang)})")
    return lines


def stale_block(tr: Translator, stale: StaleInfo, as_of: datetime, tz: str) -> Block:
    text = tr(
        "stale",
        since=local_time(stale.since, tz, as_of),
        age=format_age(as_of - stale.since, tr.lang),
    )
    if stale.last_error:
        error = error_text(tr, stale.last_error_kind, stale.last_error)
        text += "\n" + tr("stale_error", error=error)
    return section(text)


def error_text(tr: Translator, kind: str | None, message: str, limit: int = 500) -> str:
    """A Wolkvox error for the reader, escaped.

    The client writes its errors in English (they name codes, servers and what to
    do); a reader of another language gets the error's kind in their own words only,
    never an English sentence (the log line and `callbot doctor` keep the details).
    """
    if tr.lang == ERRORS_WRITTEN_IN:
        return safe(message, limit)
    return tr.error(kind)


def _resample_gaps(series: Sequence[int | None], width: int) -> list[int | None]:
    """Like `resample`, where a bucket is a gap only when none of its minutes was covered."""
    if None not in series:
        return list(resample([v for v in series if v is not None], width))
    values = list(series)
    if len(values) <= width:
        return values
    size = -(-len(values) // width)
    start = len(values) % size
    chunks = ([values[:start]] if start else []) + [
        values[i : i + size] for i in range(start, len(values), size)
    ]
    return [
        None if all(v is None for v in chunk) else sum(v for v in chunk if v is not None)
        for chunk in chunks
    ]


def spark(series: Sequence[int | None]) -> str:
    """A per-minute series as a sparkline of at most SPARK_WIDTH characters; minutes no
    successful poll covered (None) are drawn as SPARK_GAP, never as a quiet minute."""
    points = _resample_gaps(series, SPARK_WIDTH)
    bars = sparkline([p or 0 for p in points])
    return "".join(SPARK_GAP if p is None else b for p, b in zip(points, bars, strict=True))


def full_time(at: datetime, tz: str) -> str:
    """`2024-03-05 14:32` in the operation's timezone, for moments that may be days away."""
    return at.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M")
