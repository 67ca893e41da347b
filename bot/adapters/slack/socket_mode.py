"""Socket Mode with a watchdog.

A known slack_sdk failure (bolt-python #417, python-slack-sdk #1110): after a reconnect the
WebSocket can go silent while the client believes it is fine, and the bot stops hearing
commands without any error. The maintainers' advice is to check ``client.is_connected()``
periodically and, when it stays false, close the handler and build a new one. If even that
keeps failing, :class:`SocketModeDead` is raised so the process exits non-zero and its
supervisor restarts it: a crash is visible, a deaf bot is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

_log = logging.getLogger("callbot.slack.socket_mode")


class SocketModeDead(RuntimeError):
    """The Socket Mode connection is gone and could not be rebuilt: exit non-zero."""


class SocketModeClientLike(Protocol):
    async def is_connected(self) -> bool: ...


class SocketModeHandlerLike(Protocol):
    """The part of Bolt's AsyncSocketModeHandler the runner uses (a seam for tests)."""

    @property
    def client(self) -> SocketModeClientLike: ...

    async def connect_async(self) -> None: ...

    async def close_async(self) -> None: ...


HandlerFactory = Callable[[AsyncApp, str], SocketModeHandlerLike]
Sleep = Callable[[float], Awaitable[None]]


def bolt_handler(app: AsyncApp, app_token: str) -> SocketModeHandlerLike:
    """A fresh Bolt Socket Mode handler (a new WebSocket client each time)."""
    return AsyncSocketModeHandler(app, app_token)


class SocketModeRunner:
    """Keeps one live Socket Mode connection for ``app``, rebuilding it when it goes silent.

    ``check_every_s`` paces the watchdog; ``max_failed_checks`` consecutive failed checks
    trigger a rebuild; ``max_connect_attempts`` failed connection attempts in a row (with
    exponential backoff from ``backoff_s``) raise :class:`SocketModeDead` from :meth:`wait`.
    slack_sdk's ``connect()`` itself retries forever (a bad app token included), so each
    attempt is bounded by ``connect_timeout_s``.
    """

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        *,
        check_every_s: float = 30.0,
        max_failed_checks: int = 3,
        max_connect_attempts: int = 5,
        backoff_s: float = 2.0,
        check_timeout_s: float = 10.0,
        connect_timeout_s: float = 30.0,
        handler_factory: HandlerFactory = bolt_handler,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_failed_checks < 1 or max_connect_attempts < 1:
            raise ValueError("max_failed_checks and max_connect_attempts must be at least 1")
        self._app = app
        self._app_token = app_token
        self._check_every_s = check_every_s
        self._max_failed_checks = max_failed_checks
        self._max_connect_attempts = max_connect_attempts
        self._backoff_s = backoff_s
        self._check_timeout_s = check_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._factory = handler_factory
        self._sleep = sleep
        self._handler: SocketModeHandlerLike | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._failed_checks = 0
        self._reconnects = 0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        connected = self._handler is not None
        return f"SocketModeRunner(connected={connected}, reconnects={self._reconnects})"

    @property
    def reconnects(self) -> int:
        """How many times the connection was rebuilt (for /metrics)."""
        return self._reconnects

    def health(self) -> tuple[bool, str]:
        """(healthy, reason) for /healthz: unhealthy while checks fail or the watchdog died."""
        if self._watchdog is not None and self._watchdog.done():
            return False, "slack socket mode watchdog stopped"
        if self._handler is None:
            return False, "slack socket mode not connected"
        if self._failed_checks:
            return False, f"slack socket mode: {self._failed_checks} failed connection checks"
        return True, "ok"

    async def connect(self) -> None:
        """Connect (retrying with backoff) without starting the watchdog; raises SocketModeDead."""
        async with self._lock:
            if self._handler is None:
                self._handler = await self._connect_new()

    async def start(self) -> None:
        """Connect, then start the watchdog; raises SocketModeDead if Slack cannot be reached."""
        await self.connect()
        self._watchdog = asyncio.create_task(self._watch(), name="socket-mode-watchdog")

    async def wait(self) -> None:
        """Return when stopped; raise SocketModeDead if the watchdog gave up."""
        if self._watchdog is None:
            raise RuntimeError("SocketModeRunner.start() was not called")
        await asyncio.wait({self._watchdog})
        if not self._watchdog.cancelled():
            self._watchdog.result()

    async def stop(self) -> None:
        """Stop the watchdog and close the connection cleanly."""
        if self._watchdog is not None and not self._watchdog.done():
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError, SocketModeDead):
                await self._watchdog
        handler, self._handler = self._handler, None
        if handler is not None:
            await self._close(handler)

    async def check_once(self) -> None:
        """One watchdog step: check the connection, rebuild after repeated failures."""
        async with self._lock:
            await self._check()

    async def _check(self) -> None:
        handler = self._handler
        if handler is None:
            self._handler = await self._connect_new()
            return
        if await self._is_connected(handler):
            self._failed_checks = 0
            return
        self._failed_checks += 1
        _log.warning(
            "event=socket_mode_check_failed failed=%d of=%d",
            self._failed_checks,
            self._max_failed_checks,
        )
        if self._failed_checks < self._max_failed_checks:
            return
        self._handler = None
        await self._close(handler)
        self._handler = await self._connect_new()
        self._failed_checks = 0
        self._reconnects += 1
        _log.warning("event=socket_mode_rebuilt")

    async def _watch(self) -> None:
        while True:
            await self._sleep(self._check_every_s)
            await self.check_once()

    async def _is_connected(self, handler: SocketModeHandlerLike) -> bool:
        try:
            async with asyncio.timeout(self._check_timeout_s):
                return await handler.client.is_connected()
        except TimeoutError:
            return False
        except Exception as exc:
            _log.warning("event=socket_mode_check_error error_type=%s", type(exc).__name__)
            return False

    async def _connect_new(self) -> SocketModeHandlerLike:
        for attempt in range(self._max_connect_attempts):
            if attempt:
                await self._sleep(self._backoff_s * 2 ** (attempt - 1))
            handler = self._factory(self._app, self._app_token)
            try:
                async with asyncio.timeout(self._connect_timeout_s):
                    await handler.connect_async()
            except asyncio.CancelledError:
                # Stopped while connecting: the half-built client's message loop would
                # otherwise spin on forever, logging an error per turn.
                await self._close(handler)
                raise
            except Exception as exc:
                _log.warning(
                    "event=socket_mode_connect_failed attempt=%d of=%d error_type=%s",
                    attempt + 1,
                    self._max_connect_attempts,
                    type(exc).__name__,
                )
                await self._close(handler)
                continue
            return handler
        raise SocketModeDead(
            f"could not connect to Slack in Socket Mode after {self._max_connect_attempts} attempts"
        )

    @staticmethod
    async def _close(handler: SocketModeHandlerLike) -> None:
        try:
            await handler.close_async()
        except Exception as exc:
            _log.warning("event=socket_mode_close_error error_type=%s", type(exc).__name__)
