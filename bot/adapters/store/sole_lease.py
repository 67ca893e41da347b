"""Leases for a store only one process uses (memory, SQLite): that process holds them all.

There is nobody to share with, so every lease is granted at once, never expires and is
never fenced; requests need no record. The leadership service still asks, so `callbot run`
has one code path whatever the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from bot.services.ports.leases import Lease, LeaseBoard

_NEVER = datetime.max.replace(tzinfo=UTC)
SOLE_REPLICA = "this-process"


class SoleLeases:
    """The `Leases` part of a one-process store (a mixin)."""

    @property
    def shared(self) -> bool:
        return False

    @property
    def replica(self) -> str:
        return SOLE_REPLICA

    async def heartbeat(self, *, ttl: timedelta) -> LeaseBoard:
        return LeaseBoard(now=datetime.now(UTC), replicas=frozenset({SOLE_REPLICA}))

    async def retire(self) -> None:
        return None

    async def acquire_lease(self, operation: str, *, ttl: timedelta) -> Lease | None:
        return Lease(operation, SOLE_REPLICA, 1, _NEVER)

    async def renew_leases(self, *, ttl: timedelta) -> Mapping[str, int]:
        return {}

    async def mark_request(self, lease: Lease, *, finished: bool) -> None:
        return None

    async def release_lease(self, lease: Lease) -> None:
        return None

    def fence_by(self, group_of: Callable[[str], str]) -> None:
        return None
