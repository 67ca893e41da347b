"""The change feed: what other replicas committed, pushed to this one (issue 14).

With several replicas on one database, only the holder of an operation's lease polls it,
yet `/calls` and the Home tab on every replica must give the holder's numbers. The holder's
commits say so on the feed ("operation X committed"), and a replica that does not hold X
reloads X's state from the store (bot.services.follow). The feed also carries what concerns
every replica (the silences changed) and what a replica asks of a holder (an action
requested, then answered: bot.services.requests).

A store that several processes share announces its commits itself, inside the committing
transaction, so a change is announced only once it is stored (PostgreSQL: NOTIFY). A feed
only ever hints: a replica that missed one (its listening connection dropped) hears
`RESYNC` when it listens again and reloads everything it follows. Where one process is all
(SQLite, memory), nothing is ever announced (`NoChanges`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class ChangeKind(StrEnum):
    """What a change says."""

    COMMITTED = "committed"
    """`operation`'s state changed: a poll cycle, or an action its holder applied; `ref`
    is the earliest minute (since the epoch) of its call log that changed, if any."""
    SILENCES = "silences"
    """The silences changed (anyone may add or lift one)."""
    REQUESTED = "requested"
    """An action on `operation` was requested of its holder (`ref`: the request's id)."""
    ANSWERED = "answered"
    """The request `ref` was carried out by the holder."""
    CONTEXT = "context"
    """`operation`'s latest queue or agent snapshot was stored (bot.services.ports.snapshots)."""
    RESYNC = "resync"
    """The feed (re)connected: changes may have been missed, reload what you follow."""


@dataclass(frozen=True, slots=True)
class Change:
    """One announcement of the feed (from another replica, never this one's own)."""

    kind: ChangeKind
    operation: str | None = None
    ref: int | None = None


ChangeListener = Callable[[Change], None]
"""Called on the event loop for each change; must not block (schedule work instead)."""


class Changes(Protocol):
    """Listen to what the other replicas commit."""

    def subscribe(self, listener: ChangeListener) -> None:
        """Call `listener` with every change heard from now on."""
        ...

    async def start(self) -> None:
        """Start listening (in the background; reconnects by itself when it drops)."""
        ...

    async def stop(self) -> None: ...

    @property
    def listening(self) -> bool:
        """Whether the feed is connected now (False while it reconnects)."""
        ...


class NoChanges:
    """The feed of a store only one process uses: nothing to hear."""

    def subscribe(self, listener: ChangeListener) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    @property
    def listening(self) -> bool:
        return True
