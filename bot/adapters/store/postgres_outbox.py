"""Claiming outbox rows across replicas: each notification is delivered by one of them,
and a channel's notifications stay in order.

A replica claims whole channels, not loose rows. First it locks the oldest waiting row of
every channel (`FOR UPDATE SKIP LOCKED`: a channel another replica is claiming right now is
skipped, never waited for); then, in a second statement that sees every claim committed
before the locks were taken, it marks the due rows of those channels as its own and
returns them. A claim lasts its time to live by the database's clock (one clock for every
replica, whatever `now` a caller passes to look ahead). A row claimed by another replica
holds back its channel exactly as a deferred row does (see `Outbox.due_outbox`), so a later
update can never overtake, on another replica, the post it edits. `complete` deletes a row,
`defer` (a failed delivery) releases its channel, `close` releases every claim of the store.
`mark_attempted`, done before a row is sent, keeps and renews the claim, so no other
replica takes a row while it is in flight; it refuses a row the store no longer holds
(its claim expired and another replica took it over, or it was delivered), which is then
not sent. A replica that dies holding claims loses them when they expire, and the crash
recovery that finds an already posted message by its metadata covers the one row it may
have sent.
"""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.store.postgres_sql import Conn
from bot.adapters.store.rows import OutboxTuple, decode_outbox
from bot.services.ports.store import OutboxRow

CLAIM_TTL = timedelta(minutes=2)
"""How long a claim holds without being renewed (a drainer renews it at each batch)."""

_LOCK_CHANNEL_HEADS = """
    SELECT o.channel FROM outbox AS o
    WHERE o.id IN (SELECT min(id) FROM outbox GROUP BY channel)
    FOR UPDATE SKIP LOCKED
"""
_CLAIM_DUE = """
    WITH blocked AS (
        SELECT channel, min(id) AS first_id FROM outbox
        WHERE channel = ANY(%(channels)s::text[])
          AND (not_before > %(now)s
               OR (claimed_until > %(db_now)s AND claimed_by IS DISTINCT FROM %(me)s))
        GROUP BY channel
    ), due AS (
        SELECT o.id FROM outbox AS o LEFT JOIN blocked AS b ON b.channel = o.channel
        WHERE o.channel = ANY(%(channels)s::text[]) AND o.not_before <= %(now)s
          AND (b.first_id IS NULL OR o.id < b.first_id)
        ORDER BY o.id
        LIMIT %(limit)s
    )
    UPDATE outbox AS o SET claimed_by = %(me)s, claimed_until = %(until)s
    FROM due WHERE o.id = due.id
    RETURNING o.id, o.created_at, o.channel, o.incident_id, o.action, o.payload::text,
              o.attempts, o.not_before, o.last_error
"""
_DB_NOW = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
_MARK_ATTEMPTED = """
    UPDATE outbox SET attempts = attempts + 1, last_error = %(error)s,
        claimed_until = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + %(ttl)s
    WHERE id = %(id)s AND claimed_by = %(me)s
"""
_OLDEST = (
    "SELECT id, created_at, channel, incident_id, action, payload::text, attempts, not_before, "
    "last_error FROM outbox ORDER BY id LIMIT 1"
)
RELEASE = "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = %s"
RELEASE_CHANNEL = (
    "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = %(me)s "
    "AND channel = (SELECT channel FROM outbox WHERE id = %(id)s)"
)


async def claim_due(
    conn: Conn, *, me: str, now: int, limit: int, ttl: timedelta = CLAIM_TTL
) -> list[OutboxRow]:
    """Claim and return the rows `me` may deliver at `now` (inside the caller's
    transaction), for `ttl` by the database's clock."""
    cursor = await conn.execute(_LOCK_CHANNEL_HEADS)
    channels = [str(row[0]) for row in await cursor.fetchall()]
    if not channels:
        return []
    cursor = await conn.execute(_DB_NOW)
    found = await cursor.fetchone()
    assert found is not None
    db_now = int(found[0])
    until = db_now + ttl // timedelta(microseconds=1)
    params = {
        "channels": channels,
        "now": now,
        "db_now": db_now,
        "me": me,
        "until": until,
        "limit": limit,
    }
    cursor = await conn.execute(_CLAIM_DUE, params)
    rows: list[OutboxTuple] = await cursor.fetchall()
    return sorted((decode_outbox(row) for row in rows), key=lambda row: row.id)


async def mark_attempted(
    conn: Conn, *, me: str, row_id: int, error: str, ttl: timedelta = CLAIM_TTL
) -> bool:
    """Count an attempt at a row `me` holds and renew its claim for `ttl`; False (nothing
    changed) when `me` does not hold it any more."""
    params = {"error": error, "ttl": ttl // timedelta(microseconds=1), "id": row_id, "me": me}
    cursor = await conn.execute(_MARK_ATTEMPTED, params)
    return cursor.rowcount == 1


async def oldest(conn: Conn) -> OutboxRow | None:
    """The row that has waited longest, whoever holds it: a plain read, which claims nothing."""
    row: OutboxTuple | None = await (await conn.execute(_OLDEST)).fetchone()
    return None if row is None else decode_outbox(row)
