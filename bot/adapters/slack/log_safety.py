"""Keep what Slack clients send, and the bot's secrets, out of the logs.

Bolt and slack_sdk interpolate whole payloads into their log lines: a request with a bad
signature is logged at INFO with its body (response_url and the legacy verification token
included), an unhandled request at WARNING with its body, the Web client's DEBUG lines carry
message texts. Those libraries' loggers are therefore kept at WARNING *and* filtered, so that
lowering a level by mistake still leaks nothing.
"""

from __future__ import annotations

import logging
import re

BOLT_LOGGER_NAME = "callbot.slack.bolt"
"""The base logger handed to Bolt: every logger Bolt creates copies its level and filters."""

WEB_CLIENT_LOGGER_NAME = "callbot.slack.web"
"""The logger handed to slack_sdk's Web and Socket Mode clients."""

_LIBRARY_PREFIXES = ("slack_bolt", "slack_sdk", BOLT_LOGGER_NAME, WEB_CLIENT_LOGGER_NAME)
_DETAIL_START = re.compile(r"[(:{\[\n]")


class ClientDataFilter(logging.Filter):
    """Reduce a library log record to its lead phrase, e.g. "Invalid request signature detected".

    The lead phrase is the text before the first ``(``, ``:``, ``{``, ``[`` or newline: in
    Bolt's and slack_sdk's messages, everything after it is interpolated data (bodies,
    signatures, URLs, headers). Arguments and tracebacks go too; the exception type stays,
    because tracebacks of listener errors may quote the payload.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
        lead = _DETAIL_START.split(template, maxsplit=1)[0].strip() or "Slack library event"
        if record.exc_info and record.exc_info[0] is not None:
            lead = f"{lead} [{record.exc_info[0].__name__}]"
        record.msg = lead
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def quiet_logger(name: str) -> logging.Logger:
    """The named logger at WARNING or above, with a :class:`ClientDataFilter` attached once."""
    logger = logging.getLogger(name)
    if logger.level < logging.WARNING:
        logger.setLevel(logging.WARNING)
    if not any(isinstance(f, ClientDataFilter) for f in logger.filters):
        logger.addFilter(ClientDataFilter())
    return logger


def quiet_slack_libraries() -> None:
    """Quiet every Bolt / slack_sdk logger that exists now.

    Bolt copies the base logger's filters into a logger only when that logger has none yet,
    and loggers are process-wide: a logger first configured elsewhere would escape the
    filter. Call this after building the app (``build_app`` does) to close that gap.
    """
    names = [
        name for name in list(logging.root.manager.loggerDict) if name.startswith(_LIBRARY_PREFIXES)
    ]
    for name in names:
        quiet_logger(name)
