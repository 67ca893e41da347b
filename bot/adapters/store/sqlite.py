"""The embedded default store: one SQLite file, no server to run.

One connection lives in one worker thread (a single-thread executor), so every call is
serialised there and the asyncio loop never blocks on disk; concurrent callers simply queue.
WAL lets a reader (e.g. `sqlite3` in a shell) look while the bot writes, and
`synchronous=FULL` makes each commit durable: once `complete()` returns, a crash or power
loss cannot make the bot forget a message it posted (which would post it twice).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.adapters.store.conn_id_groups import group_rows
from bot.adapters.store.context_rows import (
    SELECT_SQLITE,
    UPSERT_SQLITE,
    context_row,
    stored_contexts,
)
from bot.adapters.store.rows import (
    alert_rows,
    assemble_state,
    bucket_rows,
    budget_row,
    check_day,
    decode_message_ref,
    digest_rows,
    incident_rows,
    minute_rows,
    poll_row,
    to_micros,
)
from bot.adapters.store.sole_lease import SoleLeases
from bot.adapters.store.sqlite_history import (
    UPSERT_INCIDENT,
    HistoryQuery,
    forget_history,
    store_action,
)
from bot.adapters.store.sqlite_outbox import due_rows, insert_outbox, oldest_row
from bot.adapters.store.sqlite_schema import migrate
from bot.adapters.store.timing import CallObserver, timed
from bot.domain.alerts import Alert
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services.ports.snapshots import StoredContext
from bot.services.ports.store import (
    ActionCommit,
    CycleCommit,
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

MEMORY = ":memory:"

_UPSERT_ALERT = (
    "INSERT INTO alerts (operation, rule, doc) VALUES (?, ?, ?) "
    "ON CONFLICT (operation, rule) DO UPDATE SET doc = excluded.doc"
)
_SELECT_POLLS = (
    "SELECT operation, last_success_at, last_error, consecutive_failures, last_duration, "
    "last_attempt_at, last_error_kind, stopped, last_records, last_skipped, "
    "possibly_truncated FROM poll_status"
)
_REPLACE_POLL = (
    "INSERT OR REPLACE INTO poll_status (operation, last_success_at, last_error, "
    "consecutive_failures, last_duration, last_attempt_at, last_error_kind, stopped, "
    "last_records, last_skipped, possibly_truncated) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_REF = (
    "INSERT INTO message_refs (incident_id, channel, ts) VALUES (?, ?, ?) "
    "ON CONFLICT (incident_id) DO UPDATE SET channel = excluded.channel, ts = excluded.ts"
)
_SELECT_CONN_ID_GROUPS = (
    "SELECT operation, at, call_type, result, forgotten, conn_ids FROM conn_id_groups ORDER BY id"
)
_INSERT_CONN_ID_GROUP = (
    "INSERT INTO conn_id_groups (operation, at, call_type, result, conn_ids) VALUES (?, ?, ?, ?, ?)"
)
_FORGET_CONN_ID_GROUPS = (
    "UPDATE conn_id_groups SET forgotten = 1 WHERE operation = ? AND forgotten = 0 AND at < ?"
)
_DROP_FORGOTTEN_GROUPS = (
    "DELETE FROM conn_id_groups WHERE operation = ? AND forgotten = 1 AND id < coalesce("
    "(SELECT min(id) FROM conn_id_groups WHERE operation = ? AND forgotten = 0), 1 << 62)"
)
"""Groups of remembered conn_ids (bot.adapters.store.conn_id_groups): read in write order;
forgotten, then deleted once no live group is older."""


def _transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` in one write transaction: all of it is committed, or none of it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result


def _upsert_alerts(alerts: Sequence[Alert], conn: sqlite3.Connection) -> None:
    conn.executemany(_UPSERT_ALERT, alert_rows(alerts))


class SQLiteStore(SoleLeases, Store):
    """A store in the SQLite file at `path` (`:memory:` for a throwaway one); `on_call`
    hears of every call (its name, duration, failure: the store latency metric)."""

    def __init__(
        self, *, path: str | os.PathLike[str], on_call: CallObserver | None = None
    ) -> None:
        self.on_call = on_call
        self._path = os.fspath(path)
        self._conn: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"SQLiteStore(path={self._path!r})"

    async def open(self) -> None:
        if self._executor is not None:
            return
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callbot-store")
        try:
            conn = await asyncio.get_running_loop().run_in_executor(executor, self._connect)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        self._conn, self._executor = conn, executor

    def _connect(self) -> sqlite3.Connection:
        path = self._path
        if path != MEMORY:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreOpenError(
                    f"cannot create the directory of the store {path}: {exc.strerror}"
                ) from exc
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
        except sqlite3.Error as exc:
            raise StoreOpenError(f"cannot open the store {path}: {exc}") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            migrate(conn, path=path)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.Error):
                raise StoreOpenError(f"cannot open the store {path}: {exc}") from exc
            raise
        return conn

    async def close(self) -> None:
        conn, executor = self._conn, self._executor
        if conn is None or executor is None:
            return
        self._conn = self._executor = None
        try:
            await asyncio.get_running_loop().run_in_executor(executor, conn.close)
        finally:
            executor.shutdown(wait=True)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        conn, executor = self._conn, self._executor
        if conn is None or executor is None:
            raise StoreClosedError(f"the store {self._path} is not open")

        def call() -> T:
            try:
                return work(conn)
            except sqlite3.OperationalError as exc:
                raise StoreBusyError(f"the store {self._path} refused: {exc}") from exc
            except sqlite3.Error as exc:
                raise StoreError(f"the store {self._path} failed: {exc}") from exc

        return await asyncio.get_running_loop().run_in_executor(executor, call)

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(lambda conn: _transaction(conn, work))

    @timed
    async def load(
        self, now: datetime, *, operation: str | None = None, since: datetime | None = None
    ) -> StoredState:
        to_micros(now, what="now")
        first = None if since is None else to_micros(since, what="since")

        def work(conn: sqlite3.Connection) -> StoredState:
            def rows(query: str, *, recent: bool = False) -> Iterable[Any]:
                head, order, tail = query.partition(" ORDER BY ")
                where = "(? IS NULL OR operation = ?)"
                values: tuple[object, ...] = (operation, operation)
                if recent:
                    where += " AND (? IS NULL OR minute >= ?)"
                    values += (first, first)
                return conn.execute(f"{head} WHERE {where}{order}{tail}", values)

            return assemble_state(
                alerts=rows("SELECT operation, rule, doc FROM alerts"),
                silences=conn.execute("SELECT id, doc FROM silences"),
                message_refs=conn.execute("SELECT incident_id, channel, ts FROM message_refs"),
                buckets=rows(
                    "SELECT operation, minute, call_type, result, count FROM buckets", recent=True
                ),
                minutes=rows("SELECT operation, minute FROM covered_minutes", recent=True),
                conn_id_groups=() if first is not None else rows(_SELECT_CONN_ID_GROUPS),
                budgets=rows("SELECT operation, day, used FROM budgets"),
                polls=rows(_SELECT_POLLS),
                digests=conn.execute("SELECT id, doc FROM digests"),
            )

        return await self._write(work)

    @timed
    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        op, log = cycle.operation, cycle.log

        def work(conn: sqlite3.Connection) -> list[int]:
            conn.executemany(_UPSERT_ALERT, alert_rows(cycle.alerts))
            conn.executemany(
                "INSERT INTO buckets (operation, minute, call_type, result, count) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (operation, minute, call_type, result) "
                "DO UPDATE SET count = excluded.count",
                bucket_rows(op, log.buckets),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO covered_minutes (operation, minute) VALUES (?, ?)",
                minute_rows(op, log.covered_minutes),
            )
            conn.executemany(_INSERT_CONN_ID_GROUP, group_rows(op, log.conn_ids))
            if log.forget_conn_ids_before is not None:
                forget = to_micros(log.forget_conn_ids_before, what="forget_conn_ids_before")
                conn.execute(_FORGET_CONN_ID_GROUPS, (op, forget))
                conn.execute(_DROP_FORGOTTEN_GROUPS, (op, op))
            if log.drop_minutes_before is not None:
                drop = to_micros(log.drop_minutes_before, what="drop_minutes_before")
                span = (op, drop)
                conn.execute("DELETE FROM buckets WHERE operation = ? AND minute < ?", span)
                conn.execute("DELETE FROM covered_minutes WHERE operation = ? AND minute < ?", span)
            if cycle.budget is not None:
                _, day, used = budget_row(op, cycle.budget)
                conn.execute("DELETE FROM budgets WHERE operation = ? AND day < ?", (op, day))
                conn.execute(
                    "INSERT INTO budgets (operation, day, used) VALUES (?, ?, ?) "
                    "ON CONFLICT (operation, day) DO UPDATE SET used = excluded.used",
                    (op, day, used),
                )
            if cycle.poll is not None:
                conn.execute(_REPLACE_POLL, poll_row(op, cycle.poll))
            for digest_id, text in digest_rows(cycle.digests):
                if text is None:
                    conn.execute("DELETE FROM digests WHERE id = ?", (digest_id,))
                else:
                    conn.execute(
                        "INSERT INTO digests (id, doc) VALUES (?, ?) "
                        "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                        (digest_id, text),
                    )
            conn.executemany(UPSERT_INCIDENT, incident_rows(cycle.incidents))
            return insert_outbox(conn, cycle.outbox)

        return await self._write(work)

    @timed
    async def commit_action(self, commit: ActionCommit) -> list[int] | None:
        upsert = partial(_upsert_alerts, commit.alerts)
        return await self._write(lambda conn: store_action(conn, commit, upsert, insert_outbox))

    @timed
    async def history(
        self,
        *,
        since: datetime,
        rule: str | None = None,
        operation: str | None = None,
        limit: int = 200,
    ) -> HistoryPage:
        query = HistoryQuery.of(since=since, rule=rule, operation=operation, limit=limit)
        return await self._run(query.run)

    @timed
    async def forget_history(self, before: datetime) -> None:
        cutoff = to_micros(before, what="before")
        await self._write(lambda conn: forget_history(conn, cutoff))

    @timed
    async def budget_used(self, operation: str, day: str) -> int:
        key = (operation, check_day(day))

        def work(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT used FROM budgets WHERE operation = ? AND day = ?", key
            ).fetchone()
            return 0 if row is None else int(row[0])

        return await self._run(work)

    @timed
    async def due_outbox(self, now: datetime, limit: int) -> list[OutboxRow]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        cutoff = to_micros(now, what="now")
        return await self._run(partial(due_rows, cutoff=cutoff, limit=limit))

    @timed
    async def oldest_outbox(self) -> OutboxRow | None:
        return await self._run(oldest_row)

    @timed
    async def complete(self, row_id: int, *, message: MessageRef | None) -> None:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM outbox WHERE id = ?", (row_id,))
            if message is not None:
                conn.execute(_UPSERT_REF, (message.incident_id, message.channel, message.ts))

        await self._write(work)

    @timed
    async def mark_attempted(self, row_id: int, *, error: str) -> bool:
        mark = "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?"
        return await self._write(lambda conn: conn.execute(mark, (error, row_id)).rowcount == 1)

    @timed
    async def defer(self, row_id: int, *, not_before: datetime, error: str) -> None:
        values = (to_micros(not_before, what="not_before"), error, row_id)
        later = (
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?"
        )
        await self._write(lambda conn: conn.execute(later, values))

    @timed
    async def outbox_depth(self) -> int:
        return await self._run(
            lambda conn: int(conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
        )

    @timed
    async def message_ref(self, incident_id: str) -> MessageRef | None:
        def work(conn: sqlite3.Connection) -> MessageRef | None:
            row = conn.execute(
                "SELECT incident_id, channel, ts FROM message_refs WHERE incident_id = ?",
                (incident_id,),
            ).fetchone()
            return None if row is None else decode_message_ref(row)

        return await self._run(work)

    @timed
    async def put_message_ref(self, ref: MessageRef) -> None:
        values = (ref.incident_id, ref.channel, ref.ts)
        await self._write(lambda conn: conn.execute(_UPSERT_REF, values))

    @timed
    async def put_context(self, operation: str, snapshot: QueueSnapshot | AgentSnapshot) -> bool:
        row = context_row(operation, snapshot)
        return await self._write(lambda conn: conn.execute(UPSERT_SQLITE, row).rowcount == 1)

    @timed
    async def load_context(self, operation: str | None = None) -> Mapping[str, StoredContext]:
        key = (operation, operation)
        return await self._run(lambda conn: stored_contexts(conn.execute(SELECT_SQLITE, key)))
