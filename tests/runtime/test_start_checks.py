"""`callbot run` checks Slack before it starts: a refused bot token stops it with exit 3
and a message that names the variable (never the token); a channel the bot is not in is
a loud warning and a /healthz reason until someone invites it; a Slack that cannot be
reached is not a refusal: the bot runs, degraded, and /healthz says why (issue 17)."""

from __future__ import annotations

import asyncio
import subprocess

import aiohttp
import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.bootstrap import EXIT_SLACK_REFUSED, run_bot
from tests.fakes.slack_api import FakeSlackApi

from .bot_process import (
    BOT_TOKEN,
    CHANNEL,
    SIGNING_SECRET,
    WOLKVOX_TOKEN,
    BotProcess,
    free_port,
    run_settings,
    write_config,
)

pytestmark = [pytest.mark.runtime, pytest.mark.usefixtures("restore_logging")]

APP_TOKEN = "xapp-1-A0APP-start-check-token"
ENV = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_APP_TOKEN": APP_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
}


async def healthz(port: int) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}/healthz"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def healthz_when(port: int, check, within_s: float = 15.0) -> tuple[int, str]:
    async with asyncio.timeout(within_s):
        while True:
            try:
                answer = await healthz(port)
                if check(answer):
                    return answer
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)


def settings_for(tmp_path, base_url: str, *, metrics_port: int = 0):
    return run_settings(tmp_path / "callbot.sqlite3", base_url, env=ENV, metrics_port=metrics_port)


@pytest.mark.parametrize("http", [True, False], ids=["http", "socket"])
async def test_a_refused_bot_token_stops_the_start_with_exit_3(tmp_path, capsys, http) -> None:
    async with FakeSlackApi(bot_token="xoxb-the-real-one", app_token=APP_TOKEN) as slack:
        settings = settings_for(tmp_path, "http://127.0.0.1:9")
        code = await run_bot(
            settings, http=http, port=free_port(), env={"SLACK_API_URL": slack.api_url}
        )

    assert code == EXIT_SLACK_REFUSED
    err = capsys.readouterr().err
    assert "Slack refused the bot token (invalid_auth)" in err and "SLACK_BOT_TOKEN" in err
    assert BOT_TOKEN not in err
    assert not slack.calls_to("chat.postMessage")
    assert not slack.calls_to("apps.connections.open"), "nothing else was started"
    assert not (tmp_path / "callbot.sqlite3").exists(), "the store was not even opened"


async def test_the_process_exits_3_when_slack_refuses_the_token(tmp_path) -> None:
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        slack.revoke_token()
        bot = BotProcess(
            tmp_path,
            config=write_config(tmp_path, base_url="http://127.0.0.1:9"),
            slack_api_url=slack.api_url,
        )
        bot.start()
        assert bot.proc is not None
        try:
            code = await asyncio.to_thread(bot.proc.wait, 20)
        except subprocess.TimeoutExpired:
            bot.kill()
            raise
    logs = bot.logs()
    assert code == EXIT_SLACK_REFUSED, logs
    assert "Slack refused the bot token (token_revoked)" in logs
    assert BOT_TOKEN not in logs


@pytest.mark.parametrize("http", [True, False], ids=["http", "socket"])
async def test_a_channel_the_bot_is_not_in_is_a_health_reason_until_it_is_invited(
    tmp_path, capsys, http
) -> None:
    port = free_port()
    async with (
        WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN]) as simulator,
        FakeSlackApi(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack,
    ):
        slack.outside.add(CHANNEL)
        stop = asyncio.Event()
        bot = asyncio.create_task(
            run_bot(
                settings_for(tmp_path, simulator.base_url, metrics_port=port),
                http=http,
                port=port if http else None,
                stop=stop,
                env={"SLACK_API_URL": slack.api_url},
                slack_recheck_s=0.2,
            )
        )
        try:
            status, reason = await healthz_when(port, lambda a: "not in channel" in a[1])
            assert status == 503
            assert f"the bot is not in channel {CHANNEL}" in reason and "/invite" in reason
            assert f"WARNING: slack: the bot is not in channel {CHANNEL}" in capsys.readouterr().err

            slack.outside.clear()  # someone invites the bot
            await healthz_when(port, lambda a: "channel" not in a[1])
        finally:
            stop.set()
            async with asyncio.timeout(10):
                assert await bot == 0


async def test_an_unreachable_slack_is_not_a_refused_token_the_bot_runs_degraded(
    tmp_path, capsys
) -> None:
    port = free_port()
    nowhere = f"http://127.0.0.1:{free_port()}/api/"
    async with WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN]) as simulator:
        stop = asyncio.Event()
        bot = asyncio.create_task(
            run_bot(
                settings_for(tmp_path, simulator.base_url),
                http=True,
                port=port,
                stop=stop,
                env={"SLACK_API_URL": nowhere},
            )
        )
        try:
            status, reason = await healthz_when(port, lambda a: "slack" in a[1])
            assert status == 503 and "slack: not reachable" in reason
            assert "could not be reached" in capsys.readouterr().err
            assert not bot.done()
        finally:
            stop.set()
            async with asyncio.timeout(10):
                assert await bot == 0
