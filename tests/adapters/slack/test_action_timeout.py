"""A `/calls` change that outlives Slack's deadline is finished, stored and answered later.

The real Bolt app over HTTP, the real command service, controls and memory store; the state
lock is held by the test the way a poll holds it while it commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.app import DEFAULT_ERROR_TEXT, DEFAULT_WORKING_TEXT, build_app
from bot.adapters.slack.http_server import HttpServer, start_http
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.memory import MemoryStore
from bot.bootstrap import calls_frontend
from bot.services.authorization import AllowAll
from bot.services.state import RuntimeState
from bot.settings import parse_settings
from tests.fakes.slack_api import FakeSlackApi, post_slash_command
from tests.support.config import config_text, operation, rule
from tests.support.world import assembled

SECRET = "signing-secret-5c2e8a"
BOT_TOKEN = "xoxb-3333-4444-bot-token-a1b2"
CONFIG = config_text(
    operations=[operation(poll_every="5m")], rules=[rule(window="10m", warning=3)], language="en"
)
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@dataclass
class Bot:
    state: RuntimeState
    store: MemoryStore
    slack: FakeSlackApi
    server: HttpServer

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    settings = parse_settings(CONFIG, source="test.yml", env={})
    clock = ManualClock(T0)
    store = MemoryStore()
    await store.open()
    presenter = SlackPresenter(language="en", mask_personal_data=True)
    runtime = assembled(settings, clock=clock, store=store, source=_NoSource(), presenter=presenter)
    state = runtime.state
    service = calls_frontend(runtime, authorizer=AllowAll())
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        app = build_app(
            frontend=service,
            bot_token=BOT_TOKEN,
            signing_secret=SECRET,
            api_url=slack.api_url,
            command_timeout_s=0.2,
        )
        server = await start_http(app, host="127.0.0.1", port=0, health=_healthy, metrics=_none)
        try:
            yield Bot(state, store, slack, server)
        finally:
            await server.stop()


class _NoSource:
    """Silencing never asks Wolkvox; any call here is a bug the test should see."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the call source was used: {name}")


def _healthy() -> tuple[bool, str]:
    return True, "ok"


def _none() -> bytes:
    return b""


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("silence abandons 2h lunch", "silenced *abandons*"),
        ("silence abandons bogota 1h", "silenced *abandons*"),
    ],
)
async def test_a_silence_slower_than_the_deadline_is_kept_and_answered_later(
    bot: Bot, command: str, said: str
) -> None:
    async with bot.state.lock:  # a poll committing its cycle
        result = await post_slash_command(
            bot.events_url, SECRET, command, response_url=bot.slack.response_url("late")
        )
        assert result.status == 200
        assert result.json()["text"] == DEFAULT_WORKING_TEXT

    await bot.slack.wait_until(lambda: bool(bot.slack.responses), within_s=10)

    [answer] = bot.slack.responses
    assert answer["id"] == "late"
    assert said in answer["text"]
    assert DEFAULT_ERROR_TEXT not in answer["text"]
    [silence] = bot.state.silences.silences
    assert silence.rule == "abandons"
    assert list(bot.store.tables.silences) == [silence.id]


async def test_a_quick_command_is_still_answered_in_the_acknowledgement(bot: Bot) -> None:
    result = await post_slash_command(
        bot.events_url, SECRET, "silence abandons 2h", response_url=bot.slack.response_url()
    )

    assert "silenced *abandons*" in result.json()["text"]
    assert bot.slack.responses == []
    assert len(bot.state.silences.silences) == 1
