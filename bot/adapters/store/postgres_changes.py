"""The change feed on PostgreSQL: NOTIFY inside the committing transaction, LISTEN on a
connection of its own (bot.services.ports.changes).

`announce` runs inside a store transaction: PostgreSQL delivers a notification only when
its transaction commits, so a replica never hears of a change that was rolled back. One
channel per deployment (the schema the store's tables live in), so deployments, and test
runs, sharing one server never hear each other. The payload names its origin, the
announcing store, so a replica ignores its own changes.

`PostgresChanges` listens on a dedicated connection (a pooled one is shared out, and LISTEN
belongs to its session), outside the pool. When the connection drops it reconnects with
backoff, and once listening again tells its listeners `RESYNC`: whatever was announced
meanwhile is lost, so they reload what they follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql

from bot.adapters.store.postgres_sql import Conn
from bot.services.ports.changes import Change, ChangeKind, ChangeListener

log = logging.getLogger("callbot.store.changes")

HEARTBEAT_S = 10.0
"""How long the listening connection may stay silent before it is checked (a dead TCP
peer is otherwise only noticed by the kernel's keepalive, minutes later)."""
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
"""Waits between reconnection attempts, the last one repeated."""
_CHANNEL_MAX = 63


def channel_for(schema: str) -> str:
    """The notification channel of the deployment whose tables live in `schema`."""
    name = f"callbot_{schema}"
    if len(name.encode()) <= _CHANNEL_MAX:
        return name
    return "callbot_" + hashlib.sha256(schema.encode()).hexdigest()[:32]


def encode(change: Change, *, origin: str) -> str:
    payload = {"k": change.kind.value, "o": change.operation, "r": change.ref, "by": origin}
    return json.dumps(payload, separators=(",", ":"))


def decode(payload: str) -> tuple[Change, str] | None:
    """(change, origin), or None for a payload this callbot does not read (a newer one's)."""
    try:
        doc = json.loads(payload)
        kind = ChangeKind(doc["k"])
        operation, ref, origin = doc.get("o"), doc.get("r"), str(doc.get("by", ""))
    except (ValueError, KeyError, TypeError):
        return None
    if operation is not None and not isinstance(operation, str):
        return None
    if ref is not None and not isinstance(ref, int):
        return None
    return Change(kind, operation, ref), origin


async def announce(conn: Conn, channel: str, change: Change, *, origin: str) -> None:
    """Announce `change` when the caller's transaction commits (and never otherwise)."""
    await conn.execute("SELECT pg_notify(%s, %s)", (channel, encode(change, origin=origin)))


class PostgresChanges:
    """The feed of one replica: listens to the channel of `schema()` on `url`.

    `origin` is this replica's store (its own announcements are not passed on); `schema`
    is asked at start (the store knows it once open). `connect_timeout` bounds each attempt.
    """

    def __init__(
        self,
        *,
        url: str,
        origin: str,
        schema: Callable[[], str],
        safe: Callable[[object], str],
        connect_timeout: int = 10,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self._url = url
        self._origin = origin
        self._schema = schema
        self._safe = safe
        self._connect_timeout = connect_timeout
        self._heartbeat_s = heartbeat_s
        self._listeners: list[ChangeListener] = []
        self._task: asyncio.Task[None] | None = None
        self._listening = False
        self.heard = 0
        """Changes passed on so far (tests, metrics)."""

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    @property
    def listening(self) -> bool:
        return self._listening

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="change-feed")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._listening = False

    def _tell(self, change: Change) -> None:
        self.heard += 1
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception as exc:
                log.warning("event=change_listener_failed error=%s", type(exc).__name__)

    async def _run(self) -> None:
        channel = channel_for(self._schema())
        failures = 0
        while True:
            try:
                await self._listen(channel)
            except (psycopg.Error, OSError) as exc:
                if self._listening:
                    failures = 0
                self._listening = False
                wait = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                failures += 1
                log.warning(
                    "event=change_feed_lost error=%s retry_in_s=%.1f",
                    self._safe(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                    wait,
                )
                await asyncio.sleep(wait)

    async def _listen(self, channel: str) -> None:
        conn = await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=self._connect_timeout
        )
        async with conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._listening = True
            log.info("event=change_feed_listening")
            self._tell(Change(ChangeKind.RESYNC))
            while True:
                async for notify in conn.notifies(timeout=self._heartbeat_s):
                    heard = decode(notify.payload)
                    if heard is not None and heard[1] != self._origin:
                        self._tell(heard[0])
                await conn.execute("SELECT 1")
