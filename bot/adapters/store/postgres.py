"""The PostgreSQL store: one database that several replicas can share (issue 14).

psycopg 3's async connections from its pool (psycopg_pool), so the asyncio loop never
blocks on the network. Every contract call that writes runs in one transaction
(`commit_cycle`, `commit_action`, `complete`, `mark_attempted`, `defer`: all of it or none
of it, as in SQLite); `load` reads every table in one REPEATABLE READ snapshot. The schema
is created and migrated when the store opens (bot.adapters.store.postgres_schema). The URL
is shown only with its password masked, in every message this store raises.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.adapters.store.context_rows import context_row
from bot.adapters.store.postgres_changes import PostgresChanges, announce, channel_for
from bot.adapters.store.postgres_context import load_context_rows, put_context_row
from bot.adapters.store.postgres_lease import fence
from bot.adapters.store.postgres_leasing import PostgresLeases
from bot.adapters.store.postgres_outbox import (
    CLAIM_TTL,
    RELEASE,
    RELEASE_CHANNEL,
    claim_due,
    mark_attempted,
    oldest,
)
from bot.adapters.store.postgres_requests import PostgresRequests
from bot.adapters.store.postgres_schema import migrate
from bot.adapters.store.postgres_sql import (
    HISTORY_ACTIONS,
    HISTORY_INCIDENTS,
    UPSERT_REF,
    Conn,
    read_state,
    write_action,
    write_cycle,
)
from bot.adapters.store.rows import (
    check_day,
    decode_message_ref,
    history_page,
    to_micros,
)
from bot.adapters.store.timing import CallObserver, timed
from bot.config.store_url import redact_error, redact_url
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services.ports.changes import Change, ChangeKind
from bot.services.ports.leases import Lease
from bot.services.ports.snapshots import StoredContext
from bot.services.ports.store import (
    ActionCommit,
    CycleCommit,
    DocumentError,
    HistoryPage,
    MessageRef,
    OutboxRow,
    Store,
    StoreBusyError,
    StoreClosedError,
    StoredState,
    StoreError,
    StoreOpenError,
)

T = TypeVar("T")

CONNECT_TIMEOUT_S = 10
"""How long one connection attempt may take before the database counts as unreachable."""
POOL_TIMEOUT_S = 15.0
"""How long a call waits for a pooled connection before it fails (transient)."""


class PostgresStore(PostgresLeases, Store):
    """A store in the PostgreSQL database at `url` (its tables in the connection's current
    schema). `max_connections` bounds the pool: concurrent callers queue for a connection.
    `open()` gives up after `open_timeout` seconds without a connection, a call after
    `call_timeout` (StoreBusyError: the database is lost, or every connection is busy).
    Outbox rows it returns stay its own for `claim_ttl` (see postgres_outbox). `on_call`
    hears of every call (its name, duration, failure: the store latency metric)."""

    def __init__(
        self,
        *,
        url: str,
        max_connections: int = 4,
        open_timeout: float = CONNECT_TIMEOUT_S,
        call_timeout: float = POOL_TIMEOUT_S,
        claim_ttl: timedelta = CLAIM_TTL,
        on_call: CallObserver | None = None,
    ) -> None:
        self.on_call = on_call
        self._url = url
        self._where = redact_url(url)
        self._max_connections = max_connections
        self._open_timeout = open_timeout
        self._call_timeout = call_timeout
        self._claim_ttl = claim_ttl
        self._pool: AsyncConnectionPool[Conn] | None = None
        self._leases: dict[str, Lease] = {}
        self._group_of: Callable[[str], str] = str
        """operation -> the key of the lease fencing its cycles (`fence_by`; each its own)."""
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        """Who claims outbox rows and holds leases: this store of this process (a replica)."""
        self._channel = ""
        self.changes = PostgresChanges(
            url=url, origin=self._owner, schema=lambda: self._schema, safe=self._safe
        )
        """What the other replicas commit (announced by `commit_cycle` and `commit_action`,
        inside their transactions); `start()` it once the store is open."""
        self._schema = ""
        self.requests = PostgresRequests(run=self._run, announce=self._announce)
        """Actions passed to the replica that holds an operation (postgres_requests)."""

    @property
    def where(self) -> str:
        """The database's URL with its password masked (for logs, doctor and /healthz)."""
        return self._where

    def __repr__(self) -> str:
        return f"PostgresStore(url={self._where!r})"

    def _safe(self, error: object) -> str:
        return redact_error(str(error), self._url)

    async def open(self) -> None:
        if self._pool is not None:
            return
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            self._url,
            min_size=1,
            max_size=self._max_connections,
            open=False,
            timeout=self._call_timeout,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            check=AsyncConnectionPool.check_connection,
            name="callbot-store",
        )
        try:
            await pool.open(wait=True, timeout=self._open_timeout)
            async with pool.connection() as conn:
                await migrate(conn, where=self._where)
                found = await (await conn.execute("SELECT current_schema()")).fetchone()
                self._schema = str(found[0]) if found is not None else "public"
                self._channel = channel_for(self._schema)
        except BaseException as exc:
            await pool.close()
            if isinstance(exc, psycopg.Error):
                raise StoreOpenError(
                    f"cannot open the store {self._where}: {self._safe(exc)}"
                ) from None
            raise
        self._pool = pool

    async def close(self) -> None:
        """Release this store's outbox claims (best effort: they expire anyway), then close."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            async with pool.connection() as conn:
                await conn.execute(RELEASE, (self._owner,))
        except psycopg.Error:
            pass
        finally:
            await pool.close()

    async def _run(self, work: Callable[[Conn], Awaitable[T]], *, write: bool = True) -> T:
        """`work` on a pooled connection, in one transaction; psycopg's errors as the
        contract's (a lost database is transient: StoreBusyError)."""
        pool = self._pool
        if pool is None:
            raise StoreClosedError(f"the store {self._where} is not open")
        try:
            async with pool.connection() as conn, conn.transaction():
                if not write:
                    await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return await work(conn)
        except psycopg.DataError as exc:
            raise DocumentError(
                f"the store {self._where} refused a value: {self._safe(exc)}"
            ) from None
        except psycopg.OperationalError as exc:
            raise StoreBusyError(
                f"the store {self._where} is unavailable: {self._safe(exc)}"
            ) from None
        except psycopg.Error as exc:
            raise StoreError(f"the store {self._where} failed: {self._safe(exc)}") from None

    @timed
    async def load(
        self, now: datetime, *, operation: str | None = None, since: datetime | None = None
    ) -> StoredState:
        to_micros(now, what="now")
        first = None if since is None else to_micros(since, what="since")
        return await self._run(
            lambda conn: read_state(conn, operation=operation, since=first), write=False
        )

    @timed
    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        """Fenced by the epoch of the lease of the operation's token group while this store
        holds it (`fence_by`)."""
        lease = self._fencing(cycle.operation)
        touched = [*(key.minute for key in cycle.log.buckets), *cycle.log.covered_minutes]
        first = int(min(touched).timestamp() // 60) if touched else None

        async def work(conn: Conn) -> list[int]:
            if lease is not None:
                await fence(conn, lease)
            ids = await write_cycle(conn, cycle)
            await self._announce(conn, Change(ChangeKind.COMMITTED, cycle.operation, first))
            return ids

        return await self._run(work)

    @timed
    async def commit_action(self, commit: ActionCommit) -> list[int] | None:
        """Announces the operations whose alerts it changed, a change of silences, and the
        requests it answered (nothing when `commit.only_if_firing` refused it). Fenced like
        `commit_cycle`: alerts of an operation whose
        group's lease this store holds are written only while that lease still holds (a
        paused old holder carrying out an acknowledgement cannot overwrite its successor's
        alerts or edit the message with them); so are the operations in `commit.under`."""
        operations = sorted({a.operation for a in commit.alerts})
        changes = [Change(ChangeKind.COMMITTED, op) for op in operations]
        if commit.silences or commit.forget_silences:
            changes.append(Change(ChangeKind.SILENCES))
        changes += [Change(ChangeKind.ANSWERED, None, rid) for rid, _ in commit.answers]
        under = {*operations, *commit.under}
        fences = {lease.operation: lease for op in under if (lease := self._fencing(op))}

        async def work(conn: Conn) -> list[int] | None:
            for key in sorted(fences):
                await fence(conn, fences[key])
            ids = await write_action(conn, commit)
            if ids is not None:
                await self._announce(conn, *changes)
            return ids

        return await self._run(work)

    async def _announce(self, conn: Conn, *changes: Change) -> None:
        """Tell the other replicas once the caller's transaction commits."""
        for change in changes:
            await announce(conn, self._channel, change, origin=self._owner)

    @timed
    async def history(
        self,
        *,
        since: datetime,
        rule: str | None = None,
        operation: str | None = None,
        limit: int = 200,
    ) -> HistoryPage:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        params = {
            "since": to_micros(since, what="since"),
            "rule": rule,
            "operation": operation,
            "limit": limit,
        }

        async def work(conn: Conn) -> HistoryPage:
            incidents = await (await conn.execute(HISTORY_INCIDENTS, params)).fetchall()
            actions = await (await conn.execute(HISTORY_ACTIONS, params)).fetchall()
            return history_page(incidents, actions)

        return await self._run(work, write=False)

    @timed
    async def forget_history(self, before: datetime) -> None:
        cutoff = (to_micros(before, what="before"),)

        async def work(conn: Conn) -> None:
            await conn.execute("DELETE FROM incidents WHERE ended_at < %s", cutoff)
            await conn.execute("DELETE FROM actions WHERE at < %s", cutoff)

        await self._run(work)

    @timed
    async def budget_used(self, operation: str, day: str) -> int:
        key = (operation, check_day(day))

        async def work(conn: Conn) -> int:
            cursor = await conn.execute(
                "SELECT used FROM budgets WHERE operation = %s AND day = %s", key
            )
            row = await cursor.fetchone()
            return 0 if row is None else int(row[0])

        return await self._run(work, write=False)

    @timed
    async def due_outbox(self, now: datetime, limit: int) -> list[OutboxRow]:
        """The contract's due rows, claimed for this store (see postgres_outbox): another
        replica's `due_outbox` skips them, and their channels, until they are completed,
        deferred, released at `close()` or their claim expires."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        cutoff = to_micros(now, what="now")
        return await self._run(
            lambda conn: claim_due(
                conn, me=self._owner, now=cutoff, limit=limit, ttl=self._claim_ttl
            )
        )

    @timed
    async def complete(self, row_id: int, *, message: MessageRef | None) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute("DELETE FROM outbox WHERE id = %s", (row_id,))
            if message is not None:
                await conn.execute(UPSERT_REF, (message.incident_id, message.channel, message.ts))

        await self._run(work)

    @timed
    async def mark_attempted(self, row_id: int, *, error: str) -> bool:
        """Keeps and renews this store's claim on the row (see postgres_outbox)."""
        me, ttl = self._owner, self._claim_ttl
        return await self._run(
            lambda conn: mark_attempted(conn, me=me, row_id=row_id, error=error, ttl=ttl)
        )

    @timed
    async def defer(self, row_id: int, *, not_before: datetime, error: str) -> None:
        """Also releases this store's claims on the row's channel (the row holds the
        channel back; whichever replica claims it next delivers it first)."""
        values = (to_micros(not_before, what="not_before"), error, row_id)

        async def work(conn: Conn) -> None:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, not_before = %s, last_error = %s "
                "WHERE id = %s",
                values,
            )
            await conn.execute(RELEASE_CHANNEL, {"me": self._owner, "id": row_id})

        await self._run(work)

    @timed
    async def oldest_outbox(self) -> OutboxRow | None:
        """A plain read: it claims nothing, so sampling never takes a row from a drainer."""
        return await self._run(oldest, write=False)

    @timed
    async def outbox_depth(self) -> int:
        async def work(conn: Conn) -> int:
            row = await (await conn.execute("SELECT count(*) FROM outbox")).fetchone()
            return 0 if row is None else int(row[0])

        return await self._run(work, write=False)

    @timed
    async def message_ref(self, incident_id: str) -> MessageRef | None:
        async def work(conn: Conn) -> MessageRef | None:
            cursor = await conn.execute(
                "SELECT incident_id, channel, ts FROM message_refs WHERE incident_id = %s",
                (incident_id,),
            )
            row = await cursor.fetchone()
            return None if row is None else decode_message_ref(row)

        return await self._run(work, write=False)

    @timed
    async def put_message_ref(self, ref: MessageRef) -> None:
        values = (ref.incident_id, ref.channel, ref.ts)

        async def work(conn: Conn) -> None:
            await conn.execute(UPSERT_REF, values)

        await self._run(work)

    @timed
    async def put_context(self, operation: str, snapshot: QueueSnapshot | AgentSnapshot) -> bool:
        """Announces a kept snapshot (CONTEXT) to the replicas that follow the operation."""
        row = context_row(operation, snapshot)

        async def work(conn: Conn) -> bool:
            kept = await put_context_row(conn, row)
            if kept:
                await self._announce(conn, Change(ChangeKind.CONTEXT, operation))
            return kept

        return await self._run(work)

    @timed
    async def load_context(self, operation: str | None = None) -> Mapping[str, StoredContext]:
        return await self._run(lambda conn: load_context_rows(conn, operation), write=False)
