"""A whole 60,000-record poll with half its calls already seen: bytes to committed SQLite.

The work measured is one poll cycle of the production Monitor, from the answer's bytes to
the committed SQLite transaction: decode, map, plan (the call log's delta, rule evaluation,
alert steps, notifications), `commit_cycle` on a SQLite store (WAL, synchronous=FULL, in
/dev/shm when there is one) and the swap into memory. Before each timed poll an untimed
poll stored the first 60,000 calls; the timed answer repeats 30,000 of them and brings
30,000 new ones, as consecutive polls of a very busy operation do. The floor is the
msgspec typed decode of the same bytes (bench_ingest.TYPED_FLOOR), timed in alternation.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.bench_ingest import NOW, TYPED_FLOOR
from bench.common import Figure, median, timed
from bench.wiring import ZONE, bench_runtime, operation_names, settings_for, store_directory
from bot.adapters.clock import ManualClock
from bot.adapters.store.sqlite import SQLiteStore
from bot.adapters.wolkvox.mapping import MappedBatch
from bot.adapters.wolkvox.response import map_calls_response
from bot.adapters.wolkvox.simulator_faults import envelope
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.domain.day_budget import DayBudget
from bot.services.heap import freeze_start_up_heap

NAME = "poll"
TARGET_RATIO = 8.0


class BytesSource:
    """A CallSource answering with the bytes it is given, through the production mapping."""

    def __init__(self) -> None:
        self.body = b""
        self._zone = ZoneInfo(ZONE)

    async def calls_last_10(self, operation: str) -> MappedBatch:
        return map_calls_response(200, self.body, self._zone)

    def budget(self, operation: str, now: datetime) -> DayBudget:
        return DayBudget(day=now.date(), used=1, limit=8000)

    def restore_budget(self, operation: str, day: date, used: int) -> None:
        return None


def bodies(records: int) -> tuple[bytes, bytes]:
    """Two consecutive answers: the second repeats the last half of the first."""
    half = records // 2
    rows = list(TrafficModel(seed=1, timezone=ZoneInfo(ZONE)).bulk("bench", NOW, records + half))
    return envelope(rows[:records]).body, envelope(rows[half : records + half]).body


async def _one_poll(first: bytes, second: bytes, expected_new: int) -> float:
    """Seconds of the second poll (the first, untimed, stores the calls it repeats)."""
    settings = settings_for(1, poll_every="1m")
    (name,) = operation_names(1)
    clock = ManualClock(NOW)
    source = BytesSource()
    with store_directory() as directory:
        store = SQLiteStore(path=directory / "callbot.sqlite3")
        await store.open()
        try:
            monitor = bench_runtime(settings, store=store, source=source, clock=clock).monitor
            source.body = first
            if (await monitor.poll(name)).outcome != "ok":
                raise RuntimeError("the first poll failed")
            clock.advance(timedelta(seconds=30))
            source.body = second
            started = time.perf_counter()
            report = await monitor.poll(name)
            elapsed = time.perf_counter() - started
        finally:
            await store.close()
    if report.outcome != "ok" or report.new != expected_new:
        raise RuntimeError(f"the timed poll counted {report.new} new calls: {report.error}")
    return elapsed


def run(*, quick: bool = False) -> list[Figure]:
    records = 20_000 if quick else 60_000
    rounds = 3 if quick else 7
    first, second = bodies(records)
    freeze_start_up_heap()  # as the bot does once started (Runtime.start)
    polls, floors, ratios = [], [], []
    for i in range(rounds):
        if i % 2:
            floor = timed(lambda: TYPED_FLOOR.decode(second))
            poll = asyncio.run(_one_poll(first, second, records // 2))
        else:
            poll = asyncio.run(_one_poll(first, second, records // 2))
            floor = timed(lambda: TYPED_FLOOR.decode(second))
        polls.append(poll)
        floors.append(floor)
        ratios.append(poll / floor)
    ratio = median(ratios)
    return [
        Figure(
            name=f"whole {records:,}-record poll, half seen, bytes to SQLite / msgspec decode",
            value=f"{ratio:.2f}x",
            target=f"<= {TARGET_RATIO:g}x",
            passed=ratio <= TARGET_RATIO,
            note=(
                f"median of {rounds} rounds; poll {median(polls) * 1e3:.0f} ms "
                f"(decode, map, plan, evaluate, commit, swap; {records // 2:,} new calls "
                f"written); floor: msgspec typed decode {median(floors) * 1e3:.0f} ms "
                f"(ratios {min(ratios):.2f}-{max(ratios):.2f}x)"
            ),
        )
    ]
