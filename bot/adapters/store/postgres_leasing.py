"""The `Leases` port of the PostgreSQL store (a mixin of PostgresStore): each call one
transaction over the SQL of postgres_lease.py, timed like every store call. The leases
held are remembered, by key, so that `commit_cycle` fences its writes with the epoch of the
lease of the operation's token group (`fence_by`: operation -> key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TypeVar

from bot.adapters.store.postgres_lease import (
    acquire,
    heartbeat,
    mark_request,
    release,
    renew_all,
    retire,
)
from bot.adapters.store.postgres_sql import Conn
from bot.adapters.store.timing import CallObserver, timed
from bot.services.ports.leases import Lease, LeaseBoard

T = TypeVar("T")


class PostgresLeases:
    """Leases shared by every replica on the database; `_owner` names this one."""

    _owner: str
    _leases: dict[str, Lease]
    _group_of: Callable[[str], str]
    on_call: CallObserver | None

    async def _run(self, work: Callable[[Conn], Awaitable[T]], *, write: bool = True) -> T:
        raise NotImplementedError

    @property
    def shared(self) -> bool:
        return True

    @property
    def replica(self) -> str:
        return self._owner

    def fence_by(self, group_of: Callable[[str], str]) -> None:
        self._group_of = group_of

    def _fencing(self, operation: str) -> Lease | None:
        """The lease held here that fences a cycle of `operation` (its group's), if any."""
        return self._leases.get(self._group_of(operation))

    @timed
    async def heartbeat(self, *, ttl: timedelta) -> LeaseBoard:
        return await self._run(lambda conn: heartbeat(conn, me=self._owner, ttl=ttl))

    @timed
    async def retire(self) -> None:
        await self._run(lambda conn: retire(conn, me=self._owner))

    @timed
    async def acquire_lease(self, operation: str, *, ttl: timedelta) -> Lease | None:
        """Renew or take `operation`'s lease for this store (None: another replica holds
        it); while held, this store's cycles of the operation carry its epoch."""
        me = self._owner
        lease = await self._run(lambda conn: acquire(conn, operation=operation, me=me, ttl=ttl))
        if lease is None:
            self._leases.pop(operation, None)
        else:
            self._leases[operation] = lease
        return lease

    @timed
    async def renew_leases(self, *, ttl: timedelta) -> Mapping[str, int]:
        return await self._run(lambda conn: renew_all(conn, me=self._owner, ttl=ttl))

    @timed
    async def mark_request(self, lease: Lease, *, finished: bool) -> None:
        """A Wolkvox request under `lease` starts now, or has ended (see postgres_lease)."""
        await self._run(lambda conn: mark_request(conn, lease, finished=finished))

    @timed
    async def release_lease(self, lease: Lease) -> None:
        self._leases.pop(lease.operation, None)
        await self._run(lambda conn: release(conn, lease))
