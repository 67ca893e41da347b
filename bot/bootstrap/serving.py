"""How `callbot run` serves Slack: HTTP with signed requests, or Socket Mode with the
health and metrics endpoints on their own port; each until `stop` is set."""

from __future__ import annotations

import asyncio
import logging
import sys

from slack_bolt.async_app import AsyncApp

from bot.adapters.health import all_healthy
from bot.adapters.slack.command_route import CommandShortcut
from bot.adapters.slack.http_server import start_health_server, start_http
from bot.adapters.slack.socket_mode import SocketModeDead, SocketModeRunner
from bot.runtime import Runtime

log = logging.getLogger("callbot.bootstrap")

EXIT_OK = 0
EXIT_FAILED = 1


async def serve_http(
    app: AsyncApp,
    runtime: Runtime,
    *,
    host: str,
    port: int | None,
    stop: asyncio.Event,
    shortcut: CommandShortcut | None = None,
) -> int:
    """Serve Bolt, /healthz and /metrics on one port; 1 when the port cannot be had.
    `shortcut` answers `/calls last10` without Bolt's dispatch (command_route.py)."""
    bind = runtime.settings.http.port if port is None else port
    try:
        server = await start_http(
            app,
            host=host,
            port=bind,
            health=runtime.health,
            metrics=runtime.metrics.exposition,
            shortcut=shortcut,
            detail=runtime.health.detail,
        )
    except OSError as exc:
        print(f"callbot: cannot listen on {host}:{bind}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    log.info("event=serving mode=http host=%s port=%d", host, server.port)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return EXIT_OK


async def serve_socket_mode(
    runner: SocketModeRunner, runtime: Runtime, *, host: str, stop: asyncio.Event
) -> int:
    """Hold the Socket Mode connection; 1 when it dies or the metrics port cannot be had."""
    runtime.health.slack = all_healthy(runner.health, runtime.health.slack)
    metrics_port = runtime.settings.http.metrics_port
    try:
        server = await start_health_server(
            metrics_port,
            host=host,
            health=runtime.health,
            metrics=runtime.metrics.exposition,
            detail=runtime.health.detail,
        )
    except OSError as exc:
        print(
            f"callbot: cannot listen on {host}:{metrics_port} for /healthz and /metrics "
            f"(http.metrics_port; 0 turns it off): {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        # Connecting retries for minutes when Slack is unreachable: a SIGTERM meanwhile
        # must still stop the bot within seconds, not after the orchestrator's SIGKILL.
        connecting = asyncio.ensure_future(runner.start())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
            log.info("event=stopped_while_connecting mode=socket")
            return EXIT_OK
        try:
            connecting.result()
        except SocketModeDead as exc:
            log.error("event=socket_mode_dead")
            print(f"callbot: {exc}; check SLACK_APP_TOKEN and the network", file=sys.stderr)
            return EXIT_FAILED
        log.info("event=serving mode=socket metrics_port=%d", server.port if server else 0)
        watch = asyncio.ensure_future(runner.wait())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({watch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (watch, stopped):
            waiter.cancel()
        dead, _ = await asyncio.gather(watch, stopped, return_exceptions=True)
        if isinstance(dead, SocketModeDead):
            log.error("event=socket_mode_dead")
            print(f"callbot: {dead}", file=sys.stderr)
            return EXIT_FAILED
        if not stop.is_set():
            log.error("event=socket_mode_stopped")
            return EXIT_FAILED
        return EXIT_OK
    finally:
        await runner.stop()
        if server is not None:
            await server.stop()
