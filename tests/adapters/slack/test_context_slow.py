"""A `/calls colas` whose Wolkvox fetch outlasts Slack's wait is answered on the response_url.

The real Bolt app over real HTTP on 127.0.0.1, the real command and context
services; Wolkvox's `skills` is a fake that holds its answer until released.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.adapters.slack.app import DEFAULT_WORKING_TEXT, build_app
from bot.adapters.slack.http_server import start_http
from bot.bootstrap import calls_frontend
from bot.domain.queues import AgentSnapshot, QueueSnapshot, QueueStat
from bot.services.authorization import AllowAll
from bot.services.context import ContextService
from tests.fakes.slack_api import FakeSlackApi, post_slash_command
from tests.services.fakes import FixedBudget
from tests.support.frontend_world import make_world

SECRET = "signing-secret-7f3a9c1e5b"
BOT_TOKEN = "xoxb-1111-2222-bot-token-e8d4"


class HeldSkills:
    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def queues(self, operation: str, now: datetime) -> QueueSnapshot:
        await self.release.wait()
        return QueueSnapshot(at=now, queues=(QueueStat("102", "Ventas", waiting=17),))

    async def agents(self, operation: str, now: datetime) -> AgentSnapshot:
        raise AssertionError("not asked")


async def test_a_slow_queue_fetch_is_acknowledged_then_answered_on_the_response_url() -> None:
    world = await make_world(language="es")
    held = HeldSkills()
    context = ContextService(
        state=world.state, source=held, budget=FixedBudget(), clock=world.clock
    )
    frontend = calls_frontend(world.runtime, authorizer=AllowAll(), context=context)
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        app = build_app(
            frontend=frontend,
            bot_token=BOT_TOKEN,
            signing_secret=SECRET,
            api_url=slack.api_url,
            command_timeout_s=0.3,
        )
        server = await start_http(
            app, host="127.0.0.1", port=0, health=lambda: (True, "ok"), metrics=lambda: b""
        )
        try:
            url = f"http://127.0.0.1:{server.port}/slack/events"
            result = await post_slash_command(
                url, SECRET, "colas", response_url=slack.response_url("q1")
            )
            assert result.json()["text"] == DEFAULT_WORKING_TEXT
            assert slack.responses == []
            held.release.set()
            await slack.wait_until(lambda: bool(slack.responses))
            [late] = slack.responses
            assert late["id"] == "q1"
            assert "*Ventas*: en espera 17" in str(late["blocks"])
        finally:
            await server.stop()
