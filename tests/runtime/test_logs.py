"""Logs: one line per event, key=value or JSON, and no configured secret ever printed."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.adapters.logs import configure_logging, parse_pairs
from bot.config.model import LogFormat

BOT_TOKEN = "xoxb-1111-2222-abcdefsecret"
WOLKVOX_TOKEN = "wv-token-7f3a9c"


@pytest.fixture
def captured():
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level

    def setup(log_format: LogFormat) -> io.StringIO:
        configure_logging(log_format=log_format, secrets=[BOT_TOKEN, WOLKVOX_TOKEN], stream=stream)
        return stream

    yield setup
    for handler in [h for h in root.handlers if h.get_name() == "callbot"]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("message", "pairs"),
    [
        (
            "event=poll operation=bogota records=3",
            {"event": "poll", "operation": "bogota", "records": "3"},
        ),
        (
            "event=poll error='connection refused; retry'",
            {"event": "poll", "error": "connection refused; retry"},
        ),
        ("http server listening on 127.0.0.1:3000", None),
        ("", None),
    ],
)
def test_key_value_messages_are_recognised(message, pairs) -> None:
    assert parse_pairs(message) == pairs


def test_text_lines_carry_time_level_logger_and_the_event(captured) -> None:
    out = captured(LogFormat.TEXT)
    logging.getLogger("callbot.monitor").info("event=poll operation=%s records=%d", "bogota", 3)
    logging.getLogger("callbot.x").warning("free text: %s", "a b")
    first, second = out.getvalue().splitlines()
    assert first.startswith("ts=") and first.endswith(
        "level=info logger=callbot.monitor event=poll operation=bogota records=3"
    )
    assert second.endswith('level=warning logger=callbot.x msg="free text: a b"')


def test_json_lines_turn_pairs_into_fields(captured) -> None:
    out = captured(LogFormat.JSON)
    logging.getLogger("callbot.monitor").warning(
        "event=poll outcome=%s error=%r", "timeout", "took 60 s"
    )
    entry = json.loads(out.getvalue())
    assert entry["level"] == "warning"
    assert (
        entry["event"] == "poll" and entry["outcome"] == "timeout" and entry["error"] == "took 60 s"
    )


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_secrets_are_redacted_from_messages_arguments_and_tracebacks(captured, log_format) -> None:
    out = captured(log_format)
    log = logging.getLogger("callbot.careless")
    log.error("token is %s", BOT_TOKEN)
    log.warning(f"header wolkvox-token: {WOLKVOX_TOKEN}")
    try:
        raise RuntimeError(f"refused {WOLKVOX_TOKEN}")
    except RuntimeError:
        log.exception("event=crash")
    text = out.getvalue()
    assert BOT_TOKEN not in text and WOLKVOX_TOKEN not in text
    assert text.count("***") == 3
    assert len(text.splitlines()) == 3  # the traceback stays on its event's line


def test_slack_and_scheduler_libraries_are_kept_at_warning(captured) -> None:
    out = captured(LogFormat.TEXT)
    for name in ("slack_bolt.App", "slack_sdk.web", "apscheduler.executors.default"):
        logging.getLogger(name).info("Running job with body token=%s", "x")
    assert out.getvalue() == ""
