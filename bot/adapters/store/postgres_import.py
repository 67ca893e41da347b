"""`callbot migrate`: copy a SQLite store into an empty PostgreSQL one, row for row.

Both schemas spell the same rows in the same columns (times as epoch microseconds,
documents as JSON text), so the copy moves rows, not domain objects: a row this callbot
could not read back is carried over as it is, outbox rows keep their ids, attempts, backoff
and last error, and actions keep their order. Identity counters continue past the highest
id SQLite ever gave (its `sqlite_sequence`), so no id is reused. Everything is written in
one PostgreSQL transaction: a failed copy leaves the database as empty as it was.

The SQLite file is first opened as the bot opens it (which migrates an older file), then
read in one read transaction. Stop the bot before copying: what it writes afterwards to
the SQLite file is not copied.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.config.store_url import redact_error, redact_url
from bot.services.ports.store import StoreError

TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("alerts", ("operation", "rule", "doc")),
    ("silences", ("id", "doc", "ends_at")),
    ("message_refs", ("incident_id", "channel", "ts")),
    ("buckets", ("operation", "minute", "call_type", "result", "count")),
    ("covered_minutes", ("operation", "minute")),
    (
        "conn_id_groups",
        ("id", "operation", "at", "call_type", "result", "forgotten", "conn_ids"),
    ),
    ("budgets", ("operation", "day", "used")),
    ("context_snapshots", ("operation", "kind", "at", "doc")),
    (
        "poll_status",
        (
            "operation",
            "last_success_at",
            "last_error",
            "consecutive_failures",
            "last_duration",
            "last_attempt_at",
            "last_error_kind",
            "stopped",
            "last_records",
            "last_skipped",
            "possibly_truncated",
        ),
    ),
    (
        "outbox",
        (
            "id",
            "created_at",
            "channel",
            "incident_id",
            "action",
            "payload",
            "attempts",
            "not_before",
            "last_error",
        ),
    ),
    ("digests", ("id", "doc")),
    ("incidents", ("id", "rule", "operation", "started_at", "ended_at", "doc")),
    ("actions", ("id", "at", "rule", "operation", "doc")),
)
"""Every table of the store and the columns both schemas share, in copy order."""

IDENTITIES = ("outbox", "actions", "conn_id_groups")


class MigrateError(StoreError):
    """The copy cannot be made (no source, a target that already holds data, ...)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    rows: dict[str, list[tuple[object, ...]]]
    next_ids: dict[str, int]


def read_sqlite(path: Path) -> Snapshot:
    """Every row of the SQLite store at `path`, in one read transaction."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    try:
        conn.execute("BEGIN")
        rows = {
            table: conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()  # noqa: S608
            for table, columns in TABLES
        }
        sequences = dict(conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        conn.execute("COMMIT")
    finally:
        conn.close()
    next_ids = {}
    for table in IDENTITIES:
        highest = max((int(str(row[0])) for row in rows[table]), default=0)
        next_ids[table] = max(highest, int(sequences.get(table, 0))) + 1
    return Snapshot(rows=rows, next_ids=next_ids)


async def _write(conn: psycopg.AsyncConnection[tuple[object, ...]], snapshot: Snapshot) -> None:
    for table, _ in TABLES:
        cursor = await conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        )
        found = await cursor.fetchone()
        if found is not None and found[0]:
            raise MigrateError(
                f"the database already holds callbot data ({found[0]} rows in {table}): "
                "migrate into an empty one, never over a running deployment"
            )
    for table, columns in TABLES:
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        async with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in snapshot.rows[table]:
                await copy.write_row(row)
    for table, next_id in snapshot.next_ids.items():
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", (table, next_id)
        )


async def migrate_sqlite_to_postgres(source: Path, target_url: str) -> dict[str, int]:
    """Copy the SQLite store at `source` into the (empty) PostgreSQL store at `target_url`;
    return how many rows each table received."""
    if not await asyncio.to_thread(source.is_file):
        raise MigrateError(f"{source}: no such SQLite store")
    sqlite_store = SQLiteStore(path=source)
    await sqlite_store.open()  # migrates an older file, as the bot would at start
    await sqlite_store.close()
    snapshot = await asyncio.to_thread(read_sqlite, source)
    target = PostgresStore(url=target_url)
    await target.open()  # creates the schema
    await target.close()
    try:
        connect = psycopg.AsyncConnection.connect(target_url, connect_timeout=10)
        async with await connect as conn, conn.transaction():
            await _write(conn, snapshot)
    except psycopg.Error as exc:
        where = redact_url(target_url)
        raise MigrateError(
            f"copy into {where} failed, nothing was written: {redact_error(str(exc), target_url)}"
        ) from None
    return {table: len(rows) for table, rows in snapshot.rows.items()}
