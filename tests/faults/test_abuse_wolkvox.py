"""Hostile values from Wolkvox, through the whole bot: Slack markup, control characters,
very long strings, impossible dates and bytes that are not UTF-8, in every field.

Whatever Wolkvox sends, the bot keeps polling; what reaches Slack (messages, command
answers, the Home tab) is escaped, never pings anyone, carries no control characters and
shows phone numbers and customer ids masked; no log line holds personal data or a token.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest

from bot.adapters.wolkvox.simulator import Fault
from tests.fakes.slack_api import post_event, post_slash_command

from .slack_harness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    WOLKVOX_TOKEN,
    Bot,
    WolkvoxStub,
    log_text,
    running_bot,
    simulated_clock,
)

pytestmark = pytest.mark.faults

MARKUP = ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C123>", "<https://evil.example")
CONTROLS = ("\x00", "\x07", "\x1b", "\r", "\u202e", "\u200b")
COMMANDS = ("last10", "last10 inbound", "last10 public", "status", "alerts", "rules")
BOGOTA = ZoneInfo("America/Bogota")


def everything_shown(bot: Bot, answers: list[str]) -> str:
    """Every text and block a person could see: channel messages, edits, replies, the Home
    tab, response_url posts and the answers to commands."""
    shown = []
    for call in bot.slack.calls:
        for key in ("text", "blocks", "view"):
            if key in call.params:
                shown.append(json.dumps(call.params[key], ensure_ascii=False))
    shown += [json.dumps(r, ensure_ascii=False) for r in bot.slack.responses]
    shown += [json.dumps(json.loads(a), ensure_ascii=False) for a in answers]
    return "\n".join(shown)


def personal_data(bot: Bot, extra: tuple[str, ...] = ()) -> set[str]:
    """Phone numbers and customer ids the bot holds, long enough to identify someone."""
    found = set(extra)
    for records in bot.runtime.state.recent.values():
        for record in records:
            found |= {record.telephone.strip(), record.customer_id.strip()}
    return {value for value in found if sum(c.isalnum() for c in value) >= 7}


async def ask_everything(bot: Bot) -> list[str]:
    answers = []
    for text in COMMANDS:
        result = await post_slash_command(bot.events_url, SIGNING_SECRET, text)
        assert result.status == 200, text
        answers.append(result.text)
    home = await post_event(
        bot.events_url, SIGNING_SECRET, {"type": "app_home_opened", "user": "U0HOME", "tab": "home"}
    )
    assert home.status == 200
    await bot.slack.wait_for("views.publish")
    return answers


def assert_safe(shown: str, pii: set[str]) -> None:
    for markup in MARKUP:
        assert markup not in shown, markup
    for control in CONTROLS:
        assert control not in shown, repr(control)
    leaked = [value[:40] for value in pii if value in shown]
    assert not leaked, f"personal data shown unmasked: {leaked}"


def assert_clean_logs(caplog: pytest.LogCaptureFixture, pii: set[str]) -> None:
    logged = log_text(caplog.records)
    for secret in (BOT_TOKEN, SIGNING_SECRET, WOLKVOX_TOKEN):
        assert secret not in logged
    leaked = [value[:40] for value in pii if value in logged]
    assert not leaked, f"personal data in the logs: {leaked}"
    assert "\x1b" not in logged and "\x00" not in logged


async def test_the_simulators_hostile_values_are_escaped_and_masked_everywhere(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(tmp_path) as bot:
        bot.wolkvox.set_fault(Fault.HOSTILE_VALUES)
        await bot.wait_until(lambda: bool(bot.top_level()))
        await bot.wait_for_polls(4)
        await bot.wait_for_outbox_empty()

        answers = await ask_everything(bot)

        shown = everything_shown(bot, answers)
        pii = personal_data(bot, ("3001234567", "9" * 300, "x" * 10_000))
        assert any(r.telephone == "<!channel>" for r in bot.runtime.state.recent["bogota"])
        assert_safe(shown, pii)
        assert "&lt;!here&gt;" in shown  # the hostile call type is shown, escaped
        assert "••••" in shown  # and calls are listed, masked
        assert_clean_logs(caplog, pii)
        assert all(r.outcome == "ok" for r in bot.reports)


def hostile_rows(now_local: str) -> list[object]:
    """Rows with something wrong in every field, next to two usable calls."""
    long = "<!channel>" * 5_000
    return [
        {
            "conn_id": "<!channel>\x00",
            "date": now_local,
            "type_interaction": "<@U123>\r\ninbound",
            "result": "<https://evil.example|click>",
            "telephone": "+57 (300) 765-4321 <!here>",
            "customer_id": "CC-99887766\x1b[2J",
            "agent_name": "<!everyone>",
            "skill": {"name": "<#C123>"},
        },
        {
            "conn_id": long,
            "date": now_local,
            "type_interaction": "inbound",
            "result": "abandon",
            "telephone": 3157654321,
            "customer_id": long,
        },
        {"conn_id": 7, "date": "9999-12-31 23:59:59", "type_interaction": ["inbound"]},
        {"conn_id": 8, "date": "0001-01-01T00:00:00+14:00", "result": None},
        {"conn_id": 9, "date": 20261124100000.5, "telephone": True, "customer_id": 1.5e300},
        {"conn_id": {"id": 1}, "date": now_local},
        [1, 2, 3],
        "\u202e<!channel>",
        None,
    ]


async def test_hostile_values_in_every_field_are_skipped_or_shown_safely(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    clock = simulated_clock(speed=30)
    now_local = f"{(clock.now() + timedelta(minutes=1)).astimezone(BOGOTA):%Y-%m-%d %H:%M:%S}"
    body = orjson.dumps(
        {"code": 200, "error": None, "msg": "<!channel>", "data": hostile_rows(now_local)}
    )
    async with WolkvoxStub(body) as stub, running_bot(tmp_path, wolkvox=stub, clock=clock) as bot:
        await bot.wait_for_polls(3)
        await bot.wait_until(lambda: bool(bot.top_level()))
        await bot.wait_for_outbox_empty()
        answers = await ask_everything(bot)

        assert [r.outcome for r in bot.reports] == ["ok"] * len(bot.reports)
        first = bot.reports[0]
        assert first.new == 2
        assert dict(first.skipped) == {
            "bad_date": 2,
            "no_date": 1,
            "no_conn_id": 1,
            "not_an_object": 3,
        }
        pii = personal_data(bot, ("3007654321", "99887766", "3157654321"))
        assert_safe(everything_shown(bot, answers), pii)
        assert_clean_logs(caplog, pii)


async def test_an_answer_that_is_not_utf8_is_a_clear_error_and_the_right_alert(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = b'{"code": 200, "data": [{"conn_id": "1", "customer_id": "\xff\xfe<!channel>"}]}'
    async with WolkvoxStub(body) as stub, running_bot(tmp_path, wolkvox=stub) as bot:
        await bot.wait_until(lambda: bool(bot.top_level()))
        await bot.wait_for_outbox_empty()
        await bot.wait_for_polls(2)

        [message] = bot.top_level()
        assert "wolkvox-unavailable" in message["text"]
        assert {r.outcome for r in bot.reports} == {"payload"}
        assert stub.requests >= len(bot.reports)  # it keeps asking, on schedule
        polls = [r.getMessage() for r in caplog.records if "event=poll " in r.getMessage()]
        assert polls and all("not valid JSON" in line for line in polls)
        status = await post_slash_command(bot.events_url, SIGNING_SECRET, "status")
        assert "not valid JSON" in status.text
        assert_safe(everything_shown(bot, [status.text]), set())
