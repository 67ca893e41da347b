"""From the end of a poll cycle to the alert's chat.postMessage arriving at a local fake Slack.

The production path: the Monitor commits the alert's outbox row (SQLite on disk, with the
store's own fsync settings) and wakes the OutboxDrainer, which runs as in the bot and posts
through SlackChat and slack_sdk's AsyncWebClient to `tests/fakes/slack_api.FakeSlackApi`
on 127.0.0.1. Each sample is one operation's first poll, whose calls breach a rule set to
fire at once; the clock starts when `Monitor.poll` returns and stops when the fake Slack
has recorded the post.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Figure, median, percentile
from bench.wiring import BOT_TOKEN, TrafficSource, bench_runtime, operation_names, settings_for
from tests.support.config import rule

NAME = "poll_to_post"
TARGET_MS = 200.0
BUSINESS_HOURS = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota
RULE = rule(
    "inbound-seen",
    description="fires on any inbound call, so that every first poll alerts",
    match={"type": ["inbound"]},
    window="10m",
    warning=2,
    recover=1,
    **{"for": 1},
)


async def _measure(operations: int) -> dict[str, Any]:
    from bot.adapters.clock import ManualClock
    from bot.adapters.slack.app import build_web_client
    from bot.adapters.slack.notifier import SlackChat
    from bot.adapters.store.sqlite import SQLiteStore
    from tests.fakes.slack_api import FakeSlackApi

    clock = ManualClock(BUSINESS_HOURS)
    settings = settings_for(operations, rules=[RULE], defaults=False)
    latencies: list[float] = []
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        chat = SlackChat(client=build_web_client(bot_token=BOT_TOKEN, api_url=slack.api_url))
        with tempfile.TemporaryDirectory(prefix="callbot-bench-") as directory:
            store = SQLiteStore(path=Path(directory) / "callbot.sqlite3")
            runtime = bench_runtime(
                settings, store=store, source=TrafficSource(clock=clock), clock=clock, chat=chat
            )
            await store.open()
            drainer, monitor = runtime.drainer, runtime.monitor
            stop = asyncio.Event()
            draining = asyncio.create_task(drainer.run(stop))
            try:
                await asyncio.sleep(0.05)
                for i, name in enumerate(operation_names(operations)):
                    report = await monitor.poll(name)
                    ended = time.perf_counter()
                    if not report.outbox_ids:
                        raise RuntimeError(f"the poll of {name} decided no alert")
                    await slack.wait_for("chat.postMessage", count=i + 1, within_s=10)
                    latencies.append(time.perf_counter() - ended)
                    await asyncio.sleep(0.02)
            finally:
                stop.set()
                await draining
                await store.close()
        posted = len(slack.calls_to("chat.postMessage", ok_only=True))
    return {"latencies": latencies, "posted": posted}


def run(*, quick: bool = False) -> list[Figure]:
    operations = 5 if quick else 30
    result = asyncio.run(_measure(operations))
    ms = [x * 1e3 for x in result["latencies"]]
    worst = max(ms)
    return [
        Figure(
            name="end of poll -> chat.postMessage at a local fake Slack (max)",
            value=f"{worst:.1f} ms",
            target=f"<= {TARGET_MS:g} ms",
            passed=worst <= TARGET_MS and result["posted"] == operations,
            note=(
                f"{len(ms)} alerts, one per operation's first poll: median {median(ms):.1f} ms, "
                f"p90 {percentile(ms, 90):.1f} ms; SQLite store on disk (synchronous=FULL), "
                "drainer woken by the poll as in the bot"
            ),
        )
    ]
