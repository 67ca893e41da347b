"""Socket Mode for real: slack_sdk's WebSocket client against the fake Slack on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.slack.app import build_app
from bot.adapters.slack.ports import Reply
from bot.adapters.slack.socket_mode import SocketModeDead, SocketModeRunner
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_frontend import FakeFrontend

BOT_TOKEN = "xoxb-socket-bot-token"
APP_TOKEN = "xapp-1-A0APP-socket-app-token"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as fake:
        yield fake


def slash_command_envelope(envelope_id: str, text: str) -> dict[str, object]:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy-verification-token",
            "team_id": "T0TEAM",
            "channel_id": "C0CHAN",
            "user_id": "U5",
            "command": "/calls",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": "https://hooks.slack.test/commands/1",
            "trigger_id": "1.2.abc",
        },
    }


async def test_slash_command_over_socket_mode_is_acked_with_the_reply(
    slack: FakeSlackApi,
) -> None:
    frontend = FakeFrontend()
    frontend.command_reply = Reply(text="3 alerts firing", in_channel=True)
    app = build_app(
        frontend=frontend, bot_token=BOT_TOKEN, signing_secret=None, api_url=slack.api_url
    )
    runner = SocketModeRunner(app, APP_TOKEN)
    await runner.start()
    try:
        await slack.socket.send(slash_command_envelope("env-1", "alerts public"))
        ack = await slack.socket.wait_for_ack("env-1")
    finally:
        await runner.stop()

    assert ack["payload"] == {"text": "3 alerts firing", "response_type": "in_channel"}
    assert [(r.user_id, r.text) for r in frontend.commands] == [("U5", "alerts public")]
    assert slack.socket.open_connections == 0


async def test_a_revoked_app_token_ends_in_socket_mode_dead(slack: FakeSlackApi) -> None:
    app = build_app(
        frontend=FakeFrontend(), bot_token=BOT_TOKEN, signing_secret=None, api_url=slack.api_url
    )
    runner = SocketModeRunner(
        app, "xapp-wrong-token", max_connect_attempts=2, backoff_s=0.0, connect_timeout_s=0.3
    )

    with pytest.raises(SocketModeDead):
        await runner.start()

    assert slack.socket.connections_opened == 0
    assert len(slack.calls_to("apps.connections.open")) >= 2
