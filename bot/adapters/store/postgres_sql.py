"""The PostgreSQL store's statements and the writes of its transactions.

The same rows as SQLite (bot.adapters.store.rows encodes and validates them for both); the
functions run inside the caller's transaction, so a bad value raised half-way by an encoder
rolls the whole call back. Large parts of a cycle (call buckets, conn_ids, covered minutes)
go in one statement each as arrays (`unnest`), not one round trip per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, LiteralString

from psycopg import AsyncConnection
from psycopg.rows import TupleRow

from bot.adapters.store.conn_id_groups import group_rows
from bot.adapters.store.documents import fires_with
from bot.adapters.store.rows import (
    action_rows,
    alert_rows,
    assemble_state,
    bucket_rows,
    budget_row,
    digest_rows,
    incident_rows,
    minute_rows,
    new_outbox_values,
    poll_row,
    silence_upserts,
    to_micros,
)
from bot.services.ports.store import ActionCommit, CycleCommit, NewOutboxRow, StoredState

Conn = AsyncConnection[TupleRow]

UPSERT_ALERT = (
    "INSERT INTO alerts (operation, rule, doc) VALUES (%s, %s, %s::json) "
    "ON CONFLICT (operation, rule) DO UPDATE SET doc = excluded.doc"
)
UPSERT_REF = (
    "INSERT INTO message_refs (incident_id, channel, ts) VALUES (%s, %s, %s) "
    "ON CONFLICT (incident_id) DO UPDATE SET channel = excluded.channel, ts = excluded.ts"
)
UPSERT_INCIDENT = (
    "INSERT INTO incidents (id, rule, operation, started_at, ended_at, doc) "
    "VALUES (%s, %s, %s, %s, %s, %s::json) ON CONFLICT (id) DO UPDATE SET "
    "ended_at = excluded.ended_at, doc = excluded.doc"
)
SELECT_POLLS = (
    "SELECT operation, last_success_at, last_error, consecutive_failures, last_duration, "
    "last_attempt_at, last_error_kind, stopped, last_records, last_skipped, "
    "possibly_truncated FROM poll_status"
)
HISTORY_INCIDENTS = (
    "SELECT id, rule, operation, started_at, ended_at, doc::text FROM incidents "
    "WHERE (ended_at IS NULL OR ended_at >= %(since)s) "
    "AND (%(rule)s::text IS NULL OR rule = %(rule)s) "
    "AND (%(operation)s::text IS NULL OR operation = %(operation)s) "
    "ORDER BY started_at DESC, id DESC LIMIT %(limit)s"
)
HISTORY_ACTIONS = (
    "SELECT at, rule, operation, doc::text FROM actions WHERE at >= %(since)s "
    "AND (%(rule)s::text IS NULL OR rule = %(rule)s) "
    "AND (%(operation)s::text IS NULL OR operation IS NULL OR operation = %(operation)s) "
    "ORDER BY at DESC, id DESC LIMIT %(limit)s"
)
_ANSWER = (
    "UPDATE action_requests SET answer = %s, "
    "answered_at = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint "
    "WHERE id = %s AND answer IS NULL"
)
"""A request carried out by an action, answered with it (bot.adapters.store.postgres_requests)."""
_UPSERT_POLL = (
    "INSERT INTO poll_status (operation, last_success_at, last_error, consecutive_failures, "
    "last_duration, last_attempt_at, last_error_kind, stopped, last_records, last_skipped, "
    "possibly_truncated) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (operation) DO UPDATE SET last_success_at = excluded.last_success_at, "
    "last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures, "
    "last_duration = excluded.last_duration, last_attempt_at = excluded.last_attempt_at, "
    "last_error_kind = excluded.last_error_kind, stopped = excluded.stopped, "
    "last_records = excluded.last_records, last_skipped = excluded.last_skipped, "
    "possibly_truncated = excluded.possibly_truncated"
)
_UPSERT_BUCKETS = (
    "INSERT INTO buckets (operation, minute, call_type, result, count) "
    "SELECT %s, * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[]) "
    "ON CONFLICT (operation, minute, call_type, result) DO UPDATE SET count = excluded.count"
)
_INSERT_MINUTES = (
    "INSERT INTO covered_minutes (operation, minute) SELECT %s, * FROM unnest(%s::bigint[]) "
    "ON CONFLICT DO NOTHING"
)
SELECT_CONN_ID_GROUPS: LiteralString = (
    "SELECT operation, at, call_type, result, forgotten, conn_ids FROM conn_id_groups ORDER BY id"
)
_INSERT_CONN_ID_GROUPS = (
    "INSERT INTO conn_id_groups (operation, at, call_type, result, conn_ids) "
    "SELECT %s, * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])"
)
_FORGET_CONN_ID_GROUPS = (
    "UPDATE conn_id_groups SET forgotten = 1 WHERE operation = %s AND forgotten = 0 AND at < %s"
)
_DROP_FORGOTTEN_GROUPS = (
    "DELETE FROM conn_id_groups WHERE operation = %s AND forgotten = 1 AND id < coalesce("
    "(SELECT min(id) FROM conn_id_groups WHERE operation = %s AND forgotten = 0), "
    "9223372036854775807)"
)
"""Groups of remembered conn_ids (bot.adapters.store.conn_id_groups): read in write order;
forgotten, then deleted once no live group is older. A cycle's groups hold distinct conn_ids,
so the order of ids inside one statement does not matter; cycles of one operation never
commit concurrently (one monitor per operation, fenced by its lease)."""
_INSERT_OUTBOX = (
    "INSERT INTO outbox (created_at, channel, incident_id, action, payload, not_before) "
    "VALUES (%s, %s, %s, %s, %s::json, %s) RETURNING id"
)
_UPSERT_SILENCE = (
    "INSERT INTO silences (id, doc, ends_at) VALUES (%s, %s::json, %s) ON CONFLICT (id) "
    "DO UPDATE SET doc = excluded.doc, ends_at = excluded.ends_at"
)


def _columns(rows: Sequence[tuple[Any, ...]], width: int, skip: int = 1) -> list[list[Any]]:
    """Rows (each starting with `skip` constant columns) -> one list per remaining column."""
    return [[row[index] for row in rows] for index in range(skip, width)]


async def insert_outbox(conn: Conn, rows: Sequence[NewOutboxRow]) -> list[int]:
    ids = []
    for row in rows:
        cursor = await conn.execute(_INSERT_OUTBOX, new_outbox_values(row))
        found = await cursor.fetchone()
        assert found is not None
        ids.append(int(found[0]))
    return ids


async def upsert_alerts(conn: Conn, alerts: Sequence[Any]) -> None:
    rows = list(alert_rows(alerts))
    if rows:
        async with conn.cursor() as cursor:
            await cursor.executemany(UPSERT_ALERT, rows)


async def write_cycle(conn: Conn, cycle: CycleCommit) -> list[int]:
    """Every write of `cycle`; the caller's transaction makes it all or nothing."""
    op, log = cycle.operation, cycle.log
    await upsert_alerts(conn, cycle.alerts)
    buckets = list(bucket_rows(op, log.buckets))
    if buckets:
        await conn.execute(_UPSERT_BUCKETS, (op, *_columns(buckets, 5)))
    minutes = list(minute_rows(op, log.covered_minutes))
    if minutes:
        await conn.execute(_INSERT_MINUTES, (op, *_columns(minutes, 2)))
    groups = group_rows(op, log.conn_ids)
    if groups:
        await conn.execute(_INSERT_CONN_ID_GROUPS, (op, *_columns(groups, 5)))
    if log.forget_conn_ids_before is not None:
        forget = to_micros(log.forget_conn_ids_before, what="forget_conn_ids_before")
        await conn.execute(_FORGET_CONN_ID_GROUPS, (op, forget))
        await conn.execute(_DROP_FORGOTTEN_GROUPS, (op, op))
    if log.drop_minutes_before is not None:
        span = (op, to_micros(log.drop_minutes_before, what="drop_minutes_before"))
        await conn.execute("DELETE FROM buckets WHERE operation = %s AND minute < %s", span)
        await conn.execute("DELETE FROM covered_minutes WHERE operation = %s AND minute < %s", span)
    if cycle.budget is not None:
        _, day, used = budget_row(op, cycle.budget)
        await conn.execute("DELETE FROM budgets WHERE operation = %s AND day < %s", (op, day))
        await conn.execute(
            "INSERT INTO budgets (operation, day, used) VALUES (%s, %s, %s) "
            "ON CONFLICT (operation, day) DO UPDATE SET used = excluded.used",
            (op, day, used),
        )
    if cycle.poll is not None:
        await conn.execute(_UPSERT_POLL, poll_row(op, cycle.poll))
    for digest_id, text in digest_rows(cycle.digests):
        if text is None:
            await conn.execute("DELETE FROM digests WHERE id = %s", (digest_id,))
        else:
            await conn.execute(
                "INSERT INTO digests (id, doc) VALUES (%s, %s::json) "
                "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                (digest_id, text),
            )
    await _upsert_incidents(conn, list(incident_rows(cycle.incidents)))
    return await insert_outbox(conn, cycle.outbox)


async def _upsert_incidents(conn: Conn, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        async with conn.cursor() as cursor:
            await cursor.executemany(UPSERT_INCIDENT, rows)


async def write_action(conn: Conn, commit: ActionCommit) -> list[int] | None:
    """Every write of `commit`; the caller's transaction makes it all or nothing. None,
    writing nothing, when an alert of `commit.only_if_firing` no longer fires with its
    incident: its row is locked (`FOR UPDATE`, in key order) before it is read, so of two
    transactions with the same guard the later one waits and reads the earlier one's write."""
    for operation, rule, incident_id in sorted(commit.only_if_firing):
        cursor = await conn.execute(
            "SELECT doc::text FROM alerts WHERE operation = %s AND rule = %s FOR UPDATE",
            (operation, rule),
        )
        row = await cursor.fetchone()
        if not fires_with(None if row is None else row[0], incident_id):
            return None
    await upsert_alerts(conn, commit.alerts)
    async with conn.cursor() as cursor:
        silences = list(silence_upserts(commit.silences))
        if silences:
            await cursor.executemany(_UPSERT_SILENCE, silences)
        if commit.forget_silences:
            await cursor.execute(
                "DELETE FROM silences WHERE id = ANY(%s::text[])", (list(commit.forget_silences),)
            )
        actions = list(action_rows(commit.actions))
        if actions:
            await cursor.executemany(
                "INSERT INTO actions (at, rule, operation, doc) VALUES (%s, %s, %s, %s::json)",
                actions,
            )
    await _upsert_incidents(conn, list(incident_rows(commit.incidents)))
    if commit.answers:
        async with conn.cursor() as cursor:
            await cursor.executemany(_ANSWER, [(outcome, rid) for rid, outcome in commit.answers])
    return await insert_outbox(conn, commit.outbox)


async def read_state(conn: Conn, *, operation: str | None, since: int | None) -> StoredState:
    """What `PostgresStore.load` reads (in the caller's snapshot): every table, or one
    operation's rows; with `since` (epoch microseconds) only its newer buckets and covered
    minutes and no conn_ids."""
    params = {"op": operation, "since": since}

    async def rows(query: LiteralString, *, scoped: bool = True, recent: bool = False) -> list[Any]:
        if scoped:
            head, order, tail = query.partition(" ORDER BY ")
            query = head + " WHERE (%(op)s::text IS NULL OR operation = %(op)s)"
            if recent:
                query += " AND (%(since)s::bigint IS NULL OR minute >= %(since)s)"
            query += order + tail
        cursor = await conn.execute(query, params if scoped else None)
        return await cursor.fetchall()

    return assemble_state(
        alerts=await rows("SELECT operation, rule, doc::text FROM alerts"),
        silences=await rows("SELECT id, doc::text FROM silences", scoped=False),
        message_refs=await rows("SELECT incident_id, channel, ts FROM message_refs", scoped=False),
        buckets=await rows(
            "SELECT operation, minute, call_type, result, count FROM buckets", recent=True
        ),
        minutes=await rows("SELECT operation, minute FROM covered_minutes", recent=True),
        conn_id_groups=[] if since is not None else await rows(SELECT_CONN_ID_GROUPS),
        budgets=await rows("SELECT operation, day, used FROM budgets"),
        polls=await rows(SELECT_POLLS),
        digests=await rows("SELECT id, doc::text FROM digests", scoped=False),
    )
