"""Abuse of the running bot over HTTP mode: requests Slack did not sign (or signed long
ago), slash-command text no person would type, and a user outside the admins trying to
silence an alert. Each is refused or answered with a usage message; none crashes the bot,
reaches a listener it should not, or changes what the channel shows.
"""

from __future__ import annotations

import io
import logging
import time
from urllib.parse import quote_from_bytes

import aiohttp
import pytest

from bot.adapters.slack.blocks import SILENCE_1H_ACTION
from bot.logevents import AUDIT_LOGGER, FIELDS_ATTR
from tests.fakes.slack_api import post_block_action, post_raw, post_slash_command
from tests.fakes.slack_requests import (
    FORM,
    HttpResult,
    signed_request_headers,
    slash_command_body,
)

from .slack_harness import (
    CHANNEL,
    RULE,
    SIGNING_SECRET,
    Bot,
    incident_of,
    running_bot,
)

pytestmark = pytest.mark.faults

ADMIN = "U0ADMIN0001"
STRANGER = "U0STRANGE01"
SILENCE = f"silence {RULE} 1h"


async def post_bytes(bot: Bot, body: bytes, headers: dict) -> HttpResult:
    async with (
        aiohttp.ClientSession() as session,
        session.post(bot.events_url, data=io.BytesIO(body), headers=headers) as response,
    ):
        return HttpResult(status=response.status, text=await response.text())


def audit_lines(caplog: pytest.LogCaptureFixture, action: str) -> list[dict]:
    """The audit trail's typed fields for one action, in order."""
    fields = [getattr(r, FIELDS_ATTR) for r in caplog.records if r.name == AUDIT_LOGGER]
    return [f for f in fields if f["action"] == action]


def forged(body: str) -> dict:
    return {
        "unsigned": {"Content-Type": FORM},
        "bad signature": signed_request_headers("not-the-signing-secret", body),
        "replayed 6 minutes later": signed_request_headers(
            SIGNING_SECRET, body, int(time.time()) - 6 * 60
        ),
        "from 6 minutes in the future": signed_request_headers(
            SIGNING_SECRET, body, int(time.time()) + 6 * 60
        ),
        "signature of another body": signed_request_headers(
            SIGNING_SECRET, slash_command_body("help", user_id=ADMIN)
        ),
    }


async def test_requests_slack_did_not_sign_just_now_are_refused_and_change_nothing(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    body = slash_command_body(SILENCE, user_id=ADMIN, channel_id=CHANNEL)
    async with running_bot(tmp_path, admins=[ADMIN]) as bot:
        await bot.wait_until(lambda: bool(bot.top_level()))

        for name, headers in forged(body).items():
            result = await post_raw(bot.events_url, body, headers)
            assert result.status == 401, name
        garbage = b"text=" + bytes(range(128, 256))
        assert (await post_bytes(bot, garbage, {"Content-Type": FORM})).status == 400
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback

        assert bot.runtime.state.silences.silences == ()
        assert (await bot.get("/healthz"))[0] == 200
        # The same request, signed now, is what proves the refusals above mattered.
        accepted = await post_raw(
            bot.events_url, body, signed_request_headers(SIGNING_SECRET, body)
        )
        assert accepted.status == 200 and "silenced" in accepted.text
        assert len(bot.runtime.state.silences.silences) == 1

    # One audit line per refused request, saying why; then one for the silence.
    rejected, (silenced,) = audit_lines(caplog, "slack_request"), audit_lines(caplog, "silence")
    assert [a["reason"] for a in rejected] == [
        "missing_signature",
        "bad_signature",
        "stale_timestamp",
        "stale_timestamp",
        "bad_signature",
    ]
    assert {(a["actor"], a["outcome"], a["remote"]) for a in rejected} == {
        ("unknown", "rejected", "127.0.0.1")
    }
    assert (silenced["actor"], silenced["outcome"], silenced["rule"]) == (ADMIN, "silenced", RULE)
    assert SIGNING_SECRET not in caplog.text
    for headers in forged(body).values():
        assert headers.get("X-Slack-Signature", "v0=") not in caplog.text


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("100 KB", "last10 " + "x" * 100_000, "That command is too long.", id="100KB"),
        pytest.param("controls", "\x00\x1b[31m\r\n\u202e\x07", "I don't know", id="controls"),
        pytest.param("binary", None, "I don't know", id="binary"),
        pytest.param(
            "markup", "<!channel> <@U123> <!here>", "I don't know `&lt;!channel&gt;`", id="markup"
        ),
    ],
)
async def test_text_no_person_would_type_gets_a_usage_reply(
    tmp_path, caplog: pytest.LogCaptureFixture, name: str, text: str | None, expected: str
) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(tmp_path) as bot:
        if text is None:  # the bytes of a JPEG header and invalid UTF-8, percent-encoded
            binary = quote_from_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xc3\x28\xfe")
            body = slash_command_body("", user_id=ADMIN).replace("text=", f"text={binary}")
            result = await post_raw(
                bot.events_url, body, signed_request_headers(SIGNING_SECRET, body)
            )
        else:
            result = await post_slash_command(bot.events_url, SIGNING_SECRET, text, user_id=ADMIN)

        assert result.status == 200, name
        answer = result.json()
        shown = str(answer)
        assert expected in shown
        assert answer["response_type"] == "ephemeral"
        assert "<!channel>" not in shown and "<@U123>" not in shown and "\x1b" not in shown
        assert len(result.text) < 40_000  # the input is never echoed back whole
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert (await bot.get("/healthz"))[0] == 200


async def test_a_body_over_a_megabyte_is_refused_and_the_bot_answers_the_next_one(
    tmp_path,
) -> None:
    async with running_bot(tmp_path) as bot:
        body = slash_command_body("x" * 2_000_000)
        headers = signed_request_headers(SIGNING_SECRET, body)
        refused = await post_bytes(bot, body.encode(), headers)
        answered = await post_slash_command(bot.events_url, SIGNING_SECRET, "help")

        assert refused.status == 413
        assert answered.status == 200 and "what I can do" in answered.text


async def test_a_user_outside_the_admins_cannot_silence(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    async with running_bot(tmp_path, admins=[ADMIN]) as bot:
        await bot.wait_until(lambda: bool(bot.top_level()))
        await bot.wait_for_outbox_empty()
        [message] = bot.top_level()
        incident = incident_of(message)
        assert incident is not None

        typed = await post_slash_command(
            bot.events_url, SIGNING_SECRET, SILENCE, user_id=STRANGER, channel_id=CHANNEL
        )
        click = await post_block_action(
            bot.events_url,
            SIGNING_SECRET,
            action_id=SILENCE_1H_ACTION,
            value=incident,
            user_id=STRANGER,
            channel_id=CHANNEL,
            message_ts=message["ts"],
            response_url=bot.slack.response_url("click"),
        )
        await bot.slack.wait_until(lambda: bool(bot.slack.responses))
        await bot.wait_for_polls(2)
        await bot.wait_for_outbox_empty()

        assert typed.status == 200 and "not allowed" in typed.text
        assert typed.json()["response_type"] == "ephemeral"
        assert click.status == 200
        [refusal] = bot.slack.responses
        assert f"Sorry <@{STRANGER}>, you may not change *{RULE}*" in refusal["text"]
        assert refusal.get("response_type", "ephemeral") == "ephemeral"
        assert bot.runtime.state.silences.silences == ()
        assert not (await bot.runtime.store.load(bot.clock.now())).silences
        thread = bot.slack.thread(CHANNEL, message["ts"])
        assert not [m for m in thread if "silenced" in m["text"].lower()]
        assert "Silenced by" not in str(bot.slack.message(CHANNEL, message["ts"]))

        allowed = await post_slash_command(
            bot.events_url, SIGNING_SECRET, SILENCE, user_id=ADMIN, channel_id=CHANNEL
        )
        assert "silenced" in allowed.text
        assert len(bot.runtime.state.silences.silences) == 1

    # Each refusal and the admin's silence: one audit line each, saying who and how.
    trail = sorted((a["via"], a["actor"], a["outcome"]) for a in audit_lines(caplog, "silence"))
    assert trail == [
        ("button", STRANGER, "refused"),
        ("command", ADMIN, "silenced"),
        ("command", STRANGER, "refused"),
    ]
