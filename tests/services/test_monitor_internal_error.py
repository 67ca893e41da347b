"""Polls that go wrong below the source: a bug must not blind an operation silently, and a
late answer must not claim minutes the API never saw."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.adapters.clock import ManualClock

from .fakes import Batch, FakeSource
from .test_monitor import Bot, calls, world  # noqa: F401 (the fixture)

TOKEN_WITH_ENIE = "wv-tok-ñ-4d2a"


class SourceWithABug(FakeSource):
    """Fails the way httpx does when a header holds a non-ASCII token, while `broken`."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = True

    async def calls_last_10(self, operation: str) -> Batch:
        if self.broken:
            TOKEN_WITH_ENIE.encode("ascii")
        return await super().calls_last_10(operation)


async def test_an_unforeseen_exception_is_a_failed_poll_that_fires_unavailable_and_recovers(
    world,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    tables, clock, _, chat = world
    source = SourceWithABug()
    bot = Bot(tables, clock, source, chat)
    await bot.start()
    caplog.set_level(logging.DEBUG)

    for _ in range(3):
        await bot.cycle()

    poll = bot.state.operation("bogota").poll
    assert poll.consecutive_failures == 3
    assert poll.last_error is not None and "UnicodeEncodeError" in poll.last_error
    assert "bug" in poll.last_error
    [unavailable] = [m for m in bot.chat.top_level() if "wolkvox-unavailable" in m.text]
    assert unavailable.text.startswith("firing critical")
    assert any("event=poll_internal_error" in r.getMessage() for r in caplog.records)
    assert all(TOKEN_WITH_ENIE not in r.getMessage() for r in caplog.records)

    source.broken = False
    for _ in range(2):
        await bot.cycle(calls(bot.clock.now(), abandons=0))
    assert bot.state.operation("bogota").poll.consecutive_failures == 0
    [unavailable] = [m for m in bot.chat.top_level() if "wolkvox-unavailable" in m.text]
    assert unavailable.text.startswith("resolved")


class SlowSource(FakeSource):
    """Answers after `delay` of the bot's clock, as retries within a poll do."""

    def __init__(self, clock: ManualClock, delay: timedelta) -> None:
        super().__init__()
        self.clock = clock
        self.delay = delay

    async def calls_last_10(self, operation: str) -> Batch:
        self.clock.advance(self.delay)
        return await super().calls_last_10(operation)


async def test_a_late_answer_covers_only_the_ten_minutes_before_it_arrived(world) -> None:  # noqa: F811
    tables, clock, _, chat = world
    bot = Bot(tables, clock, SlowSource(clock, timedelta(minutes=4)), chat)
    await bot.start()
    began = clock.now()

    await bot.monitor.poll("bogota")

    answered = began + timedelta(minutes=4)
    log = bot.state.log
    assert log.coverage("bogota", answered - timedelta(minutes=10), answered) == 1.0
    assert (
        log.coverage("bogota", began - timedelta(minutes=10), answered - timedelta(minutes=10))
        == 0.0
    )
