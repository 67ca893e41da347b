"""The SQLite store's outbox: new rows, the rows due now in order per channel, the oldest.

One process drains a SQLite file, so a drainer only reads (no claims; a database several
replicas share claims its rows: bot.adapters.store.postgres_outbox).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.adapters.store.rows import decode_outbox, new_outbox_values
from bot.services.ports.store import NewOutboxRow, OutboxRow

_INSERT = (
    "INSERT INTO outbox (created_at, channel, incident_id, action, payload, not_before) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

_DUE = """
    WITH blocked AS (
        SELECT channel, min(id) AS first_id FROM outbox WHERE not_before > ? GROUP BY channel
    )
    SELECT o.id, o.created_at, o.channel, o.incident_id, o.action, o.payload,
           o.attempts, o.not_before, o.last_error
    FROM outbox AS o LEFT JOIN blocked AS b ON b.channel = o.channel
    WHERE o.not_before <= ? AND (b.first_id IS NULL OR o.id < b.first_id)
    ORDER BY o.id
    LIMIT ?
"""
_OLDEST = (
    "SELECT id, created_at, channel, incident_id, action, payload, attempts, not_before, "
    "last_error FROM outbox ORDER BY id LIMIT 1"
)


def due_rows(conn: sqlite3.Connection, *, cutoff: int, limit: int) -> list[OutboxRow]:
    """The contract's due rows at `cutoff` (microseconds), at most `limit`."""
    return [decode_outbox(row) for row in conn.execute(_DUE, (cutoff, cutoff, limit))]


def oldest_row(conn: sqlite3.Connection) -> OutboxRow | None:
    """The row that has waited longest, whatever its backoff."""
    row = conn.execute(_OLDEST).fetchone()
    return None if row is None else decode_outbox(row)


def insert_outbox(conn: sqlite3.Connection, rows: Sequence[NewOutboxRow]) -> list[int]:
    """Add `rows` in order inside the caller's transaction; their new ids."""
    ids = []
    for row in rows:
        cursor = conn.execute(_INSERT, new_outbox_values(row))
        assert cursor.lastrowid is not None
        ids.append(cursor.lastrowid)
    return ids
