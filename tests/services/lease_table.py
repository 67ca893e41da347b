"""A hand-written lease table several fake replicas share, on a clock the test moves.

It keeps the PostgreSQL lease rules (bot.adapters.store.postgres_lease) in plain Python:
renew at the same epoch, take a free or expired lease at epoch + 1 with the earliest first
request 60 s after a request that may still be in flight, fence a stale holder, release to
"expired now". The real rows are tested against a real server in
tests/adapters/store/test_postgres_leadership.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.services.ports.leases import Lease, LeaseBoard, LeaseRow
from bot.services.ports.store import StaleLeaseError

GAP = timedelta(seconds=60)
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Row:
    owner: str = ""
    epoch: int = 0
    expires_at: datetime = NEVER
    last_request_at: datetime | None = None
    request_done: bool = True


@dataclass
class LeaseTable:
    now: datetime
    rows: dict[str, Row] = field(default_factory=dict)
    seen: dict[str, datetime] = field(default_factory=dict)

    def expire(self, owner: str) -> None:
        """`owner` died long ago: its heartbeat and leases ran out more than a TTL back."""
        self.seen.pop(owner, None)
        for row in self.rows.values():
            if row.owner == owner:
                row.expires_at = NEVER


class FakeLeases:
    """One replica's view of the shared table (what its PostgresStore would do)."""

    def __init__(self, table: LeaseTable, me: str) -> None:
        self.table = table
        self.me = me
        self.marks: list[tuple[str, bool]] = []

    @property
    def shared(self) -> bool:
        return True

    @property
    def replica(self) -> str:
        return self.me

    async def heartbeat(self, *, ttl: timedelta) -> LeaseBoard:
        now = self.table.now
        self.table.seen[self.me] = now
        live = frozenset(r for r, at in self.table.seen.items() if at > now - ttl)
        rows = {op: LeaseRow(row.owner, row.expires_at) for op, row in self.table.rows.items()}
        return LeaseBoard(now=now, replicas=live, leases=rows)

    async def retire(self) -> None:
        self.table.seen.pop(self.me, None)

    async def acquire_lease(self, operation: str, *, ttl: timedelta) -> Lease | None:
        now = self.table.now
        row = self.table.rows.setdefault(operation, Row())
        if row.owner == self.me and row.expires_at > now:
            row.expires_at = now + ttl
            return Lease(operation, self.me, row.epoch, row.expires_at)
        if row.expires_at > now:
            return None
        first = None
        if row.last_request_at is not None and not row.request_done:
            first = row.last_request_at + GAP
        row.owner, row.epoch, row.expires_at = self.me, row.epoch + 1, now + ttl
        return Lease(operation, self.me, row.epoch, row.expires_at, first)

    async def renew_leases(self, *, ttl: timedelta) -> dict[str, int]:
        now = self.table.now
        renewed = {}
        for op, row in self.table.rows.items():
            if row.owner == self.me and row.expires_at > now:
                row.expires_at = now + ttl
                renewed[op] = row.epoch
        return renewed

    async def mark_request(self, lease: Lease, *, finished: bool) -> None:
        row = self.table.rows.get(lease.operation)
        if row is None or (row.owner, row.epoch) != (lease.owner, lease.epoch):
            raise StaleLeaseError(f"lease of {lease.operation} taken over")
        self.marks.append((lease.operation, finished))
        if finished:
            row.request_done = True
        else:
            row.last_request_at, row.request_done = self.table.now, False

    async def release_lease(self, lease: Lease) -> None:
        row = self.table.rows.get(lease.operation)
        if row is not None and (row.owner, row.epoch) == (lease.owner, lease.epoch):
            row.expires_at = min(row.expires_at, self.table.now)
