"""The client over real TCP on 127.0.0.1: what a mock transport cannot show."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.errors import PayloadError, WolkvoxConnectionError, WolkvoxTimeout
from bot.config.request_policy import RequestPolicy

from .conftest import TOKEN, Sleeps, calls_body, make_target

Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """A one-trick HTTP server: reads a request head, then lets `answer` write anything."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.heads: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for handler in self._handlers:
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            self.heads.append(await reader.readuntil(b"\r\n\r\n"))
            await self.answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def http_response(body: bytes, *, declared: int | None = None) -> bytes:
    length = len(body) if declared is None else declared
    head = (
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        f"content-length: {length}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


@pytest.fixture
async def real_client(clock: ManualClock) -> AsyncIterator[WolkvoxClient]:
    async with WolkvoxClient(
        clock=clock, policy=RequestPolicy(timeout_s=2, attempts=2), sleep=Sleeps()
    ) as client:
        yield client


async def test_a_real_round_trip_sends_the_token_header_and_maps_calls(
    real_client: WolkvoxClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def ok(writer: asyncio.StreamWriter) -> None:
        writer.write(http_response(calls_body(5)))
        await writer.drain()

    caplog.set_level(logging.DEBUG)
    async with RawServer(ok) as server:
        target = make_target(base_url=f"http://127.0.0.1:{server.port}")
        batch = await real_client.calls_last_10(target)

    assert len(batch.records) == 5
    (head,) = server.heads
    assert head.startswith(b"GET /api/v2/real_time.php?api=calls_last_10 HTTP/1.1\r\n")
    assert f"wolkvox-token: {TOKEN}".encode() in head
    assert TOKEN not in caplog.text


async def test_a_body_cut_off_in_transit_is_a_transient_payload_error(
    real_client: WolkvoxClient,
) -> None:
    async def cut(writer: asyncio.StreamWriter) -> None:
        writer.write(http_response(calls_body(5)[:40], declared=5_000))
        await writer.drain()

    async with RawServer(cut) as server:
        target = make_target(base_url=f"http://127.0.0.1:{server.port}")
        with pytest.raises(PayloadError, match="before the calls_last_10 answer was complete"):
            await real_client.calls_last_10(target)

    assert len(server.heads) == 2


async def test_a_server_that_never_answers_times_out(clock: ManualClock) -> None:
    async def silent(writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    async with (
        RawServer(silent) as server,
        WolkvoxClient(clock=clock, policy=RequestPolicy(timeout_s=0.1, attempts=1)) as client,
    ):
        target = make_target(base_url=f"http://127.0.0.1:{server.port}")
        with pytest.raises(WolkvoxTimeout, match=r"within 0\.1 s"):
            await client.calls_last_10(target)


async def test_a_refused_connection_says_the_firewall_may_need_the_bot_ip(
    real_client: WolkvoxClient,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    target = make_target(base_url=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(WolkvoxConnectionError) as caught:
        await real_client.calls_last_10(target)

    assert caught.value.transient is True
    assert caught.value.attempts == 2
    assert "firewall may need to allow the bot's outbound IP" in str(caught.value)
    assert f"127.0.0.1:{closed_port}" in str(caught.value)
