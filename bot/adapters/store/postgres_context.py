"""The latest queue and agent snapshots on PostgreSQL (bot.services.ports.snapshots): the
statements `PostgresStore.put_context` and `load_context` run in their transactions."""

from __future__ import annotations

from bot.adapters.store.context_rows import (
    SELECT_POSTGRES,
    UPSERT_POSTGRES,
    ContextRow,
    stored_contexts,
)
from bot.adapters.store.postgres_sql import Conn
from bot.services.ports.snapshots import StoredContext


async def put_context_row(conn: Conn, row: ContextRow) -> bool:
    """Keep `row` unless a snapshot taken at the same time or later is stored."""
    cursor = await conn.execute(UPSERT_POSTGRES, row)
    return cursor.rowcount == 1


async def load_context_rows(conn: Conn, operation: str | None) -> dict[str, StoredContext]:
    cursor = await conn.execute(SELECT_POSTGRES, (operation, operation))
    return stored_contexts(await cursor.fetchall())
