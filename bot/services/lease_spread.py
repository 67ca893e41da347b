"""Which leases a replica takes, keeps or gives back: a pure decision over the lease board.

A lease covers a token group: the operations sharing one Wolkvox token (same server and
token) are polled under one lease, named by a key (`group_of(operation)`, the group's first
operation by name; an operation alone on its token is its own group). So the spread counts
groups, not operations: with N live replicas and M groups, each replica holds about its
share, ceil(M / N):

- it keeps (renews) what it holds, up to its share;
- it takes a free or expired lease only while it holds fewer than its share, so replicas
  starting together end up with about M / N each instead of the first one holding all;
- a lease expired for longer than one TTL is taken by anyone, share or not: a replica that
  stopped renewing (dead, or stuck) never leaves its operations unpolled;
- above its share (another replica joined), it gives back the extras, one at the end of
  each of their cycles, so the newcomer can take them at its next poll.

Every time is the database's clock (`LeaseBoard.now`), so the replicas' own clocks never
matter. The decision returns its reason, like the alert book's decisions, for the logs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.services.ports.leases import LeaseBoard


class LeaseMove(StrEnum):
    """What a replica does with one group's lease before polling one of its operations."""

    KEEP = "keep"
    """Held, within the share: renew it and poll."""
    GIVE_BACK = "give_back"
    """Held, above the share: poll this once more, then release it."""
    TAKE = "take"
    """Free or expired, and this replica is below its share: take it and poll."""
    TAKE_ORPHAN = "take_orphan"
    """Expired for longer than one TTL: taken by anyone, so no operation is left unpolled."""
    LEAVE = "leave"
    """Free, but this replica already holds its share: a replica below its own takes it."""
    HELD_ELSEWHERE = "held_elsewhere"
    """Another replica holds it and renews it: not polled here."""

    @property
    def polls(self) -> bool:
        """Whether the replica holds (or takes) the lease and polls this cycle."""
        return self in _POLLS


_POLLS = frozenset({LeaseMove.KEEP, LeaseMove.GIVE_BACK, LeaseMove.TAKE, LeaseMove.TAKE_ORPHAN})


def share(groups: int, replicas: int) -> int:
    """ceil(M / N): how many leases one of N replicas holds at most (N counts at least 1)."""
    return math.ceil(groups / max(1, replicas))


def _same(operation: str) -> str:
    return operation


@dataclass(frozen=True, slots=True)
class Spread:
    """One replica's view of the board: its share, and the lease keys it holds now, in order."""

    me: str
    share: int
    held: tuple[str, ...]

    @classmethod
    def of(
        cls,
        board: LeaseBoard,
        *,
        me: str,
        operations: Iterable[str],
        group_of: Callable[[str], str] = _same,
    ) -> Spread:
        """The spread of the lease keys of `operations` (`group_of`: operation -> key; by
        default each operation is its own group)."""
        names = sorted({group_of(op) for op in operations})
        held = tuple(
            op
            for op in names
            if (row := board.leases.get(op)) is not None
            and row.owner == me
            and row.expires_at > board.now
        )
        return cls(me, share(len(names), len(board.replicas | {me})), held)

    @property
    def extras(self) -> tuple[str, ...]:
        """What this replica holds above its share (the last ones by name)."""
        return self.held[self.share :]


def decide(key: str, board: LeaseBoard, spread: Spread, *, ttl: timedelta) -> LeaseMove:
    """What replica `spread.me` does with the lease named `key` now."""
    if key in spread.held:
        return LeaseMove.GIVE_BACK if key in spread.extras else LeaseMove.KEEP
    row = board.leases.get(key)
    if row is not None and row.owner and row.expires_at > board.now:
        return LeaseMove.HELD_ELSEWHERE
    if row is not None and row.owner and row.expires_at <= board.now - ttl:
        return LeaseMove.TAKE_ORPHAN
    return LeaseMove.TAKE if len(spread.held) < spread.share else LeaseMove.LEAVE
