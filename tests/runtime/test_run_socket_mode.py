"""`run_bot` in Socket Mode, in-process, against the fake Slack's WebSocket endpoint:
commands arrive over the socket, /healthz and /metrics have their own port, and setting
the stop event (what SIGTERM does) returns 0."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.adapters.slack.socket_mode import SocketModeRunner
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.bootstrap import run_bot
from tests.fakes.slack_api import FakeSlackApi

from .bot_process import BOT_TOKEN, CHANNEL, WOLKVOX_TOKEN, free_port, run_settings

pytestmark = pytest.mark.usefixtures("restore_logging")

APP_TOKEN = "xapp-1-A0APP-socket-app-token"


def slash_command(envelope_id: str, text: str) -> dict[str, object]:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "team_id": "T0TEAM",
            "channel_id": CHANNEL,
            "user_id": "U5",
            "command": "/calls",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": "",
            "trigger_id": "1.2.abc",
        },
    }


async def healthz(port: int) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}/healthz"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_socket_mode_serves_commands_and_health_then_stops_with_0(tmp_path) -> None:
    metrics_port = free_port()
    async with (
        WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN], volume=5) as simulator,
        FakeSlackApi(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack,
    ):
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
        settings = run_settings(
            tmp_path / "callbot.sqlite3", simulator.base_url, env=env, metrics_port=metrics_port
        )
        stop = asyncio.Event()
        bot = asyncio.create_task(
            run_bot(
                settings, http=False, port=None, stop=stop, env={"SLACK_API_URL": slack.api_url}
            )
        )
        try:
            await slack.socket.wait_for_connections(1, within_s=10)
            await slack.socket.send(slash_command("env-1", "status"))
            ack = await slack.socket.wait_for_ack("env-1")
            assert "bogota" in str(ack["payload"])
            assert await healthz(metrics_port) == (200, "ok\n")
        finally:
            stop.set()
            async with asyncio.timeout(10):
                code = await bot
        assert code == 0
        assert slack.socket.open_connections == 0


async def test_a_connection_that_cannot_be_rebuilt_exits_non_zero(tmp_path, capsys) -> None:
    def impatient(app, token) -> SocketModeRunner:
        return SocketModeRunner(
            app,
            token,
            check_every_s=0.05,
            max_failed_checks=1,
            max_connect_attempts=1,
            connect_timeout_s=2,
        )

    async with (
        WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN]) as simulator,
        FakeSlackApi(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack,
    ):
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
        settings = run_settings(tmp_path / "callbot.sqlite3", simulator.base_url, env=env)
        bot = asyncio.create_task(
            run_bot(
                settings,
                http=False,
                port=None,
                env={"SLACK_API_URL": slack.api_url},
                socket_mode=impatient,
            )
        )
        await slack.socket.wait_for_connections(1, within_s=10)
        slack.revoke_token()
        await slack.socket.drop()
        async with asyncio.timeout(15):
            assert await bot == 1
    assert "could not connect to Slack in Socket Mode" in capsys.readouterr().err


async def test_socket_mode_without_an_app_token_names_the_variable(tmp_path, capsys) -> None:
    settings = run_settings(
        tmp_path / "s.sqlite3", "http://127.0.0.1:9", env={"SLACK_BOT_TOKEN": BOT_TOKEN}
    )
    assert await run_bot(settings, http=False, port=None, env={}) == 2
    assert "SLACK_APP_TOKEN is not set" in capsys.readouterr().err


async def test_sigterm_while_slack_cannot_be_reached_still_stops_within_seconds(tmp_path) -> None:
    """Connecting retries for minutes; a stop meanwhile must not wait for them (or a SIGKILL)."""
    async with WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN]) as simulator:
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
        settings = run_settings(tmp_path / "callbot.sqlite3", simulator.base_url, env=env)
        nowhere = f"http://127.0.0.1:{free_port()}/api/"
        stop = asyncio.Event()
        bot = asyncio.create_task(
            run_bot(settings, http=False, port=None, stop=stop, env={"SLACK_API_URL": nowhere})
        )
        await asyncio.sleep(1.0)
        assert not bot.done()  # still trying to connect
        stop.set()
        async with asyncio.timeout(8):
            assert await bot == 0
