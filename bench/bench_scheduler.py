"""How many operations one process polls every 5 minutes: 500, with the p99 lag of job starts.

The whole bot minus the Slack transport runs as `callbot run` builds it (`bootstrap.build_runtime`:
the PollScheduler on APScheduler, the Monitor, the WolkvoxClient, the SQLite store on disk,
the outbox drainer posting to a local fake Slack), against `callbot simulate` in another
process. Both run a simulated clock `SPEED` times faster than real time, so a 5-minute period
takes 300/SPEED real seconds: the bot does SPEED times the work per real second that it
would do in production, which makes the figure conservative.

Lag is real time from the moment APScheduler scheduled a job to run (jitter included,
since spreading operations is deliberate) to the moment it started it, read from
APScheduler's own "Running job ... (scheduled at ...)" log records. A run that APScheduler
reports missed, or skipped because the previous cycle was still running, is counted apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Figure, percentile
from bench.wiring import BOT_TOKEN, settings_for, simulator_process

NAME = "scheduler"
TARGET_P99_S = 1.0
PERIOD = timedelta(minutes=5)


class _JobStarts(logging.Handler):
    """Collects APScheduler's job start, miss and skip records."""

    def __init__(self, wanted: int) -> None:
        super().__init__(level=logging.INFO)
        self.lags: list[float] = []
        self.missed = 0
        self.skipped = 0
        self.wanted = wanted
        self.enough = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg if isinstance(record.msg, str) else ""
        if message.startswith("Running job") and record.args:
            scheduled = record.args[-1] if isinstance(record.args, tuple) else None
            if isinstance(scheduled, datetime):
                self.lags.append(record.created - scheduled.timestamp())
                if len(self.lags) >= self.wanted:
                    self.enough.set()
        elif message.startswith("Run time of job"):
            self.missed += 1
        elif "maximum number of running instances" in message:
            self.skipped += 1


async def _run_bot(operations: int, speed: float, periods: int, url: str) -> dict[str, Any]:
    from bot.adapters.clock import SimulatedClock
    from bot.adapters.scheduler import jitter_for
    from bot.adapters.slack.app import build_web_client
    from bot.adapters.slack.notifier import SlackChat
    from bot.adapters.slack.presenter import SlackPresenter
    from bot.bootstrap import build_runtime
    from bot.services.monitor import CycleReport
    from tests.fakes.slack_api import FakeSlackApi

    outcomes: dict[str, int] = {}

    def count(report: CycleReport) -> None:
        outcomes[report.outcome] = outcomes.get(report.outcome, 0) + 1

    starts = _JobStarts(wanted=operations * (periods + 1))
    apscheduler = logging.getLogger("apscheduler")
    apscheduler.addHandler(starts)
    apscheduler.setLevel(logging.INFO)
    apscheduler.propagate = False
    try:
        with tempfile.TemporaryDirectory(prefix="callbot-bench-") as directory:
            settings = settings_for(
                operations, base_url=url, store_path=Path(directory) / "callbot.sqlite3"
            )
            async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
                chat = SlackChat(
                    client=build_web_client(bot_token=BOT_TOKEN, api_url=slack.api_url)
                )
                runtime = build_runtime(
                    settings,
                    clock=SimulatedClock(datetime.now(UTC), speed=speed),
                    chat=chat,
                    presenter=SlackPresenter(language="en", mask_personal_data=True),
                    speed=speed,
                    on_cycle=count,
                )
                before = resource.getrusage(resource.RUSAGE_SELF)
                started = time.monotonic()
                await runtime.start()
                period_s = PERIOD.total_seconds() / speed
                within = 2.0 + (periods + 1) * period_s + jitter_for(period_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(starts.enough.wait(), timeout=within)
                await runtime.stop()
                wall = time.monotonic() - started
                after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        apscheduler.removeHandler(starts)
        apscheduler.propagate = True
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "lags": starts.lags,
        "missed": starts.missed,
        "skipped": starts.skipped,
        "outcomes": outcomes,
        "cpu_share": cpu / wall,
    }


def run(*, quick: bool = False) -> list[Figure]:
    operations, speed, periods = (100, 30.0, 2) if quick else (500, 10.0, 2)
    logging.getLogger("callbot").setLevel(logging.ERROR)
    with simulator_process(speed=speed) as url:
        result = asyncio.run(_run_bot(operations, speed, periods, url))
    lags = result["lags"]
    if not lags:
        raise RuntimeError("APScheduler started no job")
    p50, p99 = percentile(lags, 50), percentile(lags, 99)
    polls = sum(result["outcomes"].values())
    failed = polls - result["outcomes"].get("ok", 0)
    clean = result["missed"] == 0 and result["skipped"] == 0 and failed == 0
    return [
        Figure(
            name=f"{operations} operations every 5 min: p99 lag of job start",
            value=f"{p99 * 1e3:.0f} ms",
            target=f"<= {TARGET_P99_S:g} s",
            passed=p99 <= TARGET_P99_S and clean,
            note=(
                f"clock {speed:g}x (a period is {PERIOD.total_seconds() / speed:g} s real, so "
                f"the load of {operations * speed:,.0f} operations in production): "
                f"{len(lags)} job starts, p50 "
                f"{p50 * 1e3:.0f} ms, max {max(lags) * 1e3:.0f} ms; {polls} cycles "
                f"({failed} not ok: {result['outcomes']}), {result['missed']} missed, "
                f"{result['skipped']} skipped; the bot used {result['cpu_share']:.0%} of one core"
            ),
        )
    ]
