"""Shared doubles for the Wolkvox client tests: a recording fake Wolkvox and friends."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import RequestOutcome, WolkvoxClient
from bot.adapters.wolkvox.target import WolkvoxTarget
from bot.config.request_policy import RequestPolicy

TOKEN = "tok-5e1f-SECRET-9c7d"
NOW = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)  # 10:00 in Bogota

Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def make_target(**overrides: Any) -> WolkvoxTarget:
    fields: dict[str, Any] = {"name": "acme", "server": "0004", "token": TOKEN}
    fields.update(overrides)
    return WolkvoxTarget(**fields)


def calls_body(count: int = 1, *, start: int = 0) -> bytes:
    rows = [
        {
            "type_interaction": "inbound",
            "result": "answer",
            "date": "2026-01-19 09:55:00",
            "telephone": "3001234567",
            "customer_id": "1020304050",
            "conn_id": f"6736.4628.1040.1768834500.{start + i}",
        }
        for i in range(count)
    ]
    return orjson.dumps(
        {"code": 200, "error": None, "msg": f"{count} records were found", "data": rows}
    )


def reply(status: int, body: bytes | dict[str, Any]) -> httpx.Response:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return httpx.Response(status, content=raw, headers={"content-type": "application/json"})


class FakeWolkvox:
    """An httpx transport that records requests and the peak of requests in flight."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler = handler or self.ok
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.transport = httpx.MockTransport(self._handle)

    @staticmethod
    async def ok(request: httpx.Request) -> httpx.Response:
        return reply(200, calls_body())

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            return await self.handler(request)
        finally:
            self.in_flight -= 1

    def script(self, *responses: httpx.Response) -> None:
        """Answer with these responses in order, the last one repeating."""
        queue = list(responses)

        async def scripted(request: httpx.Request) -> httpx.Response:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.handler = scripted


class Sleeps:
    """An injected sleep that records the delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def wolkvox() -> FakeWolkvox:
    return FakeWolkvox()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def outcomes() -> list[RequestOutcome]:
    return []


@pytest.fixture
async def client(
    clock: ManualClock, wolkvox: FakeWolkvox, sleeps: Sleeps, outcomes: list[RequestOutcome]
) -> AsyncIterator[WolkvoxClient]:
    async with WolkvoxClient(
        clock=clock,
        transport=wolkvox.transport,
        policy=RequestPolicy(attempts=3),
        sleep=sleeps,
        rng=random.Random(7),
        on_request=outcomes.append,
    ) as made:
        yield made
