"""Leases: which replica polls a token group, with fencing and Wolkvox's 60 s rule.

One row per lease (migration 3): its `operation` column holds the lease's key, the first
operation by name of those sharing one token (bot.config.lease_groups; never the token), so
one row covers every request on the token; its holder (`owner`), an `epoch` raised at
every change of holder, when the lease runs out (`expires_at`, by the database's clock, so
the replicas' own clocks never matter), and when the holder last started a Wolkvox request
on the token and whether that request is known to have finished. No session advisory
locks: they belong to one connection, and a pooled connection is shared out and replaced.

- `acquire` renews a lease its caller holds, takes one that is free or expired (epoch + 1),
  or answers None while another replica holds it. A new holder learns the earliest time it
  may send its first request: 60 s after the previous holder's last request started, unless
  that request is known to have finished (Wolkvox allows one request per token at a time,
  and a paused or crashed holder's request may still be in flight).
- Writes made under a lease carry its epoch (`fence`): in the same transaction the lease row
  is read `FOR SHARE`, so a write from a holder that has since lost the lease (a paused old
  leader) is refused, and a takeover waits for a write in progress to end.
"""

from __future__ import annotations

from datetime import timedelta

from bot.adapters.store.postgres_sql import Conn
from bot.adapters.store.rows import from_micros
from bot.services.ports.leases import Lease, LeaseBoard, LeaseRow
from bot.services.ports.store import StaleLeaseError

WOLKVOX_GAP = timedelta(seconds=60)
"""Wolkvox's one-request-per-token rule: a new holder's first request waits this long after
the previous holder's last one started, unless it is known to have finished."""
_MICRO = timedelta(microseconds=1)
_DB_NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"


async def acquire(conn: Conn, *, operation: str, me: str, ttl: timedelta) -> Lease | None:
    """Renew or take the lease of `operation` (inside the caller's transaction)."""
    await conn.execute(
        "INSERT INTO leases (operation, owner, epoch, expires_at) VALUES (%s, '', 0, 0) "
        "ON CONFLICT (operation) DO NOTHING",
        (operation,),
    )
    cursor = await conn.execute(
        f"SELECT owner, epoch, expires_at, last_request_at, request_done, {_DB_NOW} "  # noqa: S608
        "FROM leases WHERE operation = %s FOR UPDATE",
        (operation,),
    )
    row = await cursor.fetchone()
    assert row is not None
    owner, epoch, expires_at, last_request_at, request_done, now = row
    until = int(now) + ttl // _MICRO
    if owner == me and expires_at > now:
        await conn.execute(
            "UPDATE leases SET expires_at = %s WHERE operation = %s", (until, operation)
        )
        return Lease(operation, me, int(epoch), from_micros(until))
    if owner != me and expires_at > now:
        return None
    first = None
    if last_request_at is not None and not request_done:
        first = from_micros(int(last_request_at)) + WOLKVOX_GAP
    await conn.execute(
        "UPDATE leases SET owner = %s, epoch = epoch + 1, expires_at = %s WHERE operation = %s",
        (me, until, operation),
    )
    return Lease(operation, me, int(epoch) + 1, from_micros(until), first)


async def renew_all(conn: Conn, *, me: str, ttl: timedelta) -> dict[str, int]:
    """Extend every lease `me` holds that has not expired (one statement, whatever their
    number); operation -> epoch of those extended. An expired one is not: another replica
    may have taken it already, and `acquire` says so."""
    cursor = await conn.execute(
        f"UPDATE leases SET expires_at = {_DB_NOW} + %s "  # noqa: S608
        f"WHERE owner = %s AND expires_at > {_DB_NOW} RETURNING operation, epoch",
        (ttl // _MICRO, me),
    )
    return {str(op): int(epoch) for op, epoch in await cursor.fetchall()}


async def fence(conn: Conn, lease: Lease) -> None:
    """Refuse the caller's transaction unless `lease` still holds (StaleLeaseError)."""
    cursor = await conn.execute(
        "SELECT 1 FROM leases WHERE operation = %s AND owner = %s AND epoch = %s FOR SHARE",
        (lease.operation, lease.owner, lease.epoch),
    )
    if await cursor.fetchone() is None:
        raise StaleLeaseError(
            f"the lease of operation {lease.operation} (epoch {lease.epoch}) was taken over: "
            "this replica's write is refused"
        )


async def mark_request(conn: Conn, lease: Lease, *, finished: bool) -> None:
    """Record that the holder starts a Wolkvox request now (`finished=False`), or that the
    one it started has ended (`finished=True`); fenced like every write under a lease."""
    await fence(conn, lease)
    if finished:
        await conn.execute(
            "UPDATE leases SET request_done = true WHERE operation = %s", (lease.operation,)
        )
    else:
        await conn.execute(
            f"UPDATE leases SET last_request_at = {_DB_NOW}, request_done = false "  # noqa: S608
            "WHERE operation = %s",
            (lease.operation,),
        )


async def release(conn: Conn, lease: Lease) -> None:
    """Give the lease up at once (a clean stop, or a share given back); the next holder
    still honours the 60 s rule for a request that did not finish. It expires *now*, not
    long ago: for one TTL it is free for a replica below its share, only then for anyone
    (see bot.services.lease_spread), so the replica giving it back does not take it again."""
    await conn.execute(
        f"UPDATE leases SET expires_at = least(expires_at, {_DB_NOW}) "  # noqa: S608
        "WHERE operation = %s AND owner = %s AND epoch = %s",
        (lease.operation, lease.owner, lease.epoch),
    )


async def heartbeat(conn: Conn, *, me: str, ttl: timedelta) -> LeaseBoard:
    """Record that replica `me` is alive now (table `replicas`, migration 6) and read the
    board: the replicas seen within `ttl` and every lease row, by the database's clock."""
    cursor = await conn.execute(
        f"INSERT INTO replicas (replica, seen_at) VALUES (%s, {_DB_NOW}) "  # noqa: S608
        "ON CONFLICT (replica) DO UPDATE SET seen_at = excluded.seen_at RETURNING seen_at",
        (me,),
    )
    row = await cursor.fetchone()
    assert row is not None
    now = int(row[0])
    cursor = await conn.execute(
        "SELECT replica FROM replicas WHERE seen_at > %s", (now - ttl // _MICRO,)
    )
    replicas = frozenset(str(r[0]) for r in await cursor.fetchall())
    cursor = await conn.execute("SELECT operation, owner, expires_at FROM leases")
    leases = {
        str(op): LeaseRow(str(owner), from_micros(int(expires)))
        for op, owner, expires in await cursor.fetchall()
    }
    return LeaseBoard(now=from_micros(now), replicas=replicas, leases=leases)


async def retire(conn: Conn, *, me: str) -> None:
    """Forget replica `me` (a clean stop): the others count one replica less at once."""
    await conn.execute("DELETE FROM replicas WHERE replica = %s", (me,))
