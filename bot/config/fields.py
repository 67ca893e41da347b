"""Validators for single configuration values, as pydantic `Annotated` types.

Each validator raises ValueError with a sentence a person can act on. Values
of secrets are never quoted; other values are, because "'5x' is not a
duration" is quicker to fix than "invalid duration".
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr

from bot.domain.calls import CallResult, CallType, expand_results, expand_types
from bot.domain.durations import parse_duration
from bot.domain.schedule import ActiveHours

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{6,}$")
_USER = re.compile(r"^[UW][A-Z0-9]{6,}$")
_GROUP = re.compile(r"^S[A-Z0-9]{6,}$")
_MENTION = re.compile(r"^<(?:!subteam\^S[A-Z0-9]+|@[UW][A-Z0-9]+|!here|!channel|!everyone)>$")
_SERVER = re.compile(r"^[0-9]{4}$")

TYPE_ALIASES = ("outbound",)
RESULT_ALIASES = ("network",)
KNOWN_TYPES = tuple(t.value for t in CallType) + TYPE_ALIASES
KNOWN_RESULTS = tuple(r.value for r in CallResult) + RESULT_ALIASES
_CANONICAL_TYPES = frozenset(t.value for t in CallType)
_CANONICAL_RESULTS = frozenset(r.value for r in CallResult)


def did_you_mean(word: str, known: tuple[str, ...] | list[str]) -> str:
    """' (did you mean 'x'?)' for the closest known word, or ''."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return value


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(value)


def _fraction_or_percent(value: Any) -> Any:
    value = _no_bool(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100.0
        except ValueError:
            raise ValueError(f"{value!r} is not a percentage") from None
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use lower-case letters, digits, '-' and '_' "
            "(starting with a letter or digit, at most 64 characters)"
        )
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _server(value: Any) -> str:
    """4 digits. YAML reads `server: 4` as a number: an int 0..9999 is zero-padded."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9999:
        return f"{value:04d}"
    if isinstance(value, str) and _SERVER.match(value.strip()):
        return value.strip()
    raise ValueError(
        "must be the operation's 4-digit server code, like '0004' for wv0004.wolkvox.com "
        "(a number up to 9999 is zero-padded)"
    )


def _secret_text(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and not value.strip():
        raise ValueError("is empty")
    if isinstance(value, str) and not all("!" <= c <= "~" for c in value):
        raise ValueError(
            "contains a space, a control character or a non-ASCII character, which no "
            "token has and an HTTP header cannot carry; copy it again from its source"
        )
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(value, sorted(available_timezones()))
        raise ValueError(f"{value!r} is not an IANA timezone (like America/Bogota){hint}") from None
    return value


def _active(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("is empty: write one range like 'mon-fri 07:00-19:00' or a list of them")
    for text in value:
        ActiveHours.parse(text)
    return value


MAX_HOLIDAY_RANGE = timedelta(days=366)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text.strip()!r} is not a date: write 2026-12-24, or a range like "
            "2026-12-24..2027-01-06"
        ) from None


def _holiday_date(value: Any) -> tuple[date, date]:
    """A date, or a range `2026-12-24..2027-01-06` (both ends included)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return (value, value)
    if not isinstance(value, str):
        raise ValueError("must be a date like 2026-12-24 or a range like 2026-12-24..2027-01-06")
    first, sep, last = value.partition("..")
    start = _day(first)
    end = _day(last) if sep else start
    if end < start:
        raise ValueError(f"{value!r} ends before it starts")
    if end - start >= MAX_HOLIDAY_RANGE:
        raise ValueError(f"{value!r} is longer than a year; is a year mistyped?")
    return (start, end)


def _channel(value: str) -> str:
    if not _CHANNEL.match(value):
        raise ValueError(
            f"{value!r} is not a Slack channel id: use the id (like C0123456789, shown at the "
            "bottom of the channel's details), not its name; alerts are edited later by id"
        )
    return value


def _user(value: str) -> str:
    if not _USER.match(value):
        raise ValueError(f"{value!r} is not a Slack user id (like U0123456789)")
    return value


def _group(value: str) -> str:
    if not _GROUP.match(value):
        raise ValueError(f"{value!r} is not a Slack user group id (like S0123456789)")
    return value


def _mention(value: str) -> str:
    parts = value.split()
    if not parts or not all(_MENTION.match(part) for part in parts):
        raise ValueError(
            f"{value!r} is not a Slack mention: write '<!subteam^S0123456789>' for a user "
            "group, '<@U0123456789>' for a person, or '<!here>'"
        )
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL like https://wv0004.wolkvox.com")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("must be a plain http(s) base URL: no credentials, query or fragment")
    return value.rstrip("/")


def _call_type(value: str) -> str:
    if expand_types([value]) <= _CANONICAL_TYPES:
        return value
    raise ValueError(
        f"{value!r} is not a call type{did_you_mean(value.lower(), KNOWN_TYPES)} "
        f"(known: {', '.join(KNOWN_TYPES)})"
    )


def _call_result(value: str) -> str:
    if expand_results([value]) <= _CANONICAL_RESULTS:
        return value
    raise ValueError(
        f"{value!r} is not a call result{did_you_mean(value.lower(), KNOWN_RESULTS)} "
        f"(known: {', '.join(KNOWN_RESULTS)})"
    )


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Slug = Annotated[str, AfterValidator(_slug)]
SlugList = Annotated[list[Slug], BeforeValidator(_one_or_many)]


def _queue_name(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ValueError("must be a queue's name or id as Wolkvox lists it (skill_name, skill_id)")
    return " ".join(str(value).split())


QueueNames = Annotated[
    list[Annotated[str, BeforeValidator(_queue_name)]],
    BeforeValidator(_one_or_many),
    Field(min_length=1),
]
"""issue 15: the queues a `queue` rule reads, by name or id (`[Ventas, '12']`)."""
Threshold = Annotated[float, BeforeValidator(_fraction_or_percent), Field(ge=0)]
Reserve = Annotated[float, BeforeValidator(_fraction_or_percent), Field(ge=0, lt=1)]
Count = Annotated[int, BeforeValidator(_no_bool), Field(ge=0)]
AtLeastOne = Annotated[int, BeforeValidator(_no_bool), Field(ge=1)]
Megabytes = Annotated[int, BeforeValidator(_no_bool), Field(ge=1, le=256)]
HistoryDays = Annotated[int, BeforeValidator(_no_bool), Field(ge=1, le=35)]
"""issue 13: how many days of per-minute history the store keeps (backtests, baselines)."""
Port = Annotated[int, BeforeValidator(_no_bool), Field(ge=1, le=65535)]
OptionalPort = Annotated[int, BeforeValidator(_no_bool), Field(ge=0, le=65535)]
Confidence = Annotated[float, BeforeValidator(_fraction_or_percent), Field(ge=0.5, le=0.999)]
Factor = Annotated[float, BeforeValidator(_no_bool), Field(gt=1)]
ServerCode = Annotated[str, BeforeValidator(_server)]
SecretText = Annotated[SecretStr, BeforeValidator(_secret_text)]
TimezoneName = Annotated[str, AfterValidator(_timezone)]
ActiveText = Annotated[list[str], BeforeValidator(_one_or_many), AfterValidator(_active)]
ChannelId = Annotated[str, AfterValidator(_channel)]
HolidayDate = Annotated[tuple[date, date], BeforeValidator(_holiday_date)]
UserIds = Annotated[list[Annotated[str, AfterValidator(_user)]], BeforeValidator(_one_or_many)]
GroupId = Annotated[str, AfterValidator(_group)]
Mention = Annotated[str, AfterValidator(_mention)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
CallTypes = Annotated[
    list[Annotated[str, AfterValidator(_call_type)]], BeforeValidator(_one_or_many)
]
CallResults = Annotated[
    list[Annotated[str, AfterValidator(_call_result)]], BeforeValidator(_one_or_many)
]
