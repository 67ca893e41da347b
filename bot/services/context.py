"""Queue and agent context: the latest `skills`/`agents` snapshot of each operation.

Both APIs cost the same daily budget as `calls_last_10` and share its token,
one request at a time, so context is fetched sparingly: a snapshot younger than
`every` (default 5 minutes) is answered as it is, and a fresh one is fetched
only when it would still leave today's polls their calls. Otherwise the
answer is the latest snapshot (with its age) and a visible reason why it is not
fresher ("no queue detail: budget reserve reached"). Snapshots live in memory
only: they describe a moment and are worthless after a restart.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from bot.domain.day_budget import DayBudget
from bot.domain.polling import POLLED_APIS
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services.ports import Clock, SourceError
from bot.services.state import RuntimeState

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
    """Keeps and refreshes each operation's queue and agent snapshots."""

    def __init__(
        self,
        *,
        state: RuntimeState,
        source: ContextSource,
        budget: BudgetReader,
        clock: Clock,
        every: timedelta = CONTEXT_EVERY,
    ) -> None:
        self._state = state
        self._source = source
        self._budget = budget
        self._clock = clock
        self.every = every
        self._queues: dict[str, QueueSnapshot] = {}
        self._agents: dict[str, AgentSnapshot] = {}

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
        self._queues[operation] = snapshot
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
        if self._state.operation(operation).poll.stopped:
            return Reading(latest, Skip.STOPPED)
        if self.spare_calls(operation, now) < 1:
            return Reading(latest, Skip.RESERVE)
        try:
            snapshot = await fetch(operation, now)
        except SourceError as exc:
            return Reading(latest, Skip.FAILED, exc.message)
        kept[operation] = snapshot
        return Reading(snapshot)
