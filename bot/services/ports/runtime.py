"""What the runtime drives around the services: the poll timetable, the metrics, /healthz.

`bot.runtime.Runtime` holds these as ports, like the store and the source, so that what
starts, stops, reloads and serves the bot depends on what it asks of them, not on
APScheduler or prometheus_client. The adapters (`bot.adapters.scheduler.PollScheduler`,
`bot.adapters.metrics.Metrics`, `bot.adapters.health.HealthCheck`) satisfy them; the
plain values that cross these seams (`PollJob`, `OutboxSample`) live here so both sides
can name them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.alerts import Alert
from bot.domain.day_budget import DayBudget
from bot.services.monitor import CycleReport


@dataclass(frozen=True, slots=True)
class PollJob:
    """One operation to poll every `every` (bot time); `server` groups operations to stagger."""

    operation: str
    every: timedelta
    server: str = ""


class Scheduler(Protocol):
    """When polls run: one timetable entry per operation, changed on a reload."""

    def start(self) -> None: ...

    def set_jobs(self, jobs: Sequence[PollJob]) -> None:
        """Make the timetable `jobs`: new ones added, changed ones replaced, gone ones removed."""
        ...

    async def settle(self, operations: Iterable[str], *, grace_s: float = ...) -> None:
        """Wait (at most `grace_s`) for the cycles in flight of `operations` to end."""
        ...

    async def stop(self, *, grace_s: float = ...) -> None:
        """Take no new cycles, give those in flight `grace_s`, cancel the rest."""
        ...


class RuntimeMetrics(Protocol):
    """What the runtime reports to /metrics after each poll and each housekeeping sample."""

    def declare_operations(self, operations: Iterable[str]) -> None: ...

    def observe_cycle(self, report: CycleReport) -> None: ...

    def set_budget(self, operation: str, use: DayBudget) -> None: ...

    def set_alerts(self, alerts: Iterable[Alert]) -> None: ...

    def set_outbox_depth(self, depth: int) -> None: ...

    def set_leases(self, operations: Iterable[str], held: Mapping[str, int]) -> None:
        """The leases this replica holds (operation -> epoch), of the configured ones."""
        ...

    def set_changes_connected(self, listening: bool) -> None:
        """Whether the change feed listens to the other replicas now."""
        ...

    def exposition(self) -> bytes:
        """The current values in the Prometheus text format, for GET /metrics."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxSample:
    """The outbox as last sampled: how many rows wait and since when the oldest does."""

    depth: int = 0
    oldest_created_at: datetime | None = None
    oldest_error: str | None = None


SlackHealth = Callable[[], tuple[bool, str]]
"""(healthy, reason) of the Slack transport."""


class Health(Protocol):
    """What GET /healthz answers, and the facts the runtime feeds it as they change.

    `outbox` is sampled by the housekeeping task (and `changes_lost_since` with it),
    `store_problem` set while the store cannot be read, `config_problem` while a reload
    was refused, `slack` once the Slack transport exists (None: no Slack, as in the demo).
    """

    outbox: OutboxSample
    store_problem: str | None
    config_problem: str | None
    slack: SlackHealth | None
    changes_lost_since: datetime | None
    """Since when the change feed has not listened (None: it listens, or there is none)."""

    def __call__(self) -> tuple[bool, str]:
        """(healthy, reason): "ok", or every problem found."""
        ...

    def detail(self) -> str | None:
        """More lines for /healthz after the verdict: the leases held (several replicas)."""
        ...
