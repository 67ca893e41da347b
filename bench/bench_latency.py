"""`/calls last10` reply latency in HTTP mode, in bursts of 20 signed requests at once, while
every Wolkvox request hangs for 60 s.

The bot side is the production stack: the Bolt app (`build_app`) served by `start_http`, the
real CommandService over the RuntimeState that real poll cycles filled (WolkvoxClient against
the in-process simulator, SQLite store). Then the simulator is told to hold every request
(`Fault.SLOW`, 60 s), a poll of every operation is started and left hanging, and the bursts
are sent. The sender is another process (Slack is not in the bot's process), so its work is
not billed to the bot; latency is from sending a request to reading its whole answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import LOOPBACK, Figure, percentile
from bench.wiring import (
    BOT_TOKEN,
    SIGNING_SECRET,
    operation_names,
    settings_for,
    store_directory,
    token_of,
)

NAME = "latency"
ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 50.0
BURST = 20
OPERATIONS = 3
SLOW_SECONDS = 60.0


async def _bot_under_slow_wolkvox(bursts: int) -> dict[str, Any]:
    from bot.adapters.clock import SystemClock
    from bot.adapters.slack.app import build_app, build_web_client
    from bot.adapters.slack.http_server import EVENTS_PATH, start_http
    from bot.adapters.slack.presenter import SlackPresenter
    from bot.adapters.store.sqlite import SQLiteStore
    from bot.adapters.wolkvox.client import WolkvoxClient
    from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
    from bot.adapters.wolkvox.source import WolkvoxCallSource
    from bot.services.commands import AllowAll, CommandService
    from bot.services.control import Controls
    from bot.services.monitor import Monitor
    from bot.services.state import RuntimeState
    from tests.fakes.slack_api import FakeSlackApi

    clock = SystemClock()
    presenter = SlackPresenter(language="en", mask_personal_data=True)
    names = operation_names(OPERATIONS)
    async with (
        FakeSlackApi(bot_token=BOT_TOKEN) as slack,
        WolkvoxSimulator(slow_seconds=SLOW_SECONDS) as simulator,
        WolkvoxClient(clock=clock) as client,
    ):
        settings = settings_for(OPERATIONS, base_url=simulator.base_url)
        state = RuntimeState.from_settings(settings)
        source = WolkvoxCallSource(client=client, operations=settings.operations)
        with store_directory() as directory:
            store = SQLiteStore(path=directory / "callbot.sqlite3")
            await store.open()
            monitor = Monitor(
                state=state, source=source, store=store, clock=clock, presenter=presenter
            )
            for name in names:
                report = await monitor.poll(name)
                if report.outcome != "ok":
                    raise RuntimeError(f"the priming poll failed: {report.error}")
            simulator.set_fault(Fault.SLOW)
            hanging = [asyncio.create_task(monitor.poll(name)) for name in names]
            tokens = [token_of(name) for name in names]
            await _until(lambda: all(simulator.in_flight(token) for token in tokens))
            web_client = build_web_client(bot_token=BOT_TOKEN, api_url=slack.api_url)
            service = CommandService(
                state=state,
                controls=Controls(state=state, store=store, clock=clock, presenter=presenter),
                clock=clock,
                source=source,
                language="en",
                mask_personal_data=True,
                authorizer=AllowAll(),
            )
            app = build_app(
                frontend=service,
                bot_token=BOT_TOKEN,
                signing_secret=SIGNING_SECRET,
                client=web_client,
            )
            server = await start_http(
                app, host=LOOPBACK, port=0, health=lambda: (True, "ok"), metrics=lambda: b""
            )
            started = time.monotonic()
            try:
                url = f"http://{LOOPBACK}:{server.port}{EVENTS_PATH}"
                result = await _sender(url, bursts)
                result["held_s"] = time.monotonic() - started
                result["still_hanging"] = sum(not task.done() for task in hanging)
            finally:
                await server.stop()
                simulator.set_fault(None)
                simulator.release_slow()
                await asyncio.gather(*hanging, return_exceptions=True)
                await store.close()
    return result


async def _until(condition: Any, within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the Wolkvox requests were not held by the simulator")
        await asyncio.sleep(0.01)


async def _sender(url: str, bursts: int) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bench_latency",
        "--send",
        url,
        "--bursts",
        str(bursts),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the sender failed: {err.decode()[-2000:]}")
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


async def _send(url: str, bursts: int) -> dict[str, Any]:
    """The sender process: one warm-up burst, then `bursts` timed bursts of BURST requests."""
    import aiohttp

    from tests.fakes.slack_requests import signed_request_headers, slash_command_body

    latencies: list[float] = []
    failures: list[str] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(body: str, headers: dict[str, str]) -> None:
            started = time.perf_counter()
            async with session.post(url, data=body.encode(), headers=headers) as response:
                text = await response.text()
            elapsed = time.perf_counter() - started
            if response.status != 200 or "blocks" not in text:
                failures.append(f"{response.status} {text[:120]}")
            else:
                latencies.append(elapsed)

        for burst in range(bursts + 1):
            requests = []
            for i in range(BURST):
                body = slash_command_body("last10", user_id=f"U{burst:03d}{i:03d}")
                requests.append((body, signed_request_headers(SIGNING_SECRET, body)))
            if burst == 0:
                await asyncio.gather(*(one(b, h) for b, h in requests))
                latencies.clear()
                continue
            await asyncio.gather(*(one(b, h) for b, h in requests))
            await asyncio.sleep(0.05)
    return {"latencies": latencies, "failures": failures[:5], "failed": len(failures)}


def run(*, quick: bool = False) -> list[Figure]:
    bursts = 5 if quick else 25
    result = asyncio.run(_bot_under_slow_wolkvox(bursts))
    latencies_ms = [x * 1e3 for x in result["latencies"]]
    if not latencies_ms:
        raise RuntimeError(f"no successful replies: {result['failures']}")
    p50, p99 = percentile(latencies_ms, 50), percentile(latencies_ms, 99)
    ok = result["failed"] == 0 and result["still_hanging"] == OPERATIONS
    return [
        Figure(
            name=f"/calls last10 over HTTP, bursts of {BURST}, Wolkvox hanging 60 s: p50",
            value=f"{p50:.1f} ms",
            target="-",
            passed=None,
        ),
        Figure(
            name=f"/calls last10 over HTTP, bursts of {BURST}, Wolkvox hanging 60 s: p99",
            value=f"{p99:.1f} ms",
            target=f"<= {TARGET_P99_MS:g} ms",
            passed=p99 <= TARGET_P99_MS and ok,
            note=(
                f"{len(latencies_ms)} signed requests in {bursts} bursts ({result['failed']} "
                f"failed), max {max(latencies_ms):.1f} ms; {OPERATIONS} operations' polls were "
                f"held by the simulator the whole {result['held_s']:.1f} s "
                f"({result['still_hanging']} still hanging at the end)"
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--send", required=True, help="the /slack/events URL to burst")
    parser.add_argument("--bursts", type=int, default=25)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(_send(args.send, args.bursts))))


if __name__ == "__main__":
    main()
