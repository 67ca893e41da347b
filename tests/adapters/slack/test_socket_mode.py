"""The Socket Mode watchdog, driven with fake handlers: no network, no real sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, cast

import pytest
from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.socket_mode import SocketModeDead, SocketModeRunner

APP = cast(AsyncApp, object())
APP_TOKEN = "xapp-1-A0-secret-app-token"


class FakeClient:
    def __init__(self) -> None:
        self.alive = True
        self.error: Exception | None = None

    async def is_connected(self) -> bool:
        if self.error is not None:
            raise self.error
        return self.alive


class FakeHandler:
    def __init__(self, connects: bool) -> None:
        self.client = FakeClient()
        self.connects = connects
        self.connected = False
        self.closed = False

    async def connect_async(self) -> None:
        if not self.connects:
            raise ConnectionError("wss refused")
        self.connected = True

    async def close_async(self) -> None:
        self.closed = True


class Factory:
    """Hands out handlers whose connection succeeds or fails as scripted (then succeeds)."""

    def __init__(self, *connects: bool) -> None:
        self._script: Iterator[bool] = iter(connects)
        self.handlers: list[FakeHandler] = []
        self.tokens: list[str] = []

    def __call__(self, app: AsyncApp, app_token: str) -> FakeHandler:
        handler = FakeHandler(next(self._script, True))
        self.handlers.append(handler)
        self.tokens.append(app_token)
        return handler


class Sleeps:
    def __init__(self) -> None:
        self.durations: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.durations.append(seconds)
        await asyncio.sleep(0)


def make_runner(factory: Factory, sleeps: Sleeps, **kwargs: Any) -> SocketModeRunner:
    options: dict[str, Any] = {"max_failed_checks": 3, "max_connect_attempts": 3, "backoff_s": 2.0}
    options.update(kwargs)
    return SocketModeRunner(APP, APP_TOKEN, handler_factory=factory, sleep=sleeps, **options)


async def test_start_connects_once_and_reports_healthy() -> None:
    factory, sleeps = Factory(), Sleeps()
    runner = make_runner(factory, sleeps)

    await runner.connect()
    await runner.check_once()

    assert [h.connected for h in factory.handlers] == [True]
    assert factory.tokens == [APP_TOKEN]
    assert runner.health() == (True, "ok")
    await runner.stop()


async def test_a_few_failed_checks_are_tolerated_and_a_good_one_resets_the_count() -> None:
    factory, sleeps = Factory(), Sleeps()
    runner = make_runner(factory, sleeps)
    await runner.connect()
    first = factory.handlers[0]

    first.client.alive = False
    await runner.check_once()
    await runner.check_once()
    assert runner.health() == (False, "slack socket mode: 2 failed connection checks")
    first.client.alive = True
    await runner.check_once()
    first.client.alive = False
    await runner.check_once()
    await runner.check_once()

    assert factory.handlers == [first]
    assert not first.closed
    await runner.stop()


@pytest.mark.parametrize("failure", ["dead", "raises"])
async def test_repeatedly_dead_connection_is_closed_and_rebuilt(failure: str) -> None:
    factory, sleeps = Factory(), Sleeps()
    runner = make_runner(factory, sleeps)
    await runner.connect()
    first = factory.handlers[0]
    if failure == "dead":
        first.client.alive = False
    else:
        first.client.error = OSError("socket gone")

    for _ in range(3):
        await runner.check_once()

    assert first.closed
    assert [h.connected for h in factory.handlers] == [True, True]
    assert runner.reconnects == 1
    assert runner.health() == (True, "ok")
    await runner.stop()


async def test_rebuild_that_keeps_failing_raises_socket_mode_dead_after_backoff() -> None:
    factory, sleeps = Factory(True, False, False, False), Sleeps()
    runner = make_runner(factory, sleeps, check_every_s=30.0)
    await runner.connect()
    factory.handlers[0].client.alive = False

    with pytest.raises(SocketModeDead):
        for _ in range(3):
            await runner.check_once()

    assert [h.closed for h in factory.handlers] == [True, True, True, True]
    assert sleeps.durations == [2.0, 4.0]


async def test_start_retries_then_gives_up() -> None:
    factory, sleeps = Factory(False, False, False), Sleeps()
    runner = make_runner(factory, sleeps)

    with pytest.raises(SocketModeDead) as raised:
        await runner.start()

    assert len(factory.handlers) == 3
    assert APP_TOKEN not in str(raised.value)


async def test_start_survives_one_refused_connection() -> None:
    factory, sleeps = Factory(False), Sleeps()
    runner = make_runner(factory, sleeps)

    await runner.start()

    assert [h.connected for h in factory.handlers] == [False, True]
    assert factory.handlers[0].closed
    await runner.stop()


async def test_watchdog_loop_makes_wait_raise_when_slack_stays_unreachable() -> None:
    factory, sleeps = Factory(True, False, False, False), Sleeps()
    runner = make_runner(factory, sleeps, check_every_s=15.0)
    await runner.start()
    factory.handlers[0].client.alive = False

    with pytest.raises(SocketModeDead):
        await runner.wait()

    assert sleeps.durations == [15.0, 15.0, 15.0, 2.0, 4.0]
    assert runner.health() == (False, "slack socket mode watchdog stopped")
    await runner.stop()


async def test_stop_ends_the_watchdog_and_closes_the_connection() -> None:
    factory = Factory()

    async def never_wakes(seconds: float) -> None:
        await asyncio.Event().wait()

    runner = SocketModeRunner(APP, APP_TOKEN, handler_factory=factory, sleep=never_wakes)
    await runner.start()
    waiting = asyncio.create_task(runner.wait())
    await asyncio.sleep(0)

    await runner.stop()
    await waiting

    assert factory.handlers[0].closed
    assert runner.health() == (False, "slack socket mode watchdog stopped")
    assert APP_TOKEN not in repr(runner)
