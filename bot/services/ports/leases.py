"""Leases: which replica polls an operation (issue 14), as the services see them.

Each token group's polling is held by one replica at a time through a lease (owner, epoch,
expiry): the operations sharing one Wolkvox token are one group, its lease named by a key
(the group's first operation by name, never the token; bot.services.lease_spread), and
every lease call below names that key as its `operation`. The holder renews it, writes
under it carry its epoch (a stale one is refused: `StaleLeaseError`,
bot.services.ports.store), and a new holder's first Wolkvox request waits for Wolkvox's
one-request-per-token rule (`Lease.first_request_at`). Replicas also say they
are alive (`heartbeat`), so each can count the others and take about its share.

PostgreSQL implements this for several replicas sharing one database; the memory and
SQLite stores are one process, which holds every lease (`shared` is False).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Lease:
    """This replica holds the lease named `operation` (a token group's key) at `epoch` until
    `expires_at`; it may send its first request at `first_request_at` (None: at once).
    Times are the database's clock."""

    operation: str
    owner: str
    epoch: int
    expires_at: datetime
    first_request_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LeaseRow:
    """Who holds (or last held) a lease, and until when."""

    owner: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LeaseBoard:
    """What every replica sees of the leases at one instant of the database's clock: the
    replicas alive (a heartbeat within the lease TTL) and each lease row, by key."""

    now: datetime
    replicas: frozenset[str]
    leases: Mapping[str, LeaseRow] = field(default_factory=dict)


class Leases(Protocol):
    """The lease table. Every call is its own transaction; errors are StoreErrors."""

    @property
    def shared(self) -> bool:
        """Whether other processes may hold leases too (False: this process holds all)."""
        ...

    @property
    def replica(self) -> str:
        """Who this store is in the lease table (host, process, a random tag)."""
        ...

    async def heartbeat(self, *, ttl: timedelta) -> LeaseBoard:
        """Record that this replica is alive now and read the board."""
        ...

    async def retire(self) -> None:
        """Say this replica is gone (a clean stop), so the others count one less at once."""
        ...

    async def acquire_lease(self, operation: str, *, ttl: timedelta) -> Lease | None:
        """Renew `operation`'s lease or take it when free or expired (None: another
        replica holds it). While held, the store's cycles of it are fenced by its epoch."""
        ...

    async def renew_leases(self, *, ttl: timedelta) -> Mapping[str, int]:
        """Extend every lease this replica holds that has not run out, in one go (a replica
        may hold hundreds); operation -> epoch of each one extended."""
        ...

    async def mark_request(self, lease: Lease, *, finished: bool) -> None:
        """A Wolkvox request under `lease` starts now, or the one started has ended
        (StaleLeaseError when the lease was taken over)."""
        ...

    async def release_lease(self, lease: Lease) -> None:
        """Give the lease up now; the next holder still honours Wolkvox's 60 s rule."""
        ...

    def fence_by(self, group_of: Callable[[str], str]) -> None:
        """Fence each cycle of an operation by the lease of its group, `group_of(operation)`
        (asked at each commit, so a reloaded configuration's groups count at once)."""
        ...


class RequestGuard(Protocol):
    """Asked by the Wolkvox client around every request it sends for an operation, so
    that only the lease holder sends, and the lease row knows when it last did."""

    async def before_request(self, operation: str) -> str | None:
        """None: send it (recorded as started); otherwise why it must not be sent."""
        ...

    async def after_request(self, operation: str) -> None:
        """The request got an answer (any answer, or none sent): it is not in flight."""
        ...
