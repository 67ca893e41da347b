"""Queue and agent context: the latest `skills`/`agents` snapshot of each operation.

Both APIs cost the same daily budget as `calls_last_10` and share its token,
one request at a time, so context is fetched sparingly: a snapshot younger than
`every` (default 5 minutes) is answered as it is, and a fresh one is fetched
only when it would still leave today's polls their calls. Otherwise the
answer is the latest snapshot (with its age) and a visible reason why it is not
fresher ("no queue detail: budget reserve reached").

Each snapshot taken is also kept in the store (bot.services.ports.snapshots), the latest
of each kind per operation: a bot that restarts answers from it at once (a queue snapshot
read back counts as judged by the queue rules, whose alerts were stored with it), and with
several replicas only the holder of an operation's lease asks Wolkvox; the others answer
from what it stored (the follower reloads it, bot.services.follow), with its age and a note
saying so, and never ask Wolkvox themselves.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from bot.domain.day_budget import DayBudget
from bot.domain.polling import POLLED_APIS
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services.ports import Clock, SourceError
from bot.services.ports.snapshots import ContextStore, StoredContext
from bot.services.ports.store import StoreError
from bot.services.state import RuntimeState

log = logging.getLogger("callbot.context")

CONTEXT_EVERY = timedelta(minutes=5)
"""How old a snapshot may be before a reader asks Wolkvox again."""


class ContextSource(Protocol):
    """Where queue and agent snapshots come from (Wolkvox `skills` and `agents`)."""

    async def queues(self, operation: str, now: datetime) -> QueueSnapshot:
        """Raises SourceError on failure."""
        ...

    async def agents(self, operation: str, now: datetime) -> AgentSnapshot:
        """Raises SourceError on failure."""
        ...


class BudgetReader(Protocol):
    def budget(self, operation: str, now: datetime) -> DayBudget: ...


class Skip(StrEnum):
    """Why an answer is not fresher than it is."""

    RESERVE = "reserve"
    """Fetching would leave today's polls fewer calls than they need."""
    FAILED = "failed"
    STOPPED = "stopped"
    """Polling of the operation is stopped until a person fixes it (a refused token)."""
    ELSEWHERE = "elsewhere"
    """Another replica polls the operation: this is the snapshot it last stored."""


S = TypeVar("S", QueueSnapshot, AgentSnapshot)


@dataclass(frozen=True, slots=True)
class Reading(Generic[S]):
    """A snapshot to show (None: none yet), and why it was not refreshed, if it was not."""

    snapshot: S | None
    skipped: Skip | None = None
    error: str = ""


def polls_due_today(
    now: datetime, *, poll_every: timedelta, tz: tzinfo, skills_every: timedelta | None = None
) -> int:
    """Calls the regular polls still need before the operation's local midnight
    (`skills_every`: the `skills` polls of an operation with queue rules too)."""
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    left = max(0.0, (midnight - local).total_seconds())
    due = math.ceil(left / poll_every.total_seconds()) * len(POLLED_APIS)
    if skills_every is not None:
        due += math.ceil(left / skills_every.total_seconds())
    return due


class ContextService:
    """Keeps and refreshes each operation's queue and agent snapshots.

    `store` keeps the latest of each (None: memory only); `polls_here(operation)` says
    whether this replica polls it (None: it polls everything); agent names are stored only
    with `store_agent_names` (they are shown only when masking is off).
    """

    def __init__(
        self,
        *,
        state: RuntimeState,
        source: ContextSource,
        budget: BudgetReader,
        clock: Clock,
        every: timedelta = CONTEXT_EVERY,
        store: ContextStore | None = None,
        polls_here: Callable[[str], bool] | None = None,
        store_agent_names: bool = False,
    ) -> None:
        self._state = state
        self._source = source
        self._budget = budget
        self._clock = clock
        self.every = every
        self._store = store
        self._polls_here = polls_here
        self._store_agent_names = store_agent_names
        self._queues: dict[str, QueueSnapshot] = {}
        self._agents: dict[str, AgentSnapshot] = {}
        self._stored_queues: dict[str, datetime] = {}
        """operation -> the time of the queue snapshot read back from the store."""

    def polls_here(self, operation: str) -> bool:
        return self._polls_here is None or self._polls_here(operation)

    def follow(self, operation: str, stored: StoredContext) -> None:
        """Take the snapshots read back from the store where they are newer than those
        held (at start, and for an operation another replica polls)."""
        queues, agents = stored.queues, stored.agents
        if queues is not None and _newer(queues, self._queues.get(operation)):
            self._queues[operation] = queues
            self._stored_queues[operation] = queues.at
        if agents is not None and _newer(agents, self._agents.get(operation)):
            self._agents[operation] = agents

    def restore(self, stored: Mapping[str, StoredContext]) -> None:
        """Everything the store kept, at start (see `follow`)."""
        for operation, context in stored.items():
            self.follow(operation, context)

    def judged_before(self, operation: str, at: datetime) -> bool:
        """Whether the queue snapshot taken at `at` came from the store: its holder judged
        it, and the alerts it stepped were stored with it."""
        return self._stored_queues.get(operation) == at

    async def _keep(self, operation: str, snapshot: S, kept: dict[str, S]) -> None:
        """Hold `snapshot` as the latest of its kind, and keep it in the store (a store
        that fails costs the other replicas this snapshot, never the answer)."""
        kept[operation] = snapshot
        if self._store is None:
            return
        storable: QueueSnapshot | AgentSnapshot = snapshot
        if isinstance(snapshot, AgentSnapshot) and not self._store_agent_names:
            storable = replace(snapshot, agents=tuple(replace(a, name="") for a in snapshot.agents))
        try:
            await self._store.put_context(operation, storable)
        except StoreError as exc:
            log.warning(
                "event=context_not_stored operation=%s error=%s", operation, type(exc).__name__
            )

    def latest_queues(self, operation: str) -> QueueSnapshot | None:
        return self._queues.get(operation)

    def latest_agents(self, operation: str) -> AgentSnapshot | None:
        return self._agents.get(operation)

    def spare_calls(self, operation: str, now: datetime) -> int:
        """Calls left today beyond what the regular polls still need (may be negative)."""
        op = self._state.operation(operation)
        use = self._budget.budget(operation, now)
        due = polls_due_today(
            now,
            poll_every=op.settings.poll_every,
            tz=op.tz,
            skills_every=op.settings.skills_polled,
        )
        return use.limit - use.used - due

    async def queues(
        self, operation: str, *, max_age: timedelta | None = None
    ) -> Reading[QueueSnapshot]:
        """The queues no older than `max_age` (default `every`) when the budget allows."""
        return await self._read(operation, self._queues, self._source.queues, max_age)

    async def poll_queues(self, operation: str) -> Reading[QueueSnapshot]:
        """The regular `skills` poll of an operation with queue rules: budgeted with the
        polls (check-config counted it), so no reserve check, one attempt; the snapshot
        is kept for queue rules, alert context and `/calls queues` alike."""
        now = self._clock.now()
        try:
            snapshot = await self._source.queues(operation, now)
        except SourceError as exc:
            return Reading(self._queues.get(operation), Skip.FAILED, exc.message)
        await self._keep(operation, snapshot, self._queues)
        return Reading(snapshot)

    async def agents(
        self, operation: str, *, max_age: timedelta | None = None
    ) -> Reading[AgentSnapshot]:
        """The agents no older than `max_age` (default `every`) when the budget allows."""
        return await self._read(operation, self._agents, self._source.agents, max_age)

    async def _read(
        self,
        operation: str,
        kept: dict[str, S],
        fetch: Callable[[str, datetime], Awaitable[S]],
        max_age: timedelta | None,
    ) -> Reading[S]:
        now = self._clock.now()
        latest = kept.get(operation)
        if latest is not None and latest.age(now) < (
            max_age if max_age is not None else self.every
        ):
            return Reading(latest)
        if not self.polls_here(operation):
            return Reading(latest, Skip.ELSEWHERE)
        if self._state.operation(operation).poll.stopped:
            return Reading(latest, Skip.STOPPED)
        if self.spare_calls(operation, now) < 1:
            return Reading(latest, Skip.RESERVE)
        try:
            snapshot = await fetch(operation, now)
        except SourceError as exc:
            return Reading(latest, Skip.FAILED, exc.message)
        await self._keep(operation, snapshot, kept)
        return Reading(snapshot)


def _newer(
    snapshot: QueueSnapshot | AgentSnapshot, held: QueueSnapshot | AgentSnapshot | None
) -> bool:
    return held is None or snapshot.at > held.at
