"""Claims and leases that run out when the test says so, not when a timer does.

The test moves a row's expiry into the past by the database's own clock, through a
connection of its own: no sleep, and nothing a loaded machine can make late or early (a
300 ms time to live could run out before the very next statement).
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from bot.adapters.store.rows import from_micros

DB_NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
"""The database's clock in microseconds, as the store's claims and leases count it."""


async def _execute(url: str, statement: str, params: tuple[object, ...] = ()) -> int:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        cursor = await conn.execute(statement, params)
        return cursor.rowcount


async def expire_claims(url: str) -> None:
    """Every outbox claim runs out now (its replica died, or paused past the claim)."""
    await _execute(
        url, f"UPDATE outbox SET claimed_until = {DB_NOW} - 1 WHERE claimed_by IS NOT NULL"
    )


async def expire_lease(url: str, operation: str) -> None:
    """`operation`'s lease runs out now (its holder died, or paused past the lease)."""
    changed = await _execute(
        url, f"UPDATE leases SET expires_at = {DB_NOW} - 1 WHERE operation = %s", (operation,)
    )
    assert changed == 1, f"no lease of {operation} to expire"


async def claims_until(url: str) -> tuple[datetime, list[datetime]]:
    """The database's clock now, and when each claimed outbox row's claim runs out."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        now = await (await conn.execute(f"SELECT {DB_NOW}")).fetchone()
        cursor = await conn.execute(
            "SELECT claimed_until FROM outbox WHERE claimed_by IS NOT NULL ORDER BY id"
        )
        until = [from_micros(int(row[0])) for row in await cursor.fetchall()]
    assert now is not None
    return from_micros(int(now[0])), until
