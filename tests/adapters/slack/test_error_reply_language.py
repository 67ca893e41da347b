"""The generic "that did not work" reply speaks the configured language.

A real `callbot run --http` process configured in Spanish, with Slack's auth.test
failing so Bolt cannot authorize the request: the person must be asked to try
again in Spanish, not in English.
"""

from __future__ import annotations

import pytest

from bot.adapters.slack.i18n import t
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi, post_slash_command
from tests.runtime.bot_process import (
    BOT_TOKEN,
    SIGNING_SECRET,
    WOLKVOX_TOKEN,
    BotProcess,
    write_config,
)

pytestmark = pytest.mark.runtime

FOREVER = 10**6


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_the_error_reply_is_in_the_configured_language(tmp_path, lang: str) -> None:
    simulator = WolkvoxSimulator(scenario="normal", valid_tokens=[WOLKVOX_TOKEN])
    await simulator.start()
    slack = await FakeSlackApi(bot_token=BOT_TOKEN).start()
    config = write_config(tmp_path, base_url=simulator.base_url)
    config.write_text(f"language: {lang}\n" + config.read_text(encoding="utf-8"))
    bot = BotProcess(tmp_path, config=config, slack_api_url=slack.api_url)
    try:
        bot.start()
        await bot.wait_healthy()
        slack.fail_next("auth.test", 503, times=FOREVER)

        answer = await post_slash_command(f"{bot.url}/slack/events", SIGNING_SECRET, "status")

        assert answer.status == 200
        assert answer.text == t("reply.error", lang)
    finally:
        bot.kill()
        await slack.stop()
        await simulator.stop()
