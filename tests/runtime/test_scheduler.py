"""The poll scheduler on a real asyncio loop with short intervals: every operation is
polled again and again, never twice at once, and stopping is graceful."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import timedelta

import pytest

from bot.adapters.scheduler import MAX_JITTER_S, PollScheduler, jitter_for, misfire_grace_for
from bot.services.ports.runtime import PollJob

FAST = timedelta(milliseconds=50)


class Recorder:
    """A poll that records calls and how many cycles of one operation overlap."""

    def __init__(self, *, takes: float = 0.0) -> None:
        self.takes = takes
        self.calls: Counter[str] = Counter()
        self.running: Counter[str] = Counter()
        self.max_overlap = 0
        self.finished: Counter[str] = Counter()
        self.cancelled: Counter[str] = Counter()
        self.changed = asyncio.Event()

    async def __call__(self, operation: str) -> None:
        self.calls[operation] += 1
        self.running[operation] += 1
        self.max_overlap = max(self.max_overlap, self.running[operation])
        self.changed.set()
        try:
            await asyncio.sleep(self.takes)
            self.finished[operation] += 1
        except asyncio.CancelledError:
            self.cancelled[operation] += 1
            raise
        finally:
            self.running[operation] -= 1
            self.changed.set()

    async def wait_for(self, predicate, within_s: float = 5.0) -> None:
        async with asyncio.timeout(within_s):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


@pytest.mark.parametrize(
    ("period_s", "jitter"),
    [(300.0, MAX_JITTER_S), (30.0, 3.0), (2.0, 0.2), (0.5, 0.05)],
)
def test_jitter_is_a_few_seconds_and_shrinks_with_short_periods(period_s, jitter) -> None:
    assert jitter_for(period_s) == pytest.approx(jitter)


@pytest.mark.parametrize(("period_s", "grace"), [(300.0, 150), (2.0, 1), (0.5, 1)])
def test_a_late_run_is_dropped_after_half_a_period(period_s, grace) -> None:
    assert misfire_grace_for(period_s) == grace


def test_operations_on_one_server_start_apart_and_others_at_once() -> None:
    every = timedelta(minutes=5)
    scheduler = PollScheduler(
        jobs=[
            PollJob("a", every, server="wv1"),
            PollJob("b", every, server="wv1"),
            PollJob("c", every, server="wv2"),
        ],
        poll=Recorder(),
    )
    a, b, c = scheduler.first_run_offsets()
    assert a == 0 and c == 0
    assert b == pytest.approx(MAX_JITTER_S / 2)


def test_a_fast_clock_shortens_the_real_intervals() -> None:
    job = PollJob("a", timedelta(seconds=30))
    assert PollScheduler(jobs=[job], poll=Recorder(), speed=60).interval_s(job) == 0.5


def test_one_job_per_operation() -> None:
    with pytest.raises(ValueError, match="one job per operation"):
        PollScheduler(jobs=[PollJob("a", FAST), PollJob("a", FAST)], poll=Recorder())


async def test_every_operation_is_polled_repeatedly_never_twice_at_once() -> None:
    poll = Recorder(takes=0.12)  # longer than two periods
    scheduler = PollScheduler(
        jobs=[PollJob("a", FAST), PollJob("b", FAST)],
        poll=poll,
        first_run_after=timedelta(0),
    )
    scheduler.start()
    try:
        await poll.wait_for(lambda: poll.finished["a"] >= 3 and poll.finished["b"] >= 3)
    finally:
        await scheduler.stop()
    assert poll.max_overlap == 1


async def test_stop_lets_the_cycle_in_flight_finish_and_starts_no_other(caplog) -> None:
    poll = Recorder(takes=0.3)
    scheduler = PollScheduler(jobs=[PollJob("a", FAST)], poll=poll, first_run_after=timedelta(0))
    scheduler.start()
    await poll.wait_for(lambda: poll.running["a"] == 1)
    await scheduler.stop(grace_s=5.0)
    assert poll.finished["a"] == 1 and poll.cancelled["a"] == 0
    assert scheduler.in_flight() == frozenset()
    calls = poll.calls["a"]
    await asyncio.sleep(0.2)  # four periods: nothing may start any more
    assert poll.calls["a"] == calls
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_stop_abandons_a_cycle_that_overruns_its_grace(caplog) -> None:
    poll = Recorder(takes=30.0)
    scheduler = PollScheduler(jobs=[PollJob("slow", FAST)], poll=poll, first_run_after=timedelta(0))
    scheduler.start()
    await poll.wait_for(lambda: poll.running["slow"] == 1)
    async with asyncio.timeout(3.0):
        await scheduler.stop(grace_s=0.1)
    assert poll.cancelled["slow"] == 1
    assert not scheduler.running
    assert "event=poll_abandoned operation=slow" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_poll_that_raises_is_logged_and_polled_again(caplog) -> None:
    calls = Counter[str]()
    again = asyncio.Event()

    async def broken(operation: str) -> None:
        calls[operation] += 1
        if calls[operation] >= 2:
            again.set()
        raise RuntimeError("bug")

    scheduler = PollScheduler(jobs=[PollJob("a", FAST)], poll=broken, first_run_after=timedelta(0))
    scheduler.start()
    try:
        async with asyncio.timeout(5.0):
            await again.wait()
    finally:
        await scheduler.stop()
    assert "event=poll_crashed operation=a error=RuntimeError" in caplog.text
