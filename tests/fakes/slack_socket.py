"""Slack's Socket Mode WebSocket, faked: the app connects, the test pushes envelopes.

``apps.connections.open`` on the fake Web API hands out this endpoint's ws:// URL. The
endpoint greets each connection with ``hello`` as Slack does, records every
acknowledgement the app sends back, and can drop its connections to simulate a silent
server-side disconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import WSMsgType, web

PATH = "/socket"


class FakeSocketModeEndpoint:
    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.connections_opened = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()

    def install(self, app: web.Application) -> None:
        app.router.add_get(PATH, self._handle)

    @property
    def open_connections(self) -> int:
        return sum(1 for ws in self._sockets if not ws.closed)

    async def send(self, envelope: dict[str, Any]) -> None:
        """Push an envelope (slash_commands, interactive, events_api) on the newest socket."""
        live = [ws for ws in self._sockets if not ws.closed]
        if not live:
            raise AssertionError("no Socket Mode connection is open")
        await live[-1].send_str(json.dumps(envelope))

    async def drop(self) -> None:
        """Close every connection from the server side."""
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()

    async def wait_for_ack(self, envelope_id: str, within_s: float = 5.0) -> dict[str, Any]:
        def found() -> bool:
            return any(a.get("envelope_id") == envelope_id for a in self.acks)

        async with asyncio.timeout(within_s), self._changed:
            await self._changed.wait_for(found)
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    async def wait_for_connections(self, count: int, within_s: float = 5.0) -> None:
        async with asyncio.timeout(within_s), self._changed:
            await self._changed.wait_for(lambda: self.connections_opened >= count)

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connections_opened += 1
        await self._notify()
        await ws.send_str(
            json.dumps(
                {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}}
            )
        )
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
                await self._notify()
        return ws

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
