"""Followers stay fresh: a replica keeps the state of the operations it does not poll as
their holders commit it, so `/calls` and the Home tab answer the same on every replica.

With several replicas only the holder of an operation's lease polls it (and is the single
writer of its alerts); every other replica follows it. When the change feed says the
holder committed (bot.services.ports.changes), the follower reloads that operation's alerts,
call log, budget and poll state from the store, under the state lock, so a reply never sees
half of it. Changes are gathered for `settle_s` first: a burst of commits (several
operations, or a commit followed by an action) costs one reload each. A change of the
silences reloads the silence book (every replica needs it: replies show silences, holders
step their alerts with it); a RESYNC (the feed reconnected and may have missed changes)
reloads everything followed. A change of an operation's queue or agent snapshot (its
holder took one, bot.services.ports.snapshots) reloads that snapshot for `/calls queues`,
`/calls agents` and the Home tab. Nothing here asks Wolkvox: followers read the store only.

The latest calls of a poll (`RuntimeState.recent`, phone numbers and customer ids) are
never stored, so a follower's `/calls last10` gives the holder's numbers without the list
of latest calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Protocol

from bot.domain.alert_book import AlertBook
from bot.domain.call_log import LogSnapshot
from bot.domain.silences import SilenceBook
from bot.services.ports import CallSource, Clock
from bot.services.ports.changes import Change, ChangeKind
from bot.services.ports.snapshots import StoredContext
from bot.services.ports.store import Store, StoredState, StoreError
from bot.services.restore import snapshot_of
from bot.services.state import RuntimeState

log = logging.getLogger("callbot.follow")

SETTLE_S = 0.1
"""How long changes are gathered before a reload (far below the 2 s a reply may lag)."""
NO_OPERATION = ""
"""An operation name no configuration accepts: loading it brings the silences alone."""
RETRY_S = 1.0
"""How long a reload that failed (the store lost) waits before it is tried again."""
_WHOLE = -(2**62)
"""An epoch minute before any call: reload the operation's whole call log."""
_NO_LOG = 2**62
"""After any call: a commit that changed no call counts (this minute is read anyway)."""


def _at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)


class ContextKeeper(Protocol):
    """Who holds the queue and agent snapshots in memory (bot.services.context)."""

    def follow(self, operation: str, stored: StoredContext) -> None: ...

    def restore(self, stored: Mapping[str, StoredContext]) -> None: ...


class Follower:
    """Reloads, when told, the operations this replica does not hold.

    `holds(operation)` says whether this replica polls it (its memory is then the truth and
    is never reloaded); None: this process polls everything and follows nothing.
    `on_refresh` hears each operation reloaded (and `NO_OPERATION` for the silences),
    `on_context` each operation whose snapshots were reloaded into `context`.
    """

    def __init__(
        self,
        *,
        state: RuntimeState,
        store: Store,
        source: CallSource,
        clock: Clock,
        holds: Callable[[str], bool] | None = None,
        settle_s: float = SETTLE_S,
    ) -> None:
        self._state = state
        self._store = store
        self._source = source
        self._clock = clock
        self.holds = holds
        self._settle_s = settle_s
        self._dirty: dict[str, int] = {}
        """operation -> the epoch minute from which its call log is to be reloaded."""
        self._silences = False
        self._contexts: set[str] = set()
        """Operations whose queue and agent snapshots are to be reloaded."""
        self._wake = asyncio.Event()
        self.on_refresh: list[Callable[[str], None]] = []
        self.on_context: list[Callable[[str], None]] = []
        self.context: ContextKeeper | None = None
        """Where reloaded snapshots go (None: no queue and agent context is wired)."""

    def follows(self, operation: str) -> bool:
        """Whether `operation` is configured and polled by another replica."""
        holds = self.holds
        return holds is not None and operation in self._state.operations and not holds(operation)

    def polls_here(self, operation: str) -> bool:
        """Whether this replica polls `operation` (and so writes its alerts)."""
        return self.holds is None or self.holds(operation)

    def followed(self) -> list[str]:
        return [name for name in self._state.operations if self.follows(name)]

    def on_change(self, change: Change) -> None:
        """The change feed's listener: note what to reload, and wake the loop."""
        if change.kind is ChangeKind.COMMITTED and change.operation is not None:
            if self.follows(change.operation):
                self._note(change.operation, change.ref if change.ref is not None else _NO_LOG)
        elif change.kind is ChangeKind.CONTEXT and change.operation is not None:
            if not self.follows(change.operation):
                return
            self._contexts.add(change.operation)
        elif change.kind is ChangeKind.SILENCES:
            self._silences = True
        elif change.kind is ChangeKind.RESYNC:
            self._silences = True
            for operation in self.followed():
                self._note(operation, _WHOLE)
                self._contexts.add(operation)
        else:
            return
        self._wake.set()

    def _note(self, operation: str, since: int) -> None:
        """Reload `operation`'s call log from epoch minute `since` on (at least)."""
        self._dirty[operation] = min(since, self._dirty.get(operation, since))

    def lease_changed(self, operation: str, held: bool) -> None:
        """This replica gained or lost `operation`'s lease: a lost one is reloaded at once
        (the new holder commits from now on); a gained one is the holder's own business."""
        if not held and self.follows(operation):
            self._note(operation, _WHOLE)
            self._contexts.add(operation)
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Reload what changes name until `stop` is set."""
        while not stop.is_set():
            waiter = asyncio.create_task(self._wake.wait())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            for task in (waiter, stopper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if stop.is_set():
                return
            await asyncio.sleep(self._settle_s)
            self._wake.clear()
            if not await self.catch_up():
                await asyncio.sleep(RETRY_S)

    async def catch_up(self) -> bool:
        """Reload everything noted so far; False when the store failed (noted again)."""
        dirty, self._dirty = self._dirty, {}
        silences, self._silences = self._silences, False
        contexts, self._contexts = self._contexts, set()
        try:
            if silences and not dirty:
                await self.refresh(NO_OPERATION)
            for operation in sorted(dirty):
                await self.refresh(operation, since=dirty[operation])
                del dirty[operation]
            for operation in sorted(contexts):
                await self.refresh_context(operation)
                contexts.discard(operation)
        except StoreError as exc:
            log.warning("event=follow_failed error=%s", type(exc).__name__)
            for operation, since in dirty.items():
                self._note(operation, since)
            self._silences = self._silences or silences
            self._contexts |= contexts
            self._wake.set()
            return False
        return True

    async def restore_context(self) -> None:
        """At start: every snapshot the store kept (a holder that restarts answers from
        them at once, as a follower does)."""
        if self.context is not None:
            self.context.restore(await self._store.load_context())

    async def refresh_context(self, operation: str) -> None:
        """Reload `operation`'s queue and agent snapshots (if followed) from the store."""
        if self.context is None:
            return
        stored = await self._store.load_context(operation)
        if self.follows(operation):
            self.context.follow(operation, stored.get(operation, StoredContext()))
        for hook in self.on_context:
            hook(operation)

    async def refresh(self, operation: str, *, since: int = _WHOLE) -> None:
        """Reload `operation` (if followed) and the silences from the store: its alerts,
        budget and poll state, and its call log from epoch minute `since` on (a poll
        changes its last minutes only: reading back days of history every minute would
        cost a follower of many operations more than polling them)."""
        now = self._clock.now()
        first = min(since, int(now.timestamp() // 60))
        whole = first == _WHOLE
        stored = await self._store.load(
            now, operation=operation, since=None if whole else _at(first)
        )
        async with self._state.lock:
            self._state.silences = SilenceBook(tuple(stored.silences.values()))
            if operation != NO_OPERATION and self.follows(operation):
                self._apply(operation, stored, now, since=None if whole else first)
        for hook in self.on_refresh:
            hook(operation)

    def _apply(
        self, operation: str, stored: StoredState, now: datetime, *, since: int | None
    ) -> None:
        state = self._state
        op = state.operations[operation]
        mine = [
            alert
            for (name, rule), alert in stored.alerts.items()
            if name == operation and op.rule(rule) is not None
        ]
        others = [alert for alert in state.alerts if alert.operation != operation]
        state.alerts = AlertBook.of([*others, *mine])
        stored_log = stored.logs.get(operation)
        snapshot = snapshot_of(stored_log) if stored_log is not None else LogSnapshot()
        if since is None:
            state.log.restore(operation, snapshot)
        else:
            state.log.follow(operation, snapshot, since=since)
        for (name, day), used in stored.budgets.items():
            if name == operation:
                self._source.restore_budget(operation, date.fromisoformat(day), used)
        poll = stored.polls.get(operation)
        if poll is not None:
            op.poll = poll
        # The holder's latest calls are not stored (personal data): none rather than old ones.
        state.recent.pop(operation, None)
        log.debug("event=followed operation=%s alerts=%d at=%s", operation, len(mine), now)
