"""One poller per operation across replicas: the lease gate before each poll (issue 14).

The scheduler fires every operation's job on every replica; `Leadership.poll` decides,
before the cycle, whether this replica polls it now (bot.services.lease_spread): it renews
a lease it holds, takes a free or expired one within its share, and otherwise skips the
cycle. A lease newly taken first restores the operation's state from the store, so the
incident the previous holder opened goes on in its original message. Its first Wolkvox
request waits until Wolkvox's one-request-per-token rule allows it (`first_request_at`):
the cycle waits for it (at most 60 s, logged with its reason), holding the lease, and
requests asked meanwhile (context for a command) are not sent.

Between polls (poll periods are minutes, the lease TTL is 30 s) `run` renews the held leases
every third of a TTL and keeps this replica's heartbeat. The Wolkvox client asks
`before_request`/`after_request` around every request (the `RequestGuard` port), so only the
holder sends and the lease row knows when its last request started and whether it ended.
A commit refused for a stale epoch (another replica took over: fencing) drops the operation
here; nothing of that cycle was stored. `listeners` hear every gained or lost lease (the
metrics, and the replica's refresh of the operations it follows).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.services.lease_spread import LeaseMove, Spread, decide
from bot.services.monitor import LEASE_LOST, CycleReport
from bot.services.ports.leases import Lease, Leases
from bot.services.ports.store import StaleLeaseError, StoreError

log = logging.getLogger("callbot.leadership")

DEFAULT_LEASE_TTL = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class LeaseChange:
    """This replica gained (`lease` set) or lost (`lease` None) an operation's lease."""

    operation: str
    lease: Lease | None
    reason: str


class Leadership:
    """The lease gate of every poll, the renewal of held leases, and the request guard."""

    def __init__(
        self,
        *,
        leases: Leases,
        poll: Callable[[str], Awaitable[CycleReport]],
        operations: Callable[[], Iterable[str]],
        restore: Callable[[str], Awaitable[None]],
        ttl: timedelta = DEFAULT_LEASE_TTL,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._leases = leases
        self.sleep = sleep
        """How a new holder waits out Wolkvox's gap (a fake clock's in tests)."""
        self._poll = poll
        self._operations = operations
        self._restore = restore
        self.ttl = ttl
        self._held: dict[str, Lease] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.listeners: list[Callable[[LeaseChange], None]] = []

    @property
    def shared(self) -> bool:
        """Whether other replicas may hold leases (False: this process polls everything)."""
        return self._leases.shared

    @property
    def held(self) -> Mapping[str, Lease]:
        """The leases this replica holds now, by operation."""
        return dict(self._held)

    def holds(self, operation: str) -> bool:
        """Whether this replica polls `operation` now (the follower reloads the others)."""
        return operation in self._held

    def epochs(self) -> dict[str, int]:
        """operation -> epoch of each lease held (for /healthz and /metrics)."""
        return {op: lease.epoch for op, lease in sorted(self._held.items())}

    def _lock(self, operation: str) -> asyncio.Lock:
        return self._locks.setdefault(operation, asyncio.Lock())

    async def poll(self, operation: str) -> CycleReport | None:
        """The scheduler's job: poll `operation` when this replica holds its lease (taking
        it if it should), else skip (None)."""
        if not self.shared:
            if operation not in self._held:
                lease = await self._leases.acquire_lease(operation, ttl=self.ttl)
                if lease is not None:
                    self._gain(lease, "sole_process")
            return await self._poll(operation)
        async with self._lock(operation):
            move = await self._gate(operation)
        if isinstance(move, timedelta):
            # A new holder waits out Wolkvox's gap now rather than a whole poll period.
            await self.sleep(move.total_seconds())
            async with self._lock(operation):
                move = await self._gate(operation)
        if move is None or isinstance(move, timedelta):
            return None
        report = await self._poll(operation)
        if report.outcome == LEASE_LOST:
            self._lose(operation, "commit_fenced")
        elif move is LeaseMove.GIVE_BACK:
            await self._give_back(operation)
        return report

    async def _gate(self, operation: str) -> LeaseMove | timedelta | None:
        """Renew or take the lease and say how (None: skip this cycle, reason logged; a
        wait: the lease is held, but its first request must wait that long)."""
        try:
            board = await self._leases.heartbeat(ttl=self.ttl)
            spread = Spread.of(board, me=self._leases.replica, operations=self._operations())
            move = decide(operation, board, spread, ttl=self.ttl)
            if not move.polls:
                self._lose(operation, move.value)
                log.debug("event=poll_skipped operation=%s reason=%s", operation, move)
                return None
            lease = await self._leases.acquire_lease(operation, ttl=self.ttl)
            if lease is None:
                self._lose(operation, LeaseMove.HELD_ELSEWHERE.value)
                return None
            before = self._held.get(operation)
            if before is None or before.epoch != lease.epoch:
                await self._restore(operation)
                self._gain(lease, move.value)
            else:
                lease = replace(lease, first_request_at=before.first_request_at)
                self._held[operation] = lease
        except StoreError as exc:
            log.warning(
                "event=poll_skipped operation=%s reason=store_unavailable error=%s",
                operation,
                type(exc).__name__,
            )
            return None
        first = lease.first_request_at
        if first is not None:
            if board.now < first:
                log.info(
                    "event=poll_waits operation=%s reason=wolkvox_gap wait_s=%.0f",
                    operation,
                    (first - board.now).total_seconds(),
                )
                return first - board.now
            self._held[operation] = replace(lease, first_request_at=None)
        return move

    def _gain(self, lease: Lease, reason: str) -> None:
        self._held[lease.operation] = lease
        if self.shared:
            log.info(
                "event=lease_taken operation=%s epoch=%d reason=%s wait_until=%s",
                lease.operation,
                lease.epoch,
                reason,
                lease.first_request_at.isoformat() if lease.first_request_at else "-",
            )
        self._tell(LeaseChange(lease.operation, lease, reason))

    def _lose(self, operation: str, reason: str, *, let_go: bool = False) -> None:
        """Forget a held lease: lost to another replica, or (`let_go`) given up here."""
        lease = self._held.pop(operation, None)
        if lease is None:
            return
        log.log(
            logging.INFO if let_go else logging.WARNING,
            "event=%s operation=%s epoch=%d reason=%s",
            "lease_released" if let_go else "lease_lost",
            operation,
            lease.epoch,
            reason,
        )
        self._tell(LeaseChange(operation, None, reason))

    def _tell(self, change: LeaseChange) -> None:
        for listener in self.listeners:
            try:
                listener(change)
            except Exception as exc:
                log.error(
                    "event=lease_listener_failed operation=%s error=%s",
                    change.operation,
                    type(exc).__name__,
                )

    async def _give_back(self, operation: str) -> None:
        async with self._lock(operation):
            lease = self._held.get(operation)
            if lease is not None:
                await self._release(operation, lease, LeaseMove.GIVE_BACK.value)

    async def renew(self) -> None:
        """Keep this replica's heartbeat and every held lease alive (one statement for all
        of them, however many); let go of those of operations no longer configured, and
        forget those another replica took or that ran out."""
        if not self.shared:
            return
        try:
            await self._leases.heartbeat(ttl=self.ttl)
        except StoreError as exc:
            log.warning("event=heartbeat_failed error=%s", type(exc).__name__)
        configured = set(self._operations())
        for operation, lease in list(self._held.items()):
            if operation not in configured:
                async with self._lock(operation):
                    if self._held.get(operation) is lease:
                        await self._release(operation, lease, "not_configured")
        before = dict(self._held)
        try:
            renewed = await self._leases.renew_leases(ttl=self.ttl)
        except StoreError as exc:
            log.warning("event=lease_renew_failed error=%s", type(exc).__name__)
            return
        for operation, lease in before.items():
            if self._held.get(operation) is not lease:
                continue  # a gate or a release changed it meanwhile: theirs to judge
            if renewed.get(operation) != lease.epoch:
                self._lose(operation, "taken_over")

    async def _release(self, operation: str, lease: Lease, reason: str) -> None:
        try:
            await self._leases.release_lease(lease)
        except StoreError as exc:
            log.warning(
                "event=lease_release_failed operation=%s error=%s", operation, type(exc).__name__
            )
        self._lose(operation, reason, let_go=True)

    async def run(self, stop: asyncio.Event) -> None:
        """Renew every third of a TTL until `stop` is set."""
        if not self.shared:
            return
        every = self.ttl.total_seconds() / 3
        while not stop.is_set():
            await self.renew()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    async def release_all(self) -> None:
        """A clean stop: give every lease back and leave the replicas' count, so another
        replica takes over at its next poll instead of after the TTL."""
        if not self.shared:
            self._held.clear()
            return
        for operation in list(self._held):
            async with self._lock(operation):
                lease = self._held.get(operation)
                if lease is not None:
                    await self._release(operation, lease, "stopping")
        try:
            await self._leases.retire()
        except StoreError as exc:
            log.warning("event=retire_failed error=%s", type(exc).__name__)

    async def before_request(self, operation: str) -> str | None:
        """The request guard: only the holder sends, once Wolkvox's gap has passed, and
        its start is recorded on the lease row first (fenced)."""
        if not self.shared:
            return None
        lease = self._held.get(operation)
        if lease is None:
            return (
                f"not sent: this replica does not hold the lease of operation {operation} "
                "(another replica polls it)"
            )
        if lease.first_request_at is not None:
            return (
                f"not sent: the previous holder of operation {operation} may still have a "
                "request in flight (Wolkvox allows one per token; 60 s limit)"
            )
        try:
            await self._leases.mark_request(lease, finished=False)
        except StaleLeaseError:
            self._lose(operation, "request_fenced")
            return f"not sent: another replica took over operation {operation}"
        except StoreError as exc:
            return f"not sent: the store could not record the request ({type(exc).__name__})"
        return None

    async def after_request(self, operation: str) -> None:
        """The request ended (answered, refused, never connected): record it as finished."""
        lease = self._held.get(operation)
        if not self.shared or lease is None:
            return
        try:
            await self._leases.mark_request(lease, finished=True)
        except StoreError as exc:
            log.warning(
                "event=request_mark_failed operation=%s error=%s", operation, type(exc).__name__
            )
