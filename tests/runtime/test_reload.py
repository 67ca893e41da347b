"""SIGHUP reloads the configuration of a real `callbot run --http` process (issue 17):
a refused Wolkvox token fixed in the file is tried again, a rule added starts alerting,
an invalid file is refused (the running configuration kept, the problem logged and on
/healthz) and a rule removed has its living message closed, all without a restart."""

from __future__ import annotations

import signal

import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi
from tests.support.config import rule

from .bot_process import BOT_TOKEN, CHANNEL, WOLKVOX_TOKEN, BotProcess, metric, write_config

pytestmark = pytest.mark.runtime

RULE = "inbound-seen"
RULES = [rule(RULE, match={"type": ["inbound"]}, window="10m", warning=1)]
INVALID_RULES = [rule(RULE, match=None, window="10m", warning="many")]
OK_POLLS = 'callbot_polls_total{operation="bogota",outcome="ok"}'


async def test_sighup_applies_a_valid_configuration_and_refuses_an_invalid_one(tmp_path) -> None:
    async with (
        WolkvoxSimulator(scenario="normal", valid_tokens=[WOLKVOX_TOKEN], volume=5) as wolkvox,
        FakeSlackApi(bot_token=BOT_TOKEN) as slack,
    ):
        config = write_config(tmp_path, base_url=wolkvox.base_url, token="wv-wrong-token-0000")
        bot = BotProcess(tmp_path, config=config, slack_api_url=slack.api_url)
        bot.start()
        try:
            assert bot.proc is not None

            async def refused() -> bool:
                return "token_rejected" in bot.logs()

            await bot.wait_until(refused)

            # The token is fixed and a rule added: no restart.
            write_config(tmp_path, base_url=wolkvox.base_url, rules=RULES)
            bot.proc.send_signal(signal.SIGHUP)

            def incident() -> list[dict]:
                return [m for m in slack.messages(CHANNEL) if RULE in str(m.get("text"))]

            async def alerted() -> bool:
                return len(incident()) == 1

            await bot.wait_until(alerted, within_s=20)
            await bot.wait_healthy()
            [message] = incident()

            # An invalid file changes nothing but says so.
            write_config(tmp_path, base_url=wolkvox.base_url, rules=INVALID_RULES)
            bot.proc.send_signal(signal.SIGHUP)

            async def refused_reload() -> bool:
                status, reason = await bot.get("/healthz")
                return status == 503 and "configuration reload refused" in reason

            await bot.wait_until(refused_reload)
            _, reason = await bot.get("/healthz")
            assert str(config) in reason
            refusal = [line for line in bot.logs().splitlines() if "reload_refused" in line]
            assert any(f"rule '{RULE}', warning:" in line for line in refusal), refusal
            _, before = await bot.get("/metrics")

            async def still_polling() -> bool:
                _, after = await bot.get("/metrics")
                return metric(after, OK_POLLS) > metric(before, OK_POLLS) + 1

            await bot.wait_until(still_polling)
            assert (
                (slack.message(CHANNEL, message["ts"]) or {})
                .get("text", "")
                .startswith(message["text"][:10])
            )

            # The rule is removed: its living message is closed, as at start.
            write_config(tmp_path, base_url=wolkvox.base_url)
            bot.proc.send_signal(signal.SIGHUP)

            async def closed() -> bool:
                current = slack.message(CHANNEL, message["ts"]) or {}
                return "Closed" in str(current.get("text")) and bool(
                    slack.thread(CHANNEL, message["ts"])
                )

            await bot.wait_until(closed, within_s=20)
            await bot.wait_healthy()
            assert len([m for m in slack.messages(CHANNEL) if "thread_ts" not in m]) == 1
            assert await bot.stop() == 0
        finally:
            bot.kill()
    logs = bot.logs()
    assert WOLKVOX_TOKEN not in logs and BOT_TOKEN not in logs
