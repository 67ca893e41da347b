"""Durations as people write them in configuration and commands: 2s, 30s, 5m, 1h, 7d,
or in words, in English or Spanish: `2 hours`, `30 minutos`, `1 hora y 30 minutos`."""

from __future__ import annotations

import re
from datetime import timedelta

_SECOND, _MINUTE, _HOUR, _DAY, _WEEK = 1, 60, 3600, 86400, 604800
UNIT_WORDS: dict[str, int] = {
    **dict.fromkeys(
        ("s", "sec", "secs", "second", "seconds", "seg", "segundo", "segundos"), _SECOND
    ),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuto", "minutos"), _MINUTE),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas"), _HOUR),
    **dict.fromkeys(("d", "day", "days", "dia", "dias", "día", "días"), _DAY),
    **dict.fromkeys(("w", "week", "weeks", "semana", "semanas"), _WEEK),
}
"""Every unit a duration may be written in, to its length in seconds."""
_UNIT = "|".join(sorted(map(re.escape, UNIT_WORDS), key=len, reverse=True))
_PART = re.compile(rf"(\d+)\s*({_UNIT})(?![^\W\d_])", re.IGNORECASE)
_JOIN = r"(?:\s*,\s*|\s+(?:and|y)\s+|\s*)"
_WHOLE = re.compile(
    rf"^\s*\d+\s*(?:{_UNIT})(?![^\W\d_])(?:{_JOIN}\d+\s*(?:{_UNIT})(?![^\W\d_]))*\s*$",
    re.IGNORECASE,
)


def parse_duration(text: str) -> timedelta:
    """Parse `90s`, `5m`, `1h30m`, `7d`, `2w`, `2 horas`, `1 hour and 30 minutes`.

    Raises ValueError with a message a person can act on; zero is rejected
    because no period or window of zero length makes sense here.
    """
    if not isinstance(text, str) or not _WHOLE.match(text):
        raise ValueError(f"{text!r} is not a duration; write it like 30s, 5m, 1h or 7d")
    seconds = sum(int(n) * UNIT_WORDS[u.casefold()] for n, u in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"{text!r} is zero; a duration must be positive")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Render a timedelta compactly (`1h30m`, `45s`), the inverse of parse_duration."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0s"
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)
