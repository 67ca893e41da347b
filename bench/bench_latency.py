"""`/calls last10` reply latency in HTTP mode, in bursts of 20 signed requests at once, while
every Wolkvox request hangs for 60 s.

The bot side is the production stack: the Bolt app (`build_app`) served by `start_http`, the
real /calls frontend over the RuntimeState that real poll cycles filled (WolkvoxClient against
the in-process simulator, SQLite store). Then the simulator is told to hold every request
(`Fault.SLOW`, 60 s), a poll of every operation is started and left hanging, and the bursts
are sent. The sender is another process (Slack is not in the bot's process), so its work is
not billed to the bot; latency is from sending a request to reading its whole answer.

The floor is a trivial aiohttp server in a process of its own answering every POST with a
fixed JSON body as long as the bot's reply. The sender alternates bursts between the two,
in rounds, and each round's bot p99 is compared with the same round's floor p99.
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
    bench_runtime,
    operation_names,
    settings_for,
    store_directory,
    token_of,
)

NAME = "latency"
ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 50.0
TARGET_RATIO = 3.0
"""Every round's p99 against the floor's p99 of the same round."""
BURST = 20
ROUNDS = 5
OPERATIONS = 3
SLOW_SECONDS = 60.0


async def _bot_under_slow_wolkvox(bursts: int) -> dict[str, Any]:
    from bot.adapters.clock import SystemClock
    from bot.adapters.slack.app import build_app, build_web_client
    from bot.adapters.slack.command_route import CommandShortcut
    from bot.adapters.slack.http_server import EVENTS_PATH, start_http
    from bot.adapters.slack.presenter import SlackPresenter
    from bot.adapters.store.sqlite import SQLiteStore
    from bot.adapters.wolkvox.client import WolkvoxClient
    from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
    from bot.adapters.wolkvox.source import WolkvoxCallSource
    from bot.bootstrap import calls_frontend
    from bot.services.commands import AllowAll
    from bot.services.heap import freeze_start_up_heap
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
        source = WolkvoxCallSource(client=client, operations=settings.operations)
        with store_directory() as directory:
            store = SQLiteStore(path=directory / "callbot.sqlite3")
            runtime = bench_runtime(
                settings, store=store, source=source, clock=clock, presenter=presenter
            )
            await store.open()
            monitor = runtime.monitor
            for name in names:
                report = await monitor.poll(name)
                if report.outcome != "ok":
                    raise RuntimeError(f"the priming poll failed: {report.error}")
            simulator.set_fault(Fault.SLOW)
            hanging = [asyncio.create_task(monitor.poll(name)) for name in names]
            tokens = [token_of(name) for name in names]
            await _until(lambda: all(simulator.in_flight(token) for token in tokens))
            web_client = build_web_client(bot_token=BOT_TOKEN, api_url=slack.api_url)
            service = calls_frontend(runtime, authorizer=AllowAll())
            app = build_app(
                frontend=service,
                bot_token=BOT_TOKEN,
                signing_secret=SIGNING_SECRET,
                client=web_client,
            )
            shortcut = CommandShortcut(signing_secret=SIGNING_SECRET, answer=service.quick_reply)
            server = await start_http(
                app,
                host=LOOPBACK,
                port=0,
                health=lambda: (True, "ok"),
                metrics=lambda: b"",
                shortcut=shortcut,
            )
            freeze_start_up_heap()  # as Runtime.start does once the bot is built
            started = time.monotonic()
            floor = None
            try:
                url = f"http://{LOOPBACK}:{server.port}{EVENTS_PATH}"
                size = await _reply_size(url)
                floor, floor_url = await _floor_server(size)
                result = await _sender(url, bursts, floor_url)
                result["reply_bytes"] = size
                result["held_s"] = time.monotonic() - started
                result["still_hanging"] = sum(not task.done() for task in hanging)
            finally:
                if floor is not None:
                    floor.terminate()
                    await floor.wait()
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


async def _reply_size(url: str) -> int:
    """Bytes of one `/calls last10` reply of the bot, for the floor server to match."""
    import aiohttp

    from tests.fakes.slack_requests import signed_request_headers, slash_command_body

    body = slash_command_body("last10", user_id="U000size")
    headers = signed_request_headers(SIGNING_SECRET, body)
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        return len(await response.read())


async def _floor_server(size: int) -> tuple[asyncio.subprocess.Process, str]:
    """The trivial aiohttp server in its own process; returns it and its URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bench_latency",
        "--floor-server",
        str(size),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
    return process, f"http://{LOOPBACK}:{int(line)}/slack/events"


async def _serve_floor(size: int) -> None:
    from aiohttp import web

    payload = json.dumps({"response_type": "ephemeral", "text": "x" * max(0, size - 45)})
    body = payload.encode()

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/slack/events", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()


async def _sender(url: str, bursts: int, floor_url: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bench_latency",
        "--send",
        url,
        "--floor",
        floor_url,
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


async def _send(url: str, floor_url: str, bursts: int) -> dict[str, Any]:
    """The sender process: a warm-up burst to each, then ROUNDS rounds of `bursts` bursts of
    BURST requests, alternating burst by burst between the bot and the floor server."""
    import aiohttp

    from tests.fakes.slack_requests import signed_request_headers, slash_command_body

    rounds: list[dict[str, list[float]]] = []
    failures: list[str] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(target: str, body: str, headers: dict[str, str], into: list[float]) -> None:
            started = time.perf_counter()
            async with session.post(target, data=body.encode(), headers=headers) as response:
                text = await response.text()
            elapsed = time.perf_counter() - started
            if response.status != 200 or (target == url and "blocks" not in text):
                failures.append(f"{response.status} {text[:120]}")
            else:
                into.append(elapsed)

        async def burst(target: str, tag: str, into: list[float]) -> None:
            requests = []
            for i in range(BURST):
                body = slash_command_body("last10", user_id=f"U{tag}{i:03d}")
                requests.append((body, signed_request_headers(SIGNING_SECRET, body)))
            await asyncio.gather(*(one(target, b, h, into) for b, h in requests))
            await asyncio.sleep(0.05)

        await burst(url, "warm", [])
        await burst(floor_url, "warm", [])
        for r in range(ROUNDS):
            measured: dict[str, list[float]] = {"bot": [], "floor": []}
            for n in range(bursts):
                pair = [(url, "bot"), (floor_url, "floor")]
                for target, name in pair if n % 2 == 0 else pair[::-1]:
                    await burst(target, f"{r:02d}{n:03d}", measured[name])
            rounds.append(measured)
    return {"rounds": rounds, "failures": failures[:5], "failed": len(failures)}


def run(*, quick: bool = False) -> list[Figure]:
    bursts = 2 if quick else 5
    result = asyncio.run(_bot_under_slow_wolkvox(bursts))
    rounds = result["rounds"]
    bot_ms = [x * 1e3 for r in rounds for x in r["bot"]]
    if not bot_ms or any(not r["bot"] or not r["floor"] for r in rounds):
        raise RuntimeError(f"no successful replies: {result['failures']}")
    p99s = [percentile([x * 1e3 for x in r["bot"]], 99) for r in rounds]
    floors = [percentile([x * 1e3 for x in r["floor"]], 99) for r in rounds]
    ratios = [b / f for b, f in zip(p99s, floors, strict=True)]
    worst = max(ratios)
    p50, p99 = percentile(bot_ms, 50), percentile(bot_ms, 99)
    ok = result["failed"] == 0 and result["still_hanging"] == OPERATIONS
    held = (
        f"{OPERATIONS} operations' polls were held by the simulator the whole "
        f"{result['held_s']:.1f} s ({result['still_hanging']} still hanging at the end)"
    )
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
                f"{len(bot_ms)} signed requests in {ROUNDS * bursts} bursts "
                f"({result['failed']} failed), max {max(bot_ms):.1f} ms; {held}"
            ),
        ),
        Figure(
            name=f"/calls last10 p99 / trivial aiohttp p99, worst of {ROUNDS} rounds",
            value=f"{worst:.2f}x",
            target=f"<= {TARGET_RATIO:g}x",
            passed=worst <= TARGET_RATIO and ok,
            note=(
                "per round (bot p99 / floor p99): "
                + ", ".join(
                    f"{b:.1f}/{f:.1f} ms = {q:.2f}x"
                    for b, f, q in zip(p99s, floors, ratios, strict=True)
                )
                + f"; floor: aiohttp answering a fixed {result['reply_bytes']:,}-byte JSON in "
                "its own process, bursts alternated with the bot's"
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--send", help="the /slack/events URL to burst")
    parser.add_argument("--floor", help="the trivial server's URL, burst alternately")
    parser.add_argument("--floor-server", type=int, metavar="BYTES", help="serve the floor")
    parser.add_argument("--bursts", type=int, default=5)
    args = parser.parse_args()
    if args.floor_server is not None:
        asyncio.run(_serve_floor(args.floor_server))
        return
    print(json.dumps(asyncio.run(_send(args.send, args.floor, args.bursts))))


if __name__ == "__main__":
    main()
