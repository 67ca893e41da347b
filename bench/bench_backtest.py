"""`callbot backtest`: a week of 5-minute polls at 50,000 calls a day, against its own floor.

The work measured is a whole replay (`bot.backtest.command.replay_calls`): 2,017 polls of
the real poll cycle (each poll's calls mapped from vendor rows, ingested into the call log,
every shipped rule evaluated, alerts stepped, notifications planned, the cycle committed
to a memory store, the outbox read back). The floor is the part no backtest can skip:
serving the same polls their calls, i.e. slicing each poll's 10 minutes out of the sorted
rows and mapping them to CallRecords (`ReplayCalls.calls_last_10` alone). Both are timed
alternately on the same rows, and the figure is the median of the per-pair ratios; the
replay's own seconds are shown beside it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bench.common import Figure, median, timed
from bot.adapters.clock import ManualClock
from bot.backtest.command import _BUILTIN, Calls, replay_calls
from bot.backtest.sources import ReplayCalls, TimedRow, scenario_rows
from bot.domain.call_log import API_WINDOW
from bot.services.backtest import poll_times
from bot.settings import parse_settings

NAME = "backtest"
CALLS_PER_DAY = 50_000
TARGET_RATIO = 5.0
TARGET_SECONDS = 60.0


def _rows(days: int) -> tuple[list[TimedRow], datetime, datetime]:
    """`days` of the simulator's ordinary traffic scaled to CALLS_PER_DAY, from a Monday."""
    settings = parse_settings(_BUILTIN, source="bench", env={})
    zone = settings.operations[0].timezone
    start = datetime(2026, 11, 23, tzinfo=zone)
    end = start + timedelta(days=days)
    probe = scenario_rows(
        scenario="normal", start=start, end=start + timedelta(days=1), anchor=start,
        zone=zone, token="simulated",
    )  # fmt: skip
    volume = CALLS_PER_DAY / max(len(probe), 1)
    rows = scenario_rows(
        scenario="normal", start=start - API_WINDOW, end=end, anchor=start, zone=zone,
        token="simulated", volume=volume,
    )  # fmt: skip
    return rows, start, end


def run(*, quick: bool = False) -> list[Figure]:
    days = 1 if quick else 7
    pairs = 1 if quick else 3
    settings = parse_settings(_BUILTIN, source="bench", env={})
    operation = settings.operations[0]
    rows, start, end = _rows(days)
    calls = Calls(tuple(rows), start=start, end=end)
    times = poll_times(start, end, operation.poll_every)

    def floor() -> None:
        clock = ManualClock(start)
        source = ReplayCalls(calls.rows, zone=operation.timezone, clock=clock)

        async def serve() -> None:
            for at in times:
                clock.set(at)
                await source.calls_last_10(operation.name)

        asyncio.run(serve())

    def replay() -> None:
        asyncio.run(replay_calls(settings, operation, calls, start=start, end=end))

    ratios, bare, full = [], [], []
    for i in range(pairs):
        if i % 2:
            b, f = timed(floor), timed(replay)
        else:
            f, b = timed(replay), timed(floor)
        bare.append(b)
        full.append(f)
        ratios.append(f / b)
    ratio, seconds = median(ratios), median(full)
    label = f"{days} day{'s' if days != 1 else ''} of 5-minute polls, {len(rows):,} calls"
    return [
        Figure(
            name=f"backtest replay of {label} / serving the same polls their calls",
            value=f"{ratio:.2f}x",
            target=f"<= {TARGET_RATIO:g}x",
            passed=ratio <= TARGET_RATIO,
            note=(
                f"median of {pairs} interleaved pairs over {len(times)} polls; floor: serving "
                f"(slice + map) {median(bare):.2f} s, whole replay {seconds:.2f} s"
            ),
        ),
        Figure(
            name=f"backtest replay of {label}, seconds",
            value=f"{seconds:.1f} s",
            target=f"<= {TARGET_SECONDS:g} s",
            passed=seconds <= TARGET_SECONDS,
            note="informative beside the ratio: 'replays in seconds' on this machine",
        ),
    ]
