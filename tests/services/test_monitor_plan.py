"""A poll cycle is planned, committed, then swapped into memory: all or nothing.

A store that fails on demand (the real SQLite store behind a switch) must lose
nothing and count nothing twice: after a failed commit memory is as before the
cycle, so the next successful poll counts every call exactly once, in memory and
after a restart. The store is sent only what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.sqlite import SQLiteStore
from bot.domain.calls import CallRecord
from bot.services.monitor import Monitor
from bot.services.ports import SourceError
from bot.services.ports.store import CycleCommit, StoreBusyError
from bot.services.state import RuntimeState
from bot.settings import parse_settings
from tests.support.config import config_text, rule
from tests.support.world import assembled

from .fakes import Batch, FakeSource

CONFIG = config_text(rules=[rule(match={"result": ["abandon"]}, window="10m", warning=1000)])
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


class SwitchableStore(SQLiteStore):
    """The real SQLite store, whose commits fail while `failing` is set; records commits."""

    def __init__(self, path: Path) -> None:
        super().__init__(path=path)
        self.failing = False
        self.commits: list[CycleCommit] = []

    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        if self.failing:
            raise StoreBusyError("database is locked (on purpose)")
        self.commits.append(cycle)
        return await super().commit_cycle(cycle)


def records(count: int, *, start: int = 0, result: str = "answer") -> list[CallRecord]:
    return [
        CallRecord(
            conn_id=f"6736.4628.1040.{start + i}",
            at=T0 - timedelta(minutes=1 + i % 5),
            call_type="inbound",
            result=result,
        )
        for i in range(count)
    ]


@dataclass
class World:
    path: Path
    clock: ManualClock = field(default_factory=lambda: ManualClock(T0))
    source: FakeSource = field(default_factory=FakeSource)

    async def start(self) -> tuple[RuntimeState, SwitchableStore, Monitor]:
        """A bot process on the store file: restored from it, as at start."""
        settings = parse_settings(CONFIG, source="test.yml", env={})
        store = SwitchableStore(self.path)
        runtime = assembled(settings, clock=self.clock, store=store, source=self.source)
        await runtime.open()
        return runtime.state, store, runtime.monitor


def counted(state: RuntimeState, now: datetime) -> dict[tuple[str, str], int]:
    return dict(state.log.last("bogota", WINDOW, now=now).counts)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "callbot.sqlite3")


async def test_a_failed_commit_leaves_memory_as_before_the_cycle(world: World) -> None:
    state, store, monitor = await world.start()
    store.failing = True
    world.source.queue("bogota", Batch(records=records(50)))
    report = await monitor.poll("bogota")

    assert report.outcome == "store_error"
    assert counted(state, world.clock.now()) == {}
    assert state.log.coverage("bogota", T0 - WINDOW, T0) == 0.0
    assert state.recent.get("bogota", ()) == ()
    assert state.operation("bogota").poll.last_success_at is None
    await store.close()


async def test_after_a_failed_commit_the_next_poll_counts_every_call_once_also_after_restart(
    world: World,
) -> None:
    state, store, monitor = await world.start()
    store.failing = True
    world.source.queue("bogota", Batch(records=records(50)))
    await monitor.poll("bogota")

    store.failing = False
    world.clock.advance(timedelta(seconds=30))
    world.source.queue("bogota", Batch(records=records(55)))
    report = await monitor.poll("bogota")
    now = world.clock.now()
    assert report.outcome == "ok" and report.new == 55
    assert counted(state, now) == {("inbound", "answer"): 55}
    await store.close()

    restarted, store, monitor = await world.start()
    assert counted(restarted, now) == {("inbound", "answer"): 55}
    world.clock.advance(timedelta(seconds=30))
    world.source.queue("bogota", Batch(records=records(55)))
    report = await monitor.poll("bogota")
    assert report.new == 0 and report.duplicates == 55
    assert counted(restarted, world.clock.now()) == {("inbound", "answer"): 55}
    await store.close()


async def test_a_changed_result_whose_commit_failed_moves_the_call_once_later(
    world: World,
) -> None:
    state, store, monitor = await world.start()
    world.source.queue("bogota", Batch(records=records(20)))
    await monitor.poll("bogota")

    changed = records(5, result="abandon") + records(15, start=5)
    store.failing = True
    world.source.queue("bogota", Batch(records=changed))
    await monitor.poll("bogota")
    assert counted(state, world.clock.now()) == {("inbound", "answer"): 20}

    store.failing = False
    world.source.queue("bogota", Batch(records=changed))
    report = await monitor.poll("bogota")
    assert report.updated == 5 and report.new == 0
    expected = {("inbound", "answer"): 15, ("inbound", "abandon"): 5}
    assert counted(state, world.clock.now()) == expected
    await store.close()

    restarted, store, _ = await world.start()
    assert counted(restarted, world.clock.now()) == expected
    await store.close()


async def test_the_store_is_sent_only_new_and_changed_calls_and_touched_buckets(
    world: World,
) -> None:
    _, store, monitor = await world.start()
    world.source.queue("bogota", Batch(records=records(100)))
    await monitor.poll("bogota")
    assert len(store.commits[-1].log.conn_ids) == 100

    half_seen = records(50, start=50) + records(50, start=100)
    world.clock.advance(timedelta(seconds=30))
    world.source.queue("bogota", Batch(records=half_seen))
    await monitor.poll("bogota")
    delta = store.commits[-1].log
    assert sorted(delta.conn_ids) == sorted(r.conn_id for r in records(50, start=100))
    # The 50 new calls fall in five minutes of one (type, result): five buckets.
    assert len(delta.buckets) == 5

    world.clock.advance(timedelta(seconds=30))
    world.source.queue("bogota", Batch(records=half_seen))
    await monitor.poll("bogota")
    assert store.commits[-1].log.conn_ids == {} and store.commits[-1].log.buckets == {}
    await store.close()


async def test_coverage_ends_when_the_request_was_sent_not_when_the_answer_arrived(
    world: World,
) -> None:
    state, store, monitor = await world.start()
    world.clock.advance(timedelta(seconds=40))  # sent at 15:00:00, answered at 15:00:40
    world.source.queue("bogota", Batch(records=records(10), sent_at=T0))
    await monitor.poll("bogota")

    minute = timedelta(minutes=1)
    assert state.log.coverage("bogota", T0 - minute, T0) == 1.0
    assert state.log.coverage("bogota", T0, T0 + minute) == 0.0, "not seen: sent before it"
    assert state.log.coverage("bogota", T0 + 40 * minute / 60 - WINDOW, T0) == 1.0
    stored = store.commits[-1].log.covered_minutes
    assert max(stored) == T0 - minute and min(stored) == T0 - 9 * minute
    await store.close()


def refused() -> SourceError:
    return SourceError(
        "operation 'bogota': the token is wrong or expired",
        kind="token_rejected",
        transient=False,
        stops_polling=True,
    )


async def test_the_poll_state_survives_a_restart_which_lifts_a_stop(world: World) -> None:
    state, store, monitor = await world.start()
    world.source.queue("bogota", refused())
    await monitor.poll("bogota")
    assert state.operation("bogota").poll.last_error_kind == "token_rejected"
    world.clock.advance(timedelta(minutes=1))
    assert (await monitor.poll("bogota")).outcome == "stopped"
    before = state.operation("bogota").poll
    assert before.stopped and before.last_attempt_at == T0 + timedelta(minutes=1)
    await store.close()

    restarted, store, monitor = await world.start()
    after = restarted.operation("bogota").poll
    assert after == replace(before, stopped=None), "all of it but the stop, lifted by restart"
    assert after.last_error_kind == "stopped" and after.consecutive_failures == 2
    asked = len(world.source.calls)
    world.source.queue("bogota", Batch(records=records(3)))
    assert (await monitor.poll("bogota")).outcome == "ok"
    assert len(world.source.calls) == asked + 1
    await store.close()
