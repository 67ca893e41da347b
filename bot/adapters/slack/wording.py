"""How values read in a Slack message, in the reader's language: times in the operation's
timezone, rule values and thresholds, names and mentions, call lines, counts, sparklines,
state icons and Wolkvox errors.

Language-free primitives (escaping, numbers, durations, masks) are in text.py; the
Block Kit structure and its limits in blocks_kit.py. Everything returned here is mrkdwn
that is already escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.text import (
    DASH,
    TIMES,
    bar,
    format_age,
    format_decimal,
    format_number,
    format_percent,
    mask_customer_id,
    mask_phone,
    resample,
    safe,
    sparkline,
)
from bot.services.views.alert import CallLine, Unit

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


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The operation's timezone; UTC if the name is unknown (configuration validates it)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(at: datetime, tz: str, reference: datetime | None = None) -> str:
    """`14:32` in the operation's timezone; with the date when not on `reference`'s day."""
    local = at.astimezone(zone(tz))
    if reference is None or reference.astimezone(zone(tz)).date() == local.date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def format_value(value: float | None, unit: Unit | str, lang: str) -> str:
    """A rule value for display: a rate as a percentage, a ratio with a times sign, a count."""
    if value is None:
        return DASH
    if unit == Unit.RATE:
        return format_percent(value, lang)
    if unit == Unit.RATIO:
        return TIMES + format_decimal(value, lang, 1)
    if unit == Unit.AGE:
        return format_age(timedelta(seconds=value), lang)
    if float(value).is_integer():
        return format_number(int(value), lang)
    return format_decimal(value, lang, 1)


def threshold_text(
    tr: Translator, severity: str | None, value: float | None, unit: Unit | str, below: bool
) -> str:
    """`critical at 15%` / `warning below 3` / `critical after 10 min` (an age)."""
    if value is None:
        return ""
    if unit == Unit.AGE:
        age = format_age(timedelta(seconds=value), tr.lang)
        return tr("threshold.after", severity=tr.severity(severity or "critical"), value=age)
    key = "threshold.below" if below else "threshold.at"
    if unit == Unit.RATE:
        shown = format_percent(value, tr.lang, trim=True)
    elif unit == Unit.RATIO:
        shown = TIMES + format_decimal(value, tr.lang, 1).removesuffix(".0").removesuffix(",0")
    else:
        shown = format_value(value, unit, tr.lang)
    return tr(key, severity=tr.severity(severity or "warning"), value=shown)


def name(value: str, limit: int = 80) -> str:
    """An operation or rule name from the configuration, shown escaped and bounded."""
    return safe(value, limit)


_USER_ID = re.compile(r"^<?@?([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>?$")


_GROUP_ID = re.compile(r"^<?!?(?:subteam\^)?(S[A-Z0-9]{2,30})(?:\|[^>]*)?>?$")


_SPECIAL = {"here": "<!here>", "channel": "<!channel>", "everyone": "<!everyone>"}


def user_ref(user: str | None) -> str:
    """A Slack user id as a mention (`<@U123>`); anything else shown escaped, never pinging."""
    if not user:
        return DASH
    match = _USER_ID.match(user.strip())
    return f"<@{match.group(1)}>" if match else safe(user, 80)


def mention_markup(mention: str | None) -> str:
    """The configured `mention:` of a rule as Slack markup, the only deliberate ping.

    Accepts a user id (`U123`, `<@U123>`), a user group id (`S123`,
    `<!subteam^S123>`) or `here` / `channel` / `everyone` (with or without `@`
    or `<!...>`), or several of them separated by spaces. Anything else is shown
    escaped, whole, so a configuration mistake is visible and pings no one.
    """
    if not mention or not mention.strip():
        return ""
    value = mention.strip()
    parts = [_one_mention(part) for part in value.split()]
    if all(parts):
        return " ".join(dict.fromkeys(p for p in parts if p))
    return safe(value, 80)


def _one_mention(value: str) -> str | None:
    special = value.strip("<>!@").lower()
    if special in _SPECIAL:
        return _SPECIAL[special]
    user = _USER_ID.match(value)
    if user:
        return f"<@{user.group(1)}>"
    group = _GROUP_ID.match(value)
    if group:
        return f"<!subteam^{group.group(1)}>"
    return None


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
