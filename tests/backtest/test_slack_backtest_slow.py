"""`/calls backtest` through the real Bolt app over real HTTP on 127.0.0.1: a replay that
outlasts Slack's wait is acknowledged at once and answered on the response_url."""

from __future__ import annotations

from bot.adapters.slack.app import DEFAULT_WORKING_TEXT, build_app
from bot.adapters.slack.http_server import start_http
from tests.backtest.test_slack_backtest import _history
from tests.fakes.slack_api import FakeSlackApi, post_slash_command
from tests.support.frontend_world import make_world

SECRET = "signing-secret-7f3a9c1e5b"
BOT_TOKEN = "xoxb-1111-2222-bot-token-e8d4"


async def test_a_replay_slower_than_slack_waits_is_answered_on_the_response_url() -> None:
    world = await make_world()
    await _history(world)
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        # No wait at all: the replay runs in a worker thread, so it is never done at once.
        app = build_app(
            frontend=world.service,
            bot_token=BOT_TOKEN,
            signing_secret=SECRET,
            api_url=slack.api_url,
            command_timeout_s=0.0,
        )
        server = await start_http(
            app, host="127.0.0.1", port=0, health=lambda: (True, "ok"), metrics=lambda: b""
        )
        try:
            url = f"http://127.0.0.1:{server.port}/slack/events"
            result = await post_slash_command(
                url, SECRET, "backtest abandons 24h", response_url=slack.response_url("b1")
            )
            assert result.json()["text"] == DEFAULT_WORKING_TEXT
            await slack.wait_until(lambda: bool(slack.responses))
            [late] = slack.responses
            assert late["id"] == "b1"
            assert late.get("response_type") == "ephemeral"
            assert "would have fired once in the last 24 hours" in str(late["blocks"])
        finally:
            await server.stop()
