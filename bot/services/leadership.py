"""One poller per Wolkvox token across replicas: the lease gate before each poll (issue 14).

A lease covers a token group, the operations that share one token (same server and token):
`group_of(operation)` names its lease (the group's first operation by name, never the
token), so two operations on one token are always polled by the same replica, and the
Wolkvox client of that replica sends their requests one at a time (its lock per token).
Held leases, their locks, and every acquire, renewal and release are per group; what is
said about them (`holds`, `epochs`, the listeners, so the metrics and the follower) is per
operation, each operation of a held group counting as held.

The scheduler fires every operation's job on every replica; `Leadership.poll` decides,
before the cycle, whether this replica polls it now (bot.services.lease_spread): it renews
its group's lease when held, takes a free or expired one within its share, and otherwise
skips the cycle. A lease newly taken first restores the state of every operation of the
group from the store, so the incident the previous holder opened goes on in its original
message. Its first Wolkvox request waits until Wolkvox's one-request-per-token rule allows
it (`first_request_at`): the cycle waits for it (at most 60 s, logged with its reason),
holding the lease, and requests asked meanwhile (context for a command) are not sent.

Between polls (poll periods are minutes, the lease TTL is 30 s) `run` renews the held leases
every third of a TTL and keeps this replica's heartbeat. The Wolkvox client asks
`before_request`/`after_request` around every request (the `RequestGuard` port), so only the
group's holder sends and the group's lease row knows when its last request on the token
started and whether it ended. A commit refused for a stale epoch (another replica took
over: fencing) drops the group here; nothing of that cycle was stored. `listeners` hear
every gained or lost lease, once per operation of the group (the metrics, and the replica's
refresh of the operations it follows).
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
    """This replica gained (`lease` set) or lost (`lease` None) the lease covering
    `operation` (its token group's: one change per operation of the group)."""

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
        group_of: Callable[[str], str] = str,
    ) -> None:
        """`group_of` names the lease of an operation (its token group's key; by default
        each operation is its own group); it is asked at each call, so a reloaded
        configuration's groups count at once."""
        self._leases = leases
        self.sleep = sleep
        """How a new holder waits out Wolkvox's gap (a fake clock's in tests)."""
        self._poll = poll
        self._operations = operations
        self._restore = restore
        self._group_of = group_of
        self.ttl = ttl
        self._held: dict[str, Lease] = {}
        self._covers: dict[str, set[str]] = {}
        """key -> the operations restored under the held lease (announced as held)."""
        self._polling: dict[str, int] = {}
        """key -> cycles of the group running here (a lease is given back when none is)."""
        self._locks: dict[str, asyncio.Lock] = {}
        self.listeners: list[Callable[[LeaseChange], None]] = []

    @property
    def shared(self) -> bool:
        """Whether other replicas may hold leases (False: this process polls everything)."""
        return self._leases.shared

    @property
    def held(self) -> Mapping[str, Lease]:
        """The leases this replica holds now, by key (one per token group)."""
        return dict(self._held)

    def holds(self, operation: str) -> bool:
        """Whether this replica polls `operation` now, holding its group's lease (the
        follower reloads the others)."""
        return self._group_of(operation) in self._held

    def epochs(self) -> dict[str, int]:
        """operation -> epoch of the lease covering it, for each operation this replica
        polls (for /healthz and /metrics)."""
        epochs = {}
        for op in sorted(set(self._operations())):
            lease = self._held.get(self._group_of(op))
            if lease is not None:
                epochs[op] = lease.epoch
        return epochs

    def _members(self, key: str) -> list[str]:
        """The operations configured now whose lease is `key`, by name."""
        return sorted({op for op in self._operations() if self._group_of(op) == key})

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def poll(self, operation: str) -> CycleReport | None:
        """The scheduler's job: poll `operation` when this replica holds its group's lease
        (taking it if it should), else skip (None)."""
        key = self._group_of(operation)
        if not self.shared:
            if key not in self._held:
                lease = await self._leases.acquire_lease(key, ttl=self.ttl)
                if lease is not None:
                    self._gain(lease, self._members(key), "sole_process")
            return await self._poll(operation)
        async with self._lock(key):
            move = await self._gate(operation, key)
        if isinstance(move, timedelta):
            # A new holder waits out Wolkvox's gap now rather than a whole poll period.
            await self.sleep(move.total_seconds())
            async with self._lock(key):
                move = await self._gate(operation, key)
        if move is None or isinstance(move, timedelta):
            return None
        self._polling[key] = self._polling.get(key, 0) + 1
        try:
            report = await self._poll(operation)
        finally:
            self._polling[key] -= 1
        if report.outcome == LEASE_LOST:
            self._lose(key, "commit_fenced")
        elif move is LeaseMove.GIVE_BACK:
            await self._give_back(key)
        return report

    async def _gate(self, operation: str, key: str) -> LeaseMove | timedelta | None:
        """Renew or take the lease `key` of `operation`'s group and say how (None: skip
        this cycle, reason logged; a wait: the lease is held, but its first request must
        wait that long)."""
        try:
            board = await self._leases.heartbeat(ttl=self.ttl)
            spread = Spread.of(
                board,
                me=self._leases.replica,
                operations=self._operations(),
                group_of=self._group_of,
            )
            move = decide(key, board, spread, ttl=self.ttl)
            if not move.polls:
                self._lose(key, move.value)
                log.debug(
                    "event=poll_skipped operation=%s lease=%s reason=%s", operation, key, move
                )
                return None
            lease = await self._leases.acquire_lease(key, ttl=self.ttl)
            if lease is None:
                self._lose(key, LeaseMove.HELD_ELSEWHERE.value)
                return None
            before = self._held.get(key)
            if before is None or before.epoch != lease.epoch:
                members = self._members(key)
                for member in members:
                    await self._restore(member)
                self._gain(lease, members, move.value)
            else:
                lease = replace(lease, first_request_at=before.first_request_at)
                self._held[key] = lease
                if operation not in self._covers.setdefault(key, set()):
                    # Joined the group by a reload: polled elsewhere until now.
                    await self._restore(operation)
                    self._covers[key].add(operation)
                    self._tell(LeaseChange(operation, lease, move.value))
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
                    "event=poll_waits operation=%s lease=%s reason=wolkvox_gap wait_s=%.0f",
                    operation,
                    key,
                    (first - board.now).total_seconds(),
                )
                return first - board.now
            self._held[key] = replace(lease, first_request_at=None)
        return move

    def _gain(self, lease: Lease, members: list[str], reason: str) -> None:
        """Hold `lease` (its key `lease.operation`) for `members`, restored already."""
        self._held[lease.operation] = lease
        self._covers[lease.operation] = set(members)
        if self.shared:
            log.info(
                "event=lease_taken lease=%s operations=%s epoch=%d reason=%s wait_until=%s",
                lease.operation,
                ",".join(members),
                lease.epoch,
                reason,
                lease.first_request_at.isoformat() if lease.first_request_at else "-",
            )
        for member in members:
            self._tell(LeaseChange(member, lease, reason))

    def _lose(self, key: str, reason: str, *, let_go: bool = False) -> None:
        """Forget a held lease: lost to another replica, or (`let_go`) given up here."""
        lease = self._held.pop(key, None)
        members = sorted(self._covers.pop(key, set()))
        if lease is None:
            return
        log.log(
            logging.INFO if let_go else logging.WARNING,
            "event=%s lease=%s operations=%s epoch=%d reason=%s",
            "lease_released" if let_go else "lease_lost",
            key,
            ",".join(members),
            lease.epoch,
            reason,
        )
        for member in members:
            self._tell(LeaseChange(member, None, reason))

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

    async def _give_back(self, key: str) -> None:
        """Release a lease above the share once no cycle of its group runs here (a request
        of another operation of the group may be in flight: the next poll decides again)."""
        async with self._lock(key):
            lease = self._held.get(key)
            if lease is not None and not self._polling.get(key):
                await self._release(key, lease, LeaseMove.GIVE_BACK.value)

    async def renew(self) -> None:
        """Keep this replica's heartbeat and every held lease alive (one statement for all
        of them, however many); let go of those no group of the configuration is named by
        any more (operations removed, tokens changed), and forget those another replica
        took or that ran out."""
        if not self.shared:
            return
        try:
            await self._leases.heartbeat(ttl=self.ttl)
        except StoreError as exc:
            log.warning("event=heartbeat_failed error=%s", type(exc).__name__)
        configured = {self._group_of(op) for op in self._operations()}
        for key, lease in list(self._held.items()):
            if key not in configured:
                async with self._lock(key):
                    if self._held.get(key) is lease:
                        await self._release(key, lease, "not_configured")
        before = dict(self._held)
        try:
            renewed = await self._leases.renew_leases(ttl=self.ttl)
        except StoreError as exc:
            log.warning("event=lease_renew_failed error=%s", type(exc).__name__)
            return
        for key, lease in before.items():
            if self._held.get(key) is not lease:
                continue  # a gate or a release changed it meanwhile: theirs to judge
            if renewed.get(key) != lease.epoch:
                self._lose(key, "taken_over")

    async def _release(self, key: str, lease: Lease, reason: str) -> None:
        try:
            await self._leases.release_lease(lease)
        except StoreError as exc:
            log.warning("event=lease_release_failed lease=%s error=%s", key, type(exc).__name__)
        self._lose(key, reason, let_go=True)

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
        for key in list(self._held):
            async with self._lock(key):
                lease = self._held.get(key)
                if lease is not None:
                    await self._release(key, lease, "stopping")
        try:
            await self._leases.retire()
        except StoreError as exc:
            log.warning("event=retire_failed error=%s", type(exc).__name__)

    async def before_request(self, operation: str) -> str | None:
        """The request guard: only the holder of the operation's group sends, once
        Wolkvox's gap has passed, and its start is recorded on the group's lease row first
        (fenced): the row of the token, whichever operation of it asks."""
        if not self.shared:
            return None
        key = self._group_of(operation)
        lease = self._held.get(key)
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
            self._lose(key, "request_fenced")
            return f"not sent: another replica took over operation {operation}"
        except StoreError as exc:
            return f"not sent: the store could not record the request ({type(exc).__name__})"
        return None

    async def after_request(self, operation: str) -> None:
        """The request ended (answered, refused, never connected): record it as finished."""
        lease = self._held.get(self._group_of(operation))
        if not self.shared or lease is None:
            return
        try:
            await self._leases.mark_request(lease, finished=True)
        except StoreError as exc:
            log.warning(
                "event=request_mark_failed operation=%s error=%s", operation, type(exc).__name__
            )
