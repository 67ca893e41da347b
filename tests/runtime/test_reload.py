"""SIGHUP reloads the configuration of a real `callbot run --http` process (issue 17):
a refused Wolkvox token fixed in the file is tried again, a rule added starts alerting,
an invalid file is refused (the running configuration kept, the problem logged and on
/healthz) and a rule removed has its living message closed, all without a restart."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi

from .bot_process import BOT_TOKEN, CHANNEL, WOLKVOX_TOKEN, BotProcess

pytestmark = pytest.mark.runtime

RULE = "inbound-seen"
CONFIG = """\
defaults: false
log_format: json
store: {{path: {store}}}
slack: {{default_channel: {channel}}}
operations:
  - {{name: bogota, server: "0004", token: {token}, licenses: 200, poll_every: 1s,
      base_url: "{base_url}"}}
{rules}"""
RULES = f"""\
rules:
  - name: {RULE}
    kind: count
    match: {{type: [inbound]}}
    window: 10m
    warning: 1
"""
INVALID_RULES = f"""\
rules:
  - name: {RULE}
    kind: count
    window: 10m
    warning: many
"""
OK_POLLS = 'callbot_polls_total{operation="bogota",outcome="ok"}'


def write(path: Path, *, base_url: str, token: str = WOLKVOX_TOKEN, rules: str = "") -> None:
    path.write_text(
        CONFIG.format(
            store=path.parent / "callbot.sqlite3",
            channel=CHANNEL,
            token=token,
            base_url=base_url,
            rules=rules,
        ),
        encoding="utf-8",
    )


def metric(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_sighup_applies_a_valid_configuration_and_refuses_an_invalid_one(tmp_path) -> None:
    async with (
        WolkvoxSimulator(scenario="normal", valid_tokens=[WOLKVOX_TOKEN], volume=5) as wolkvox,
        FakeSlackApi(bot_token=BOT_TOKEN) as slack,
    ):
        config = tmp_path / "callbot.yml"
        write(config, base_url=wolkvox.base_url, token="wv-wrong-token-0000")
        bot = BotProcess(tmp_path, config=config, slack_api_url=slack.api_url)
        bot.start()
        try:
            assert bot.proc is not None

            async def refused() -> bool:
                return "token_rejected" in bot.logs()

            await bot.wait_until(refused)

            # The token is fixed and a rule added: no restart.
            write(config, base_url=wolkvox.base_url, rules=RULES)
            bot.proc.send_signal(signal.SIGHUP)

            def incident() -> list[dict]:
                return [m for m in slack.messages(CHANNEL) if RULE in str(m.get("text"))]

            async def alerted() -> bool:
                return len(incident()) == 1

            await bot.wait_until(alerted, within_s=20)
            await bot.wait_healthy()
            [message] = incident()

            # An invalid file changes nothing but says so.
            write(config, base_url=wolkvox.base_url, rules=INVALID_RULES)
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
            write(config, base_url=wolkvox.base_url)
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
