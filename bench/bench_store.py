"""Per-cycle commit latency: PostgreSQL against SQLite, measured side by side in one run.

One operation at the simulator's ordinary weekday traffic (about nine calls a minute at
10:00 in Bogota) is polled once a simulated minute by the production Monitor as assembled
(`bootstrap.assemble`), through the real decode and mapping; what is timed is the store's
`commit_cycle` alone (the new conn_ids, the touched minute buckets, the poll status, the
alert states and the outbox rows of one poll, in one transaction). The SQLite store is a
file in the system's temporary directory (synchronous=FULL, on the same disk as the
PostgreSQL server's data, whose fsync is on), the PostgreSQL store a schema of its own on the
local server (bench/pg.py). Rounds alternate which store goes first; the figure is the median
of the per-round ratios of median commit times.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from bench.bench_ingest import NOW
from bench.common import Figure, median, percentile
from bench.pg import pg_schema_url
from bench.wiring import TrafficSource, bench_runtime, operation_names, settings_for
from bot.adapters.clock import ManualClock
from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.services.ports.store import CycleCommit, Store

NAME = "store"
WARM_UP = 3
"""Cycles not timed at the start of each round (connections, the first big window)."""


async def _commit_times(store: Store, cycles: int) -> list[float]:
    """Seconds of each `commit_cycle` over `cycles` polls a simulated minute apart."""
    settings = settings_for(1, poll_every="1m")
    (name,) = operation_names(1)
    clock = ManualClock(NOW)
    source = TrafficSource(clock=clock)
    times: list[float] = []
    commit: Callable[[CycleCommit], Awaitable[list[int]]] = store.commit_cycle

    async def timed_commit(cycle: CycleCommit) -> list[int]:
        started = time.perf_counter()
        try:
            return await commit(cycle)
        finally:
            times.append(time.perf_counter() - started)

    store.commit_cycle = timed_commit  # type: ignore[method-assign]
    await store.open()
    try:
        monitor = bench_runtime(settings, store=store, source=source, clock=clock).monitor
        for _ in range(WARM_UP + cycles):
            clock.advance(timedelta(minutes=1))
            report = await monitor.poll(name)
            if report.outcome != "ok":
                raise RuntimeError(f"a poll failed: {report.error}")
    finally:
        await store.close()
    return times[WARM_UP:]


def _sqlite(cycles: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="callbot-bench-") as directory:
        return asyncio.run(_commit_times(SQLiteStore(path=Path(directory) / "c.sqlite3"), cycles))


def _postgres(cycles: int) -> list[float]:
    with pg_schema_url("store") as url:
        return asyncio.run(_commit_times(PostgresStore(url=url), cycles))


def run(*, quick: bool = False) -> list[Figure]:
    rounds = 3 if quick else 7
    cycles = 20 if quick else 60
    sqlite_all: list[float] = []
    pg_all: list[float] = []
    ratios = []
    for i in range(rounds):
        if i % 2:
            pg, lite = _postgres(cycles), _sqlite(cycles)
        else:
            lite, pg = _sqlite(cycles), _postgres(cycles)
        sqlite_all += lite
        pg_all += pg
        ratios.append(median(pg) / median(lite))
    ratio = median(ratios)
    ms = 1e3
    return [
        Figure(
            name="per-cycle commit, PostgreSQL / SQLite (median)",
            value=f"{ratio:.2f}x",
            target="-",
            passed=None,
            note=(
                f"median of {rounds} rounds of {cycles} polls each, alternating; "
                f"PostgreSQL p50 {median(pg_all) * ms:.1f} ms, p99 "
                f"{percentile(pg_all, 99) * ms:.1f} ms; SQLite (floor, synchronous=FULL on "
                f"the same disk) p50 {median(sqlite_all) * ms:.1f} ms, p99 "
                f"{percentile(sqlite_all, 99) * ms:.1f} ms (ratios "
                f"{min(ratios):.2f}-{max(ratios):.2f}x)"
            ),
        )
    ]
