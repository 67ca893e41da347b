"""kill -9 in the middle of an incident, at the worst moment: Slack has stored the alert
but the bot never heard back. After a restart the bot finds its message instead of
posting a second one, and the resolution edits it and threads under it."""

from __future__ import annotations

import asyncio
import signal

import pytest
from aiohttp import web

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi

from .bot_process import BOT_TOKEN, CHANNEL, WOLKVOX_TOKEN, BotProcess, write_config

pytestmark = pytest.mark.runtime


class SlackThatNeverAnswersTheFirstPost(FakeSlackApi):
    """Stores the first chat.postMessage like Slack does, then holds the answer back."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self._held = False

    async def _handle_api(self, request: web.Request) -> web.Response:
        response = await super()._handle_api(request)
        if request.match_info["method"] == "chat.postMessage" and not self._held:
            self._held = True
            self.holding.set()
            await self.release.wait()
        return response


@pytest.fixture
async def world(tmp_path):
    simulator = WolkvoxSimulator(scenario="normal", valid_tokens=[WOLKVOX_TOKEN], volume=5)
    await simulator.start()
    slack = SlackThatNeverAnswersTheFirstPost(bot_token=BOT_TOKEN)
    await slack.start()
    bot = BotProcess(
        tmp_path,
        config=write_config(tmp_path, base_url=simulator.base_url),
        slack_api_url=slack.api_url,
    )
    try:
        yield simulator, slack, bot
    finally:
        bot.kill()
        slack.release.set()
        await slack.stop()
        await simulator.stop()


async def test_a_crash_between_posting_and_recording_posts_nothing_twice(world) -> None:
    simulator, slack, bot = world
    bot.start()
    await bot.wait_healthy()
    simulator.set_fault("http_500")
    async with asyncio.timeout(20):
        await slack.holding.wait()
    [posted] = slack.messages(CHANNEL)
    assert "wolkvox-unavailable" in posted["text"]

    bot.kill()  # SIGKILL: no shutdown, no chance to record the message's ts
    assert bot.proc is not None and bot.proc.returncode == -signal.SIGKILL
    slack.release.set()

    bot.start()
    await bot.wait_healthy()
    simulator.set_fault(None)

    async def resolved_in_the_original_thread() -> bool:
        current = slack.message(CHANNEL, posted["ts"]) or {}
        replies = [r["text"] for r in slack.thread(CHANNEL, posted["ts"])]
        return "Resolved" in current.get("text", "") and any("Resolved" in r for r in replies)

    await bot.wait_until(resolved_in_the_original_thread, within_s=20)
    top_level = [m for m in slack.messages(CHANNEL) if m.get("thread_ts", m["ts"]) == m["ts"]]
    assert [m["ts"] for m in top_level] == [posted["ts"]]
    assert slack.calls_to("conversations.history", ok_only=True)  # it looked before posting
    assert await bot.stop() == 0
