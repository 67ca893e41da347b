"""Logs: one line per event, key=value or JSON, and no configured secret ever printed."""

from __future__ import annotations

import ast
import io
import json
import logging
from pathlib import Path

import pytest

from bot.adapters.logs import template_fields
from bot.bootstrap import configure_logs, secrets_of
from bot.config.model import LogFormat
from bot.logevents import audit, log_event
from tests.support.config import make_settings

BOT_TOKEN = "xoxb-1111-2222-abcdefsecret"
WOLKVOX_TOKEN = "wv-token-7f3a9c"


@pytest.fixture
def captured():
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level

    def setup(log_format: LogFormat) -> io.StringIO:
        configure_logs(log_format, secrets=[BOT_TOKEN, WOLKVOX_TOKEN], stream=stream)
        return stream

    yield setup
    for handler in [h for h in root.handlers if h.get_name() == "callbot"]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("template", "args", "fields"),
    [
        (
            "event=poll operation=%s records=%d",
            ("bogota", 3),
            {"event": "poll", "operation": "bogota", "records": 3},
        ),
        (
            "event=poll truncated=%s seconds=%.3f ratio=%s none=%s",
            (False, 0.12345, 0.5, None),
            {"event": "poll", "truncated": False, "seconds": 0.123, "ratio": 0.5, "none": None},
        ),
        (
            "event=poll error=%r note='%s then %s'",
            ("refused", "a", "b"),
            {"event": "poll", "error": "refused", "note": "a then b"},
        ),
        ("event=poll outcome=ok", None, {"event": "poll", "outcome": "ok"}),
        ("http server listening on %s:%d", ("127.0.0.1", 3000), None),
        ("event=poll records=%d", (), None),
        ("event=poll", ("extra",), None),
        ("", None, None),
    ],
)
def test_key_value_templates_give_typed_fields(template, args, fields) -> None:
    assert template_fields(template, args) == fields


def test_text_lines_carry_time_level_logger_and_the_event(captured) -> None:
    out = captured(LogFormat.TEXT)
    logging.getLogger("callbot.monitor").info("event=poll operation=%s records=%d", "bogota", 3)
    logging.getLogger("callbot.x").warning("free text: %s", "a b")
    first, second = out.getvalue().splitlines()
    assert first.startswith("ts=") and first.endswith(
        "level=info logger=callbot.monitor event=poll operation=bogota records=3"
    )
    # Free text is an event too (deliberate change, issue 17: `event` is always set).
    assert second.endswith('level=warning logger=callbot.x event=message msg="free text: a b"')


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


def test_a_slack_library_warning_keeps_its_lead_phrase_and_drops_the_payload(captured) -> None:
    out = captured(LogFormat.TEXT)
    logging.getLogger("slack_bolt").warning("Unhandled request: %s", {"response_url": "https://x"})
    text = out.getvalue()
    assert "Unhandled request" in text
    assert "response_url" not in text


def test_json_values_keep_their_types(captured) -> None:
    out = captured(LogFormat.JSON)
    logging.getLogger("callbot.monitor").info(
        "event=poll operation=%s outcome=ok records=%d truncated=%s seconds=%.3f",
        "bogota",
        5,
        False,
        1.23456,
    )
    log_event(logging.getLogger("callbot.x"), logging.INFO, "drain", rows=2, late=True, ratio=0.5)
    logging.getLogger("aiohttp.server").warning("something %s", "odd")
    poll, drain, library = (json.loads(line) for line in out.getvalue().splitlines())
    assert poll["records"] == 5 and poll["truncated"] is False and poll["seconds"] == 1.235
    assert poll["outcome"] == "ok" and poll["operation"] == "bogota"
    assert drain == {**drain, "event": "drain", "rows": 2, "late": True, "ratio": 0.5}
    assert library["event"] == "message" and library["msg"] == "something odd"


def test_every_line_has_an_event_in_both_formats(captured) -> None:
    for log_format in LogFormat:
        out = captured(log_format)
        logging.getLogger("callbot.x").info("just words, 100%% sure")
        line = out.getvalue().splitlines()[-1]
        if log_format is LogFormat.JSON:
            assert json.loads(line)["event"] == "message"
        else:
            assert " event=message " in line


def test_structured_events_read_the_same_in_text(captured, caplog) -> None:
    out = captured(LogFormat.TEXT)
    log_event(logging.getLogger("callbot.x"), logging.WARNING, "retry", api="calls last", n=2)
    assert out.getvalue().rstrip().endswith('event=retry api="calls last" n=2')
    assert 'event=retry api="calls last" n=2' in caplog.text


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_audit_lines_say_who_what_and_scope_without_secrets(captured, log_format) -> None:
    out = captured(log_format)
    audit("silence", actor="U0123", outcome="silenced", rule="abandon-rate", operation="bogota")
    audit("rejected_request", actor="unknown", outcome="refused", reason=WOLKVOX_TOKEN)
    first, second = out.getvalue().splitlines()
    assert WOLKVOX_TOKEN not in out.getvalue()
    if log_format is LogFormat.JSON:
        entry = json.loads(first)
        assert entry["logger"] == "callbot.audit" and entry["event"] == "audit"
        assert {k: entry[k] for k in ("action", "actor", "outcome", "rule", "operation")} == {
            "action": "silence",
            "actor": "U0123",
            "outcome": "silenced",
            "rule": "abandon-rate",
            "operation": "bogota",
        }
        assert json.loads(second)["reason"] == "***"
    else:
        assert first.endswith(
            "logger=callbot.audit event=audit action=silence actor=U0123 outcome=silenced "
            "rule=abandon-rate operation=bogota"
        )
        assert second.endswith("reason=***")


def test_every_logger_of_the_bot_is_under_callbot() -> None:
    """One namespace: `callbot.*` for the bot's own loggers (a library's name only to quiet it)."""
    libraries = {"apscheduler"}
    offenders = []
    for path in sorted((Path(__file__).resolve().parents[2] / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "getLogger"):
                continue
            if not node.args:
                continue  # the root logger, where the one handler lives
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value.split(".")[0] not in {"callbot", *libraries}:
                    offenders.append(f"{path.name}: {arg.value!r}")
            elif isinstance(arg, ast.Name) and arg.id == "__name__":
                offenders.append(f"{path.name}: __name__")
    assert offenders == []


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://callbot:${PGPASSWORD}@127.0.0.1:5432/callbot",
        "postgresql://callbot@127.0.0.1:5432/callbot?sslmode=disable&password=${PGPASSWORD}",
    ],
    ids=["user-part", "query"],
)
@pytest.mark.parametrize("log_format", list(LogFormat))
def test_the_store_urls_password_is_redacted_as_written_and_decoded(
    url: str, log_format: LogFormat
) -> None:
    written = "pg-s3cr%40t-9"  # percent-encoded in the URL: "pg-s3cr@t-9" once decoded
    settings = make_settings(env={"PGPASSWORD": written}, store={"url": url})
    full_url = url.replace("${PGPASSWORD}", written)
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logs(log_format, secrets=secrets_of(settings), stream=stream)
    try:
        logging.getLogger("psycopg.pool").warning("error connecting to %s", full_url)
        try:
            raise ConnectionError("password authentication failed: pg-s3cr@t-9 refused")
        except ConnectionError:
            logging.getLogger("callbot.store").exception("event=store_failed")
    finally:
        for handler in [h for h in root.handlers if h.get_name() == "callbot"]:
            root.removeHandler(handler)
        root.setLevel(level)
    text = stream.getvalue()
    assert "s3cr" not in text
    assert "127.0.0.1:5432/callbot" in text  # the rest of the line is kept
    assert text.count("***") == 3  # the URL, the traceback's source line and its message
