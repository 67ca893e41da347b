"""Resident memory of a bot that has 24 hours of history for 10 operations, and the extra peak
of one 60,000-record poll.

Each measurement runs in a fresh process (`--child`), so nothing of the benchmark runner is
counted. The child imports what the running bot imports, wires the real Monitor, call log,
rules, alert book and SQLite store, and plays 24 simulated hours of the simulator's traffic
(every operation polled every 5 minutes) through the real decode and mapping. Then one
operation is polled through the real WolkvoxClient against `callbot simulate --fault
over_limit` in another process (so the simulator's memory is not the bot's). The peak is
VmHWM after the poll minus VmRSS before it, with the peak reset first (Linux clear_refs).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.common import Figure, reset_peak_rss, status_kb
from bench.wiring import (
    TrafficSource,
    bench_runtime,
    operation_names,
    settings_for,
    store_directory,
)

NAME = "memory"
ROOT = Path(__file__).resolve().parents[1]
TARGET_RSS_MB = 120.0
TARGET_PEAK_RATIO = 3.0

RUNTIME_MODULES = (
    "bot.bootstrap",
    "bot.adapters.scheduler",
    "bot.adapters.slack.app",
    "bot.adapters.slack.http_server",
    "bot.adapters.slack.socket_mode",
    "bot.adapters.slack.notifier",
    "bot.adapters.slack.presenter",
    "bot.services.commands",
    "bot.adapters.slack.frontend",
    "bot.adapters.wolkvox.client",
    "bot.adapters.store.sqlite",
)
"""What a running bot has loaded; modules that do not exist (yet) are skipped."""


@dataclass(frozen=True, slots=True)
class ChildArgs:
    operations: int
    hours: int
    poll_minutes: int
    simulator: str


def _import_runtime() -> list[str]:
    loaded = []
    for name in RUNTIME_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        loaded.append(name)
    return loaded


class _SwitchableSource:
    """The history's traffic source until `current` is replaced by the real Wolkvox source."""

    def __init__(self, history: TrafficSource) -> None:
        self.current: Any = history

    async def calls_last_10(self, operation: str) -> Any:
        return await self.current.calls_last_10(operation)

    def budget(self, operation: str, now: datetime) -> Any:
        return self.current.budget(operation, now)

    def restore_budget(self, operation: str, day: date, used: int) -> None:
        self.current.restore_budget(operation, day, used)


async def _child(args: ChildArgs) -> dict[str, Any]:
    from bot.adapters.clock import ManualClock, SystemClock
    from bot.adapters.store.sqlite import SQLiteStore
    from bot.adapters.wolkvox.client import WolkvoxClient
    from bot.adapters.wolkvox.source import WolkvoxCallSource
    from tests.services.fakes import FakeChat

    loaded = _import_runtime()
    gc.collect()
    rss_imports = status_kb("VmRSS")
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    clock = ManualClock(end - timedelta(hours=args.hours))
    settings = settings_for(args.operations, base_url=args.simulator)
    history = TrafficSource(clock=clock)
    source = _SwitchableSource(history)
    names = operation_names(args.operations)
    with store_directory() as directory:
        store = SQLiteStore(path=directory / "callbot.sqlite3")
        await store.open()
        runtime = bench_runtime(settings, store=store, source=source, clock=clock, chat=FakeChat())
        monitor = runtime.monitor
        step = timedelta(minutes=args.poll_minutes)
        cycles = 0
        while clock.now() < end:
            for name in names:
                await monitor.poll(name)
                cycles += 1
            clock.advance(step)
        gc.collect()
        rss_with_generator = status_kb("VmRSS")
        records = history.records
        source.current = None
        del history
        gc.collect()
        rss_history = status_kb("VmRSS")

        async with WolkvoxClient(clock=SystemClock()) as client:
            source.current = WolkvoxCallSource(client=client, operations=settings.operations)
            clock.set(datetime.now(UTC))
            gc.collect()
            rss_before = status_kb("VmRSS")
            hwm_reset = reset_peak_rss()
            hwm_before = status_kb("VmHWM")
            report = await monitor.poll(names[0])
            hwm_after = status_kb("VmHWM")
            body = await _payload(args.simulator, names[0])
        await store.close()
    return {
        "modules": loaded,
        "cycles": cycles,
        "history_records": records,
        "rss_with_generator_kb": rss_with_generator,
        "rss_imports_kb": rss_imports,
        "rss_history_kb": rss_history,
        "rss_before_poll_kb": rss_before,
        "hwm_reset": hwm_reset,
        "hwm_before_kb": hwm_before,
        "hwm_after_kb": hwm_after,
        "poll_outcome": report.outcome,
        "poll_records": report.records,
        "payload_bytes": len(body),
    }


async def _payload(base_url: str, operation: str) -> bytes:
    import httpx

    from bench.wiring import token_of

    async with httpx.AsyncClient() as http:
        response = await http.get(
            base_url + "/api/v2/real_time.php",
            params={"api": "calls_last_10"},
            headers={"wolkvox-token": token_of(operation)},
            timeout=60,
        )
    return response.content


async def _decode_only(args: ChildArgs) -> dict[str, Any]:
    """The peak of a bare orjson.loads of the same body, in a process that did nothing else."""
    body = await _payload(args.simulator, operation_names(1)[0])
    gc.collect()
    before = status_kb("VmRSS")
    reset_peak_rss()
    decoded = orjson.loads(body)
    peak = status_kb("VmHWM") - before
    del decoded
    return {"decode_peak_kb": peak, "payload_bytes": len(body)}


def _measure(args: ChildArgs, mode: str = "--child") -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_memory", mode, json.dumps(vars_of(args))]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"the memory child failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def vars_of(args: ChildArgs) -> dict[str, Any]:
    return {
        "operations": args.operations,
        "hours": args.hours,
        "poll_minutes": args.poll_minutes,
        "simulator": args.simulator,
    }


def run(*, quick: bool = False) -> list[Figure]:
    from bench.wiring import simulator_process

    hours = 2 if quick else 24
    operations = 10
    with simulator_process(fault="over_limit") as url:
        child = ChildArgs(operations, hours, 5, url)
        result = _measure(child)
        result["decode_peak_kb"] = _measure(child, "--decode")["decode_peak_kb"]
    rss_mb = result["rss_history_kb"] / 1024
    extra_kb = result["hwm_after_kb"] - result["rss_before_poll_kb"]
    payload_mb = result["payload_bytes"] / 1e6
    ratio = extra_kb * 1024 / result["payload_bytes"]
    imports_mb = result["rss_imports_kb"] / 1024
    peak_how = "VmHWM reset before the poll" if result["hwm_reset"] else "VmHWM (could not reset)"
    return [
        Figure(
            name=f"RSS after {hours} h of history, {operations} operations",
            value=f"{rss_mb:.1f} MB",
            target=f"<= {TARGET_RSS_MB:g} MB",
            passed=rss_mb <= TARGET_RSS_MB,
            note=(
                f"{result['cycles']} poll cycles (every 5 min), {result['history_records']:,} "
                f"records through the real mapping, SQLite store; {imports_mb:.1f} MB of it is "
                "the interpreter and the libraries once imported, and it includes the "
                "in-process traffic generator's caches (a few MB)"
            ),
        ),
        Figure(
            name=f"extra peak of one {result['poll_records']:,}-record poll / payload",
            value=f"{ratio:.2f}x",
            target=f"<= {TARGET_PEAK_RATIO:g}x",
            passed=ratio <= TARGET_PEAK_RATIO and result["poll_outcome"] == "ok",
            note=(
                f"{extra_kb / 1024:.1f} MB above the resident set for a {payload_mb:.1f} MB "
                f"body ({peak_how}); a bare orjson.loads of it in a fresh process peaks at "
                f"{result['decode_peak_kb'] / 1024:.1f} MB "
                f"({result['decode_peak_kb'] * 1024 / result['payload_bytes']:.1f}x); "
                f"poll outcome {result['poll_outcome']}"
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--child", help="JSON arguments: measure history and one big poll")
    mode.add_argument("--decode", help="JSON arguments: measure a bare decode of the body")
    options = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if options.child is not None:
        result = asyncio.run(_child(ChildArgs(**json.loads(options.child))))
    else:
        result = asyncio.run(_decode_only(ChildArgs(**json.loads(options.decode))))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
