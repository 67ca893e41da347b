"""Logging for the running bot: one line per event, `key=value` text or JSON.

The bot's own messages are already written as `event=poll operation=bogota ...`; the text
format puts time, level and logger in front, the JSON format turns those pairs into
fields (anything else becomes `msg`). Tracebacks stay on the same line (escaped), so a
log collector never splits an event.

Secrets must never be logged, and the code is written so they are not; `SecretRedactor`
is the last line of defence: it replaces every configured token in the final text of a
record, arguments and traceback included. The Slack libraries and the scheduler log whole
payloads or a line per job run, so they are kept at WARNING (see slack/log_safety.py).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.adapters.slack.log_safety import quiet_logger, quiet_slack_libraries
from bot.config.model import LogFormat

REDACTED = "***"
MIN_SECRET_LENGTH = 6
"""Shorter values are not redacted: replacing every "abc" would garble the logs."""

_QUIET_LOGGERS = ("slack_bolt", "slack_sdk", "apscheduler", "httpx", "httpcore", "aiohttp.access")
_SLACK_PREFIXES = ("slack_bolt", "slack_sdk")
_PAIR = re.compile(r"""([A-Za-z_][\w.]*)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S*)""")
_BARE = re.compile(r"^[^\s\"'=]*$")
_HANDLER_NAME = "callbot"


class SecretRedactor(logging.Filter):
    """Replaces each secret with `***` in the message, its arguments and its traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        kept = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, kept))) if kept else None

    def __repr__(self) -> str:
        return "SecretRedactor()"

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern is not None else text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def parse_pairs(message: str) -> dict[str, str] | None:
    """`event=poll operation='a b'` -> {"event": "poll", "operation": "a b"}; None if the
    message is not made of key=value pairs only."""
    pairs: dict[str, str] = {}
    position = 0
    text = message.strip()
    while position < len(text):
        match = _PAIR.match(text, position)
        if match is None:
            return None
        key, value = match.group(1), match.group(2)
        if value[:1] in ("'", '"') and len(value) >= 2:
            value = value[1:-1].replace("\\" + value[0], value[0])
        pairs[key] = value
        position = match.end()
        while position < len(text) and text[position] == " ":
            position += 1
    return pairs or None


def _quote(value: str) -> str:
    if value and _BARE.match(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _timestamp(record: logging.LogRecord) -> str:
    at = datetime.fromtimestamp(record.created, tz=UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class KeyValueFormatter(logging.Formatter):
    """`ts=... level=info logger=callbot.monitor event=poll operation=bogota ...`"""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        head = f"ts={_timestamp(record)} level={record.levelname.lower()} logger={record.name}"
        body = message.strip() if parse_pairs(message) is not None else f"msg={_quote(message)}"
        line = f"{head} {body}"
        error = _exception_text(self, record)
        if error:
            line += f" exc={_quote(error)}"
        return line.replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, then the event's fields (or msg)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        pairs = parse_pairs(message)
        if pairs is None:
            entry["msg"] = message
        else:
            entry.update({k: v for k, v in pairs.items() if k not in entry})
        error = _exception_text(self, record)
        if error:
            entry["exc"] = error
        return json.dumps(entry, ensure_ascii=False)


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
) -> logging.Handler:
    """Route every log record through one handler on the root logger; returns it.

    Calling it again replaces the previous callbot handler (tests, the demo after a run).
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if log_format is LogFormat.JSON else KeyValueFormatter())
    handler.addFilter(SecretRedactor(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        if name.startswith(_SLACK_PREFIXES):
            quiet_logger(name)
        else:
            logging.getLogger(name).setLevel(logging.WARNING)
    quiet_slack_libraries()
    return handler
