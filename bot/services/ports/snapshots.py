"""The latest queue and agent snapshots, kept in the store (issue 14: any replica answers).

Only the holder of an operation's lease asks Wolkvox for its `skills` and `agents`; it keeps
the latest snapshot of each in the store, so a replica that follows the operation answers
`/calls queues` and `/calls agents` from it (with its age), and a holder that restarts has
it back at once, already judged by the queue rules. A snapshot is kept only when it is
newer than the one stored: a holder paused past its lease cannot put back an older reading
over its successor's, so these writes need no fencing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.domain.queues import AgentSnapshot, QueueSnapshot


@dataclass(frozen=True, slots=True)
class StoredContext:
    """An operation's latest stored snapshots (None: none stored, or unreadable)."""

    queues: QueueSnapshot | None = None
    agents: AgentSnapshot | None = None


class ContextStore(Protocol):
    """Where the holder keeps each operation's latest snapshots for every replica."""

    async def put_context(self, operation: str, snapshot: QueueSnapshot | AgentSnapshot) -> bool:
        """Keep `snapshot` as `operation`'s latest of its kind, unless one taken at the same
        time or later is stored (then nothing changes: False). A shared store announces a
        kept one to the other replicas (`ChangeKind.CONTEXT`)."""
        ...

    async def load_context(self, operation: str | None = None) -> Mapping[str, StoredContext]:
        """operation -> its stored snapshots (only `operation`'s when given); a row that no
        longer reads back (a newer callbot's) is left out."""
        ...
