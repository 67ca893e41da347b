"""Polling on a timetable: one APScheduler 3.x job per operation, on the bot's own loop.

Each operation gets an interval job at its `poll_every` with `max_instances=1` (never two
cycles of one operation at once: Wolkvox allows one request in flight per token) and
`coalesce=True` (after a stall, one catch-up run instead of a burst). Operations on one
server are staggered on their first run and jittered afterwards, so they do not all hit
the server in the same second.

The cycles run as tasks this class owns, shielded from the scheduler. APScheduler's
asyncio executor cancels running jobs when it shuts down and logs a cancelled job as a
failure; so `stop()` first pauses the timetable, lets the cycles in flight finish within a
grace period, cancels those that overrun, and only then shuts the scheduler down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.ports.runtime import PollJob

log = logging.getLogger("callbot.scheduler")

MAX_JITTER_S = 5.0
"""Jitter for long periods; short periods get a tenth of their length."""

Poll = Callable[[str], Awaitable[object]]


def jitter_for(period_s: float) -> float:
    """A few seconds of jitter, but never more than a tenth of the period."""
    return max(0.0, min(MAX_JITTER_S, period_s / 10))


def misfire_grace_for(period_s: float) -> int:
    """A run later than half a period (at least a second: APScheduler counts in whole
    seconds) is dropped; the next one is due soon anyway."""
    return max(1, int(period_s / 2))


class PollScheduler:
    """Runs `poll(operation)` on each job's timetable until `stop()`.

    `speed` is how many seconds of bot time pass per real second: the demo's simulated
    clock runs faster than the scheduler's real one, so real intervals are `every / speed`.
    The first run of each job comes `first_run_after` (real time) after `start()`.
    """

    def __init__(
        self,
        *,
        jobs: Sequence[PollJob],
        poll: Poll,
        speed: float = 1.0,
        first_run_after: timedelta = timedelta(seconds=1),
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        names = [job.operation for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError("one job per operation")
        self._jobs = tuple(jobs)
        self._poll = poll
        self._speed = speed
        self._first = first_run_after
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._cycles: dict[str, asyncio.Task[object]] = {}
        self._wrappers: set[asyncio.Task[object]] = set()
        self._stopping = False
        self._runs = 0

    def __repr__(self) -> str:
        return f"PollScheduler(jobs={len(self._jobs)}, running={self.running})"

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running) and not self._stopping

    @property
    def runs(self) -> int:
        """How many cycles were started (for tests and logs)."""
        return self._runs

    def in_flight(self) -> frozenset[str]:
        """Operations whose cycle is running now."""
        return frozenset(op for op, task in self._cycles.items() if not task.done())

    def interval_s(self, job: PollJob) -> float:
        """The job's period in real seconds."""
        return job.every.total_seconds() / self._speed

    def start(self) -> None:
        """Add the jobs and start the timetable; must be called with the loop running."""
        now = datetime.now(UTC)
        for job, offset in zip(self._jobs, self.first_run_offsets(), strict=True):
            self._add(job, now + self._first + timedelta(seconds=offset))
        self._scheduler.start()
        log.info("event=scheduler_started jobs=%d speed=%g", len(self._jobs), self._speed)

    def _add(self, job: PollJob, first_run: datetime) -> None:
        period = self.interval_s(job)
        self._scheduler.add_job(
            self._run,
            trigger=IntervalTrigger(
                seconds=period, jitter=jitter_for(period) or None, timezone=UTC
            ),
            args=[job.operation],
            id=f"poll:{job.operation}",
            name=f"poll {job.operation}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=misfire_grace_for(period),
            next_run_time=first_run,
        )

    def set_jobs(self, jobs: Sequence[PollJob]) -> None:
        """Replace the timetable (a configuration reload): removed operations stop, added
        ones start after `first_run_after`, a changed period or server is rescheduled."""
        old = {job.operation: job for job in self._jobs}
        new = {job.operation: job for job in jobs}
        self._jobs = tuple(jobs)
        if not self._scheduler.running or self._stopping:
            return
        first_run = datetime.now(UTC) + self._first
        for name, job in old.items():
            if new.get(name) != job:
                self._scheduler.remove_job(f"poll:{name}")
        for name, job in new.items():
            if old.get(name) != job:
                self._add(job, first_run)

    async def settle(self, operations: Iterable[str], *, grace_s: float = 5.0) -> None:
        """Wait (at most `grace_s`) for the cycles in flight of `operations` to end."""
        names = set(operations)
        cycles = [t for op, t in self._cycles.items() if op in names and not t.done()]
        if cycles:
            await asyncio.wait(cycles, timeout=grace_s)

    async def stop(self, *, grace_s: float = 5.0) -> None:
        """Take no new cycles, give those in flight `grace_s` to finish, cancel the rest."""
        if self._stopping:
            return
        self._stopping = True
        if self._scheduler.running:
            self._scheduler.pause()
        cycles = [task for task in self._cycles.values() if not task.done()]
        if cycles:
            _, pending = await asyncio.wait(cycles, timeout=grace_s)
            for task in pending:
                log.warning("event=poll_abandoned operation=%s", task.get_name().split(":", 1)[1])
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        wrappers = [task for task in self._wrappers if not task.done()]
        if wrappers:
            await asyncio.wait(wrappers, timeout=1.0)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            # AsyncIOScheduler.shutdown runs on the next loop iteration.
            await asyncio.sleep(0)
        log.info("event=scheduler_stopped")

    def first_run_offsets(self) -> list[float]:
        """Seconds after `first_run_after` of each job's first run, in job order: operations of
        one server are spread over their jitter span."""
        groups: dict[str, list[PollJob]] = {}
        for job in self._jobs:
            groups.setdefault(job.server, []).append(job)
        offsets = []
        for job in self._jobs:
            group = groups[job.server]
            spacing = jitter_for(self.interval_s(job)) / len(group)
            offsets.append(group.index(job) * spacing)
        return offsets

    async def _run(self, operation: str) -> None:
        if self._stopping:
            return
        wrapper = asyncio.current_task()
        if wrapper is not None:
            self._wrappers.add(wrapper)
        task: asyncio.Task[object] = asyncio.create_task(
            self._cycle(operation), name=f"poll:{operation}"
        )
        self._cycles[operation] = task
        self._runs += 1
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if wrapper is not None and wrapper.cancelling():
                raise
            # stop() abandoned the cycle after its grace period: not a job failure.
        finally:
            if wrapper is not None:
                self._wrappers.discard(wrapper)

    async def _cycle(self, operation: str) -> object:
        try:
            return await self._poll(operation)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The monitor never raises for Wolkvox trouble; this is a bug, kept off the timetable.
            log.error("event=poll_crashed operation=%s error=%s", operation, type(exc).__name__)
            return None
