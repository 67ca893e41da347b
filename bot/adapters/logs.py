"""Logging for the running bot: one line per event, `key=value` text or typed JSON.

Every line has an `event`. Code logs events either with `bot.logevents.log_event` (typed
fields carried on the record) or, in older call sites, as a %-template of pairs
(`"event=poll operation=%s records=%d"`): `EventFields` then pairs each `key=%d` with its
argument, so `records` stays the int it was and `truncated` the bool; the rendered text is
never re-parsed. Anything else (a library's free text) becomes `event=message msg=...`.
The text format puts time, level and logger in front; the JSON format writes one object
per line, `ts`, `level`, `logger`, `event`, then the fields with their JSON types.
Tracebacks stay on the same line (escaped), so a log collector never splits an event.

Why the standard library and not structlog: the Slack libraries, the scheduler and
aiohttp log through `logging` anyway, so one handler with two formatters covers them all;
what structlog would add (typed key-value events) is the thirty lines of `log_event`.

Secrets must never be logged, and the code is written so they are not; `SecretRedactor`
is the last line of defence: it replaces every configured token in the final text of a
record, its typed fields, arguments and traceback included. The Slack libraries and the
scheduler log whole payloads or a line per job run, so they are kept at WARNING; the
composition root also hands `configure_logging` the Slack adapter's filter of client data
(slack/log_safety.py), as `quiet_libraries`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config.model import LogFormat
from bot.logevents import FIELDS_ATTR, Field, render_value

REDACTED = "***"
MIN_SECRET_LENGTH = 6
"""Shorter values are not redacted: replacing every "abc" would garble the logs."""

FREE_TEXT_EVENT = "message"
"""The `event` of a line that is not an event (a library's sentence): its text is `msg`."""

_QUIET_LOGGERS = ("slack_bolt", "slack_sdk", "apscheduler", "httpx", "httpcore", "aiohttp.access")
_PAIR = re.compile(r"""([A-Za-z_][\w.]*)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S*)""")
_SPEC = re.compile(
    r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)
_HANDLER_NAME = "callbot"


class EventFields(logging.Filter):
    """Gives every record its typed fields (`record.callbot_fields`, `event` first).

    Runs before `SecretRedactor`, while the record still holds its template and arguments.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, FIELDS_ATTR, None) is None:
            fields = template_fields(record.msg, record.args)
            if fields is None or "event" not in fields:
                fields = {"event": FREE_TEXT_EVENT, "msg": _message(record)}
            setattr(record, FIELDS_ATTR, fields)
        return True


def template_fields(template: object, args: object) -> dict[str, Field] | None:
    """`("event=poll records=%d truncated=%s", (5, False))` -> {"event": "poll", "records": 5,
    "truncated": False}: each value that is exactly one placeholder keeps its argument's type
    (`%d` an int, `%.3f` a float rounded as printed, a string for `%r` of a string); a
    literal stays a string.
    None when the template is not made of key=value pairs, or the arguments do not fit it.
    """
    if not isinstance(template, str):
        return None
    values: tuple[object, ...]
    if args is None:
        values = ()
    elif isinstance(args, tuple):
        values = args
    else:
        return None
    fields: dict[str, Field] = {}
    position, used = 0, 0
    text = template.strip()
    while position < len(text):
        match = _PAIR.match(text, position)
        if match is None:
            return None
        key, token = match.group(1), _unquote(match.group(2))
        specs = [m for m in _SPEC.finditer(token) if m.group(1) != "%"]
        taken = values[used : used + len(specs)]
        if len(taken) < len(specs):
            return None
        used += len(specs)
        if not specs:
            fields[key] = token
        elif len(specs) == 1 and specs[0].group(0) == token:
            fields[key] = _typed(token, specs[0], taken[0])
        else:
            try:
                fields[key] = token % taken
            except (TypeError, ValueError):
                return None
        position = match.end()
        while position < len(text) and text[position] == " ":
            position += 1
    if used != len(values) or not fields:
        return None
    return fields


def _unquote(token: str) -> str:
    if token[:1] in ("'", '"') and len(token) >= 2 and token[-1] == token[0]:
        return token[1:-1].replace("\\" + token[0], token[0])
    return token


def _typed(token: str, spec: re.Match[str], value: object) -> Field:
    kind = spec.group(1)
    try:
        if kind in "diu" and isinstance(value, int | float):
            return int(value)
        if kind in "eEfFgG" and isinstance(value, int | float) and not isinstance(value, bool):
            precision = re.search(r"\.(\d+)", token)
            number = float(value)
            return round(number, int(precision.group(1))) if precision else number
        if kind == "s" and (value is None or isinstance(value, bool | int | float | str)):
            return value
        if kind == "r" and isinstance(value, str):
            return value  # `%r` quotes for the text line; JSON quotes by itself
        return token % (value,)
    except (TypeError, ValueError):
        return str(value)


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        return f"{record.msg!s} (unformattable arguments)"


class SecretRedactor(logging.Filter):
    """Replaces each secret with `***` in the message, its arguments, its typed fields and
    its traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        kept = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, kept))) if kept else None

    def __repr__(self) -> str:
        return "SecretRedactor()"

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern is not None else text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(_message(record))
        record.args = None
        fields = getattr(record, FIELDS_ATTR, None)
        if isinstance(fields, dict):
            setattr(
                record,
                FIELDS_ATTR,
                {k: self.redact(v) if isinstance(v, str) else v for k, v in fields.items()},
            )
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _timestamp(record: logging.LogRecord) -> str:
    at = datetime.fromtimestamp(record.created, tz=UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fields(record: logging.LogRecord) -> dict[str, Field]:
    fields = getattr(record, FIELDS_ATTR, None)
    if isinstance(fields, dict):
        return fields
    return {"event": FREE_TEXT_EVENT, "msg": _message(record)}


class KeyValueFormatter(logging.Formatter):
    """`ts=... level=info logger=callbot.monitor event=poll operation=bogota ...`"""

    def format(self, record: logging.LogRecord) -> str:
        head = f"ts={_timestamp(record)} level={record.levelname.lower()} logger={record.name}"
        fields = _fields(record)
        if fields.get("event") == FREE_TEXT_EVENT:
            body = " ".join(f"{k}={render_value(v)}" for k, v in fields.items())
        else:
            # The event's own words, as the code wrote them (`truncated=False`, `seconds=0.25`).
            body = _message(record).strip()
        line = f"{head} {body}"
        error = _exception_text(self, record)
        if error:
            line += f" exc={render_value(error)}"
        return line.replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, event, then the event's typed fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        entry.update((k, v) for k, v in _fields(record).items() if k not in entry)
        error = _exception_text(self, record)
        if error:
            entry["exc"] = error
        return json.dumps(entry, ensure_ascii=False, default=str)


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    return record.exc_text or ""


def configure_logging(
    *,
    log_format: LogFormat,
    secrets: Iterable[str] = (),
    level: int = logging.INFO,
    stream: TextIO | None = None,
    quiet_libraries: Callable[[], None] | None = None,
) -> logging.Handler:
    """Route every log record through one handler on the root logger; returns it.

    Calling it again replaces the previous callbot handler (tests, the demo after a run).
    `quiet_libraries` runs once the noisy libraries' loggers are at WARNING: the composition
    root passes the Slack adapter's, which also strips client data from what they log.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if log_format is LogFormat.JSON else KeyValueFormatter())
    handler.addFilter(EventFields())
    handler.addFilter(SecretRedactor(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if quiet_libraries is not None:
        quiet_libraries()
    return handler
