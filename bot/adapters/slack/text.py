"""Small, pure text helpers for what Slack shows: escaping, masking, clipping, numbers.

Everything that came from Wolkvox or from a person passes through `safe` before
it reaches a message: control characters go, the length is bounded, and the
three characters Slack parses (`&`, `<`, `>`) are escaped, so a customer id of
`<!channel>` is shown, never obeyed. Numbers follow the reader's language:
English writes `1,234` and `18.4%`, Spanish (as written in Colombia, where
Wolkvox operates) writes `1.234` and `18,4 %`.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from datetime import timedelta

ELLIPSIS = "…"
DASH = "\u2013"
MINUS = "\u2212"
TIMES = "\u00d7"
MASK = "••••"
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
BAR_FULL = "█"
BAR_EMPTY = "░"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
_DANGLING_ENTITY = re.compile(r"&[a-z]{0,4}$")
_KEEP_VISIBLE = 4
_MIN_DIGITS_TO_SHOW = 7
_MIN_CHARS_TO_SHOW = 8


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` for mrkdwn, exactly as `html.escape(text, quote=False)`."""
    return html.escape(text, quote=False)


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Drop control and invisible direction characters from untrusted text.

    Line breaks and tabs become single spaces unless `keep_newlines` is set, so a
    vendor value cannot break the layout of a one-line field.
    """
    if not keep_newlines:
        text = _LINE_BREAKS.sub(" ", text)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text)


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending in an ellipsis when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def clip_escaped(text: str, limit: int) -> str:
    """Like `clip`, for text already escaped: never leaves half an entity (`&am…`)."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return _DANGLING_ENTITY.sub("", text[: limit - 1]) + ELLIPSIS


def safe(value: object, limit: int = 200, *, keep_newlines: bool = False) -> str:
    """Make untrusted text displayable: strip controls, clip, then escape."""
    text = strip_controls(str(value), keep_newlines=keep_newlines).strip()
    return escape(clip(text, limit))


def mask_phone(value: str) -> str:
    """Keep only the last 4 digits of a phone number (`•••• 4567`).

    Numbers with fewer than 7 digits are masked entirely: their last 4 digits
    would give away most of the number.
    """
    digits = [c for c in value if c.isdigit()]
    if not digits:
        return MASK if value.strip() else ""
    if len(digits) < _MIN_DIGITS_TO_SHOW:
        return MASK
    return f"{MASK} {''.join(digits[-_KEEP_VISIBLE:])}"


def mask_customer_id(value: str) -> str:
    """Keep only the last 4 letters or digits of a customer id; short ids fully masked."""
    chars = [c for c in value if c.isalnum()]
    if not chars:
        return MASK if value.strip() else ""
    if len(chars) < _MIN_CHARS_TO_SHOW:
        return MASK
    return f"{MASK} {''.join(chars[-_KEEP_VISIBLE:])}"


def sparkline(series: Sequence[float], width: int | None = None) -> str:
    """Draw a series as ▁▂▃▄▅▆▇█, scaled from zero to its maximum.

    Zero is always the lowest bar, so a quiet minute looks quiet even when the
    whole series is low. With `width`, only the last `width` points are drawn.
    """
    points = list(series)
    if width is not None:
        points = points[len(points) - width :] if 0 < width < len(points) else points
        if width <= 0:
            points = []
    values = [v if math.isfinite(v) and v > 0 else 0.0 for v in points]
    top = max(values, default=0.0)
    if top <= 0:
        return SPARK_LEVELS[0] * len(values)
    last = len(SPARK_LEVELS) - 1
    return "".join(SPARK_LEVELS[round(v / top * last)] for v in values)


def bar(share: float, width: int = 10) -> str:
    """A horizontal bar for a share in [0, 1]; any non-zero share shows at least one cell."""
    if width <= 0:
        return ""
    if not math.isfinite(share):
        share = 0.0
    share = min(max(share, 0.0), 1.0)
    full = round(share * width)
    if share > 0 and full == 0:
        full = 1
    return BAR_FULL * full + BAR_EMPTY * (width - full)


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def format_decimal(value: float, lang: str, digits: int = 1) -> str:
    """Format a number with `digits` decimals in the reader's convention."""
    if not math.isfinite(value):
        return DASH
    thousands, decimal = (".", ",") if lang == "es" else (",", ".")
    rendered = f"{abs(value):.{max(digits, 0)}f}"
    whole, _, frac = rendered.partition(".")
    sign = "-" if value < 0 and float(rendered) != 0 else ""
    out = sign + _group(whole, thousands)
    return f"{out}{decimal}{frac}" if frac else out


def format_number(value: int, lang: str) -> str:
    """Format a whole number with thousands separators (`1,234` / `1.234`)."""
    return format_decimal(float(value), lang, 0)


def format_percent(fraction: float, lang: str, digits: int = 1, *, trim: bool = False) -> str:
    """Format a fraction as a percentage: `18.4%` in English, `18,4 %` in Spanish.

    With `trim`, a whole percentage drops its decimals (`15%`), as thresholds read.
    """
    if not math.isfinite(fraction):
        return DASH
    number = format_decimal(fraction * 100, lang, digits)
    if trim and digits > 0:
        number = number.rstrip("0").rstrip(".,")
    return f"{number} %" if lang == "es" else f"{number}%"


_UNIT_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "s": ("second", "seconds"),
        "m": ("minute", "minutes"),
        "h": ("hour", "hours"),
        "d": ("day", "days"),
    },
    "es": {
        "s": ("segundo", "segundos"),
        "m": ("minuto", "minutos"),
        "h": ("hora", "horas"),
        "d": ("día", "días"),
    },
}
_AND = {"en": " ", "es": " y "}


def _age_parts(delta: timedelta, days_from_hours: int) -> list[tuple[int, str]]:
    """At most two units, the larger first: 41 s; 3 min; 2 h 5 min; then days and hours
    from `days_from_hours` on (`24 hours` reads better than `1 day` in words)."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return [(seconds, "s")]
    minutes = seconds // 60
    if minutes < 60:
        return [(minutes, "m")]
    hours, minutes = divmod(minutes, 60)
    if hours < days_from_hours:
        return [(hours, "h")] + ([(minutes, "m")] if minutes else [])
    days, hours = divmod(hours, 24)
    return [(days, "d")] + ([(hours, "h")] if hours else [])


def format_age(delta: timedelta, lang: str | None = None) -> str:
    """An age or a length. In the reader's language, in words with the right plural
    (`1 minute`, `2 hours 5 minutes`, `2 horas y 5 minutos`, `3 días`); without a language,
    short and language-neutral (`41 s`, `3 min`, `2 h 5 min`, `3 d 4 h`)."""
    if lang is None:
        short = {"s": "s", "m": "min", "h": "h", "d": "d"}
        return " ".join(f"{n} {short[unit]}" for n, unit in _age_parts(delta, 24))
    parts = _age_parts(delta, 48)
    names = _UNIT_NAMES.get(lang, _UNIT_NAMES["en"])
    words = [
        f"{format_number(n, lang)} {names[unit][0] if n == 1 else names[unit][1]}"
        for n, unit in parts
    ]
    return _AND.get(lang, " ").join(words)


def resample(series: Sequence[int], width: int) -> list[int]:
    """Sum a long per-minute series into at most `width` buckets (newest bucket last)."""
    values = list(series)
    if width <= 0:
        return []
    if len(values) <= width:
        return values
    size = -(-len(values) // width)
    start = len(values) % size
    head = [sum(values[:start])] if start else []
    return head + [sum(values[i : i + size]) for i in range(start, len(values), size)]
