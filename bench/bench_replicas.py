"""Several replicas on one PostgreSQL database: failover time, follower lag, and polling lag at
200 operations.

Real `callbot run --http` processes (tests/runtime/bot_process.py) on one schema of the local
PostgreSQL server (bench/pg.py), against the Wolkvox simulator and the fake Slack Web API
served by this process on 127.0.0.1; the simulator notes when each request arrives, per token.

- Failover: two replicas poll one operation every second with `store.lease_ttl: 3s`. The
  holder of its lease is killed with SIGKILL between two requests, 0.3-0.6 s after the last
  answer (a request that may still be running, or whose end is not yet recorded, makes the
  next holder wait Wolkvox's 60 s, by design: such a round is reported apart); measured
  from the kill to the first successful poll by the survivor, read from its JSON log. The
  bound is poll_every + lease_ttl. The killed replica is started again (it follows) before
  the next round, which kills the new holder.
- Follower lag: two replicas poll one busy operation every second; from the holder's commit
  to the other replica's `/calls last10` showing the new totals, over many commits, against
  a bare PostgreSQL NOTIFY round trip on the same server as the floor (bench/follower_lag.py).
- Lag: 200 operations polled every 10 s (the default lease TTL, 30 s), by two replicas that
  spread the leases, and as the floor by one replica alone on its own schema, in the same
  run. Lag is how much later than the scheduler allows (`poll_every` plus its jitter, a
  tenth of the period) after the previous request on a token the next one reached the
  simulator, over every pair of consecutive requests in the measured span, once the leases
  have settled (each replica at its share, or no lease moving for two periods).
"""

from __future__ import annotations

import asyncio
import json
import math
import signal
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from aiohttp import web

from bench.common import Figure, median, percentile
from bench.follower_lag import ASK_EVERY_S, Lags, follower_lags
from bench.pg import pg_schema_url
from bot.adapters.scheduler import jitter_for
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.services.follow import SETTLE_S
from tests.fakes.slack_api import FakeSlackApi
from tests.runtime.bot_process import (
    BOT_TOKEN,
    WOLKVOX_TOKEN,
    BotProcess,
    Replicas,
    metric,
    write_config,
)
from tests.support import config as support_config

NAME = "replicas"
POLL_EVERY_S = 1.0
LEASE_TTL_S = 3.0
LAG_OPERATIONS = 200
LAG_POLL_EVERY_S = 10.0
TARGET_LAG_P99_S = 1.0
TARGET_FOLLOW_S = 2.0
FOLLOW_VOLUME = 20.0
"""The simulator's traffic, times its usual: new calls on almost every poll."""
OK_POLLS = 'callbot_polls_total{{operation="{}",outcome="ok"}}'
LEASE = 'callbot_leases{{operation="{}"}}'
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Arrivals:
    """When each `calls_last_10` request reached the simulator, per token (monotonic s)."""

    def __init__(self) -> None:
        self.by_token: dict[str, list[float]] = defaultdict(list)
        self.answered: dict[str, float] = {}
        """When the latest answer on each token was sent."""

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        token = request.headers.get("wolkvox-token", "")
        if request.query.get("api") == "calls_last_10":
            self.by_token[token].append(time.monotonic())
        try:
            return await handler(request)
        finally:
            self.answered[token] = time.monotonic()

    def lags(self, since: float, allowed: float) -> list[float]:
        """Per pair of consecutive requests after `since`, how much more than `allowed`
        seconds apart they arrived (0 when on time)."""
        out = []
        for times in self.by_token.values():
            chosen = [t for t in times if t >= since]
            out += [max(0.0, b - a - allowed) for a, b in pairwise(chosen)]
        return out


def _first_ok_poll_after(bot: BotProcess, moment: float) -> float | None:
    """Wall-clock time of the first `event=poll outcome=ok` line logged after `moment`."""
    for line in bot.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("event") == "poll" and entry.get("outcome") == "ok":
            at = datetime.fromisoformat(entry["ts"].replace("Z", "+00:00")).timestamp()
            if at > moment:
                return at
    return None


async def _until(check: Callable[[], bool], within_s: float) -> None:
    async with asyncio.timeout(within_s):
        while True:
            if check():
                return
            await asyncio.sleep(0.005)


def _between_requests(simulator: WolkvoxSimulator, arrivals: Arrivals) -> bool:
    """No request in flight, and the last one answered long enough ago that its holder has
    recorded that it ended (so the next holder need not wait Wolkvox's 60 s)."""
    answered = arrivals.answered.get(WOLKVOX_TOKEN)
    idle = time.monotonic() - answered if answered is not None else 0.0
    return simulator.in_flight(WOLKVOX_TOKEN) == 0 and 0.3 <= idle <= 0.6


async def _first_poll_by(bot: BotProcess, since: float) -> float:
    async with asyncio.timeout(120):
        while True:
            at = _first_ok_poll_after(bot, since)
            if at is not None:
                return at
            await asyncio.sleep(0.05)


async def _holder(replicas: Replicas, series: str) -> BotProcess:
    async with asyncio.timeout(60):
        while True:
            held = [bot for bot in replicas if metric(await bot.metrics(), series) == 1]
            if len(held) == 1:
                return held[0]
            await asyncio.sleep(0.1)


@asynccontextmanager
async def _deployment(
    simulator: WolkvoxSimulator,
    arrivals: Arrivals,
    *,
    schema: str,
    config: Callable[[Path, str, str], Path],
    count: int = 2,
) -> AsyncIterator[Replicas]:
    """`count` replicas started on a PostgreSQL schema of their own, between `simulator`
    (started here, `arrivals` noting its requests) and a fake Slack; `config(directory,
    base_url, store_url)` writes their configuration. On the way out they are killed and
    the fakes stopped; a measurement that ended normally is refused if a token ever had
    two requests in flight."""
    await simulator.start(middlewares=[arrivals.middleware])
    slack = await FakeSlackApi(bot_token=BOT_TOKEN).start()
    with tempfile.TemporaryDirectory(prefix="callbot-bench-") as tmp, pg_schema_url(schema) as url:
        directory = Path(tmp)
        path = config(directory, simulator.base_url, url)
        replicas = Replicas(directory, config=path, slack_api_url=slack.api_url, count=count)
        try:
            await replicas.start()
            yield replicas
            if simulator.max_concurrent_per_token > 1:
                raise RuntimeError("two requests were in flight on one token")
        finally:
            replicas.kill()
            await slack.stop()
            await simulator.stop()


def _failover_config(directory: Path, base_url: str, store_url: str) -> Path:
    return write_config(
        directory,
        base_url=base_url,
        store_url=store_url,
        lease_ttl=f"{LEASE_TTL_S:g}s",
        poll_every=f"{POLL_EVERY_S:g}s",
    )


async def _failovers(rounds: int) -> list[float]:
    arrivals = Arrivals()
    simulator = WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN], keeps_working=True, latency=0.05)
    times: list[float] = []
    async with _deployment(simulator, arrivals, schema="fo", config=_failover_config) as replicas:
        for _ in range(rounds):
            holder = await _holder(replicas, LEASE.format("bogota"))
            (survivor,) = [bot for bot in replicas if bot is not holder]
            await _until(lambda: _between_requests(simulator, arrivals), 60)
            assert holder.proc is not None
            killed_at = time.time()
            holder.proc.send_signal(signal.SIGKILL)
            await asyncio.to_thread(holder.proc.wait, 10)
            times.append(await _first_poll_by(survivor, killed_at) - killed_at)
            holder.start()
            await holder.wait_until(holder.answers, within_s=30)
    return times


def _follow_config(directory: Path, base_url: str, store_url: str) -> Path:
    return write_config(
        directory, base_url=base_url, store_url=store_url, poll_every=f"{POLL_EVERY_S:g}s"
    )


async def _follow(commits: int) -> Lags:
    simulator = WolkvoxSimulator(valid_tokens=[WOLKVOX_TOKEN], volume=FOLLOW_VOLUME, latency=0.05)
    async with _deployment(
        simulator, Arrivals(), schema="follow", config=_follow_config
    ) as replicas:
        holder = await _holder(replicas, LEASE.format("bogota"))
        (follower,) = [bot for bot in replicas if bot is not holder]
        return await follower_lags(holder, follower, commits)


def _follow_figure(lags: Lags, commits: int) -> Figure:
    follow, floor = lags.follower, lags.floor
    p50, p99, top = median(follow), percentile(follow, 99), max(follow)
    return Figure(
        name="follower lag: holder's commit -> the follower's /calls last10 shows its totals",
        value=f"p50 {p50 * 1e3:.0f} ms, p99 {p99 * 1e3:.0f} ms, max {top * 1e3:.0f} ms",
        target=f"<= {TARGET_FOLLOW_S:g} s",
        passed=top <= TARGET_FOLLOW_S and lags.missed == 0,
        note=(
            f"{len(follow)} of {commits} commits ({lags.missed} never shown); "
            f"floor, a bare NOTIFY round trip on the same server in the same span: p50 "
            f"{median(floor) * 1e3:.1f} ms, p99 {percentile(floor, 99) * 1e3:.1f} ms "
            f"({len(floor)} round trips), p50 ratio {p50 / median(floor):.0f}x, most of it the "
            f"{SETTLE_S * 1e3:g} ms a follower gathers changes for before it reloads; "
            f"resolution: one /calls request p50 {median(lags.round_trip) * 1e3:.1f} ms "
            f"+ {ASK_EVERY_S * 1e3:g} ms between requests; poll_every {POLL_EVERY_S:g} s"
        ),
    )


def _lag_config(directory: Path, base_url: str, store_url: str) -> Path:
    return support_config.write_config(
        directory / "callbot.yml",
        log_format="json",
        store={"url": store_url},
        operations=[
            support_config.operation(
                f"op{n:03d}",
                token=f"bench-token-{n:03d}",
                licenses=20,
                poll_every=f"{LAG_POLL_EVERY_S:g}s",
                base_url=base_url,
            )
            for n in range(LAG_OPERATIONS)
        ],
    )


async def _lag(count: int, measure_s: float) -> tuple[list[float], list[int]]:
    """Lags over `measure_s` seconds once every operation is polled by one replica; and how
    many leases each replica held."""
    arrivals = Arrivals()
    simulator = WolkvoxSimulator(latency=0.05)
    async with _deployment(
        simulator, arrivals, schema="lag", config=_lag_config, count=count
    ) as replicas:
        held = await _settled(replicas)
        since = time.monotonic()
        await asyncio.sleep(measure_s)
        lags = arrivals.lags(since, LAG_POLL_EVERY_S + jitter_for(LAG_POLL_EVERY_S))
    return lags, held


async def _settled(replicas: Replicas) -> list[int]:
    """Wait until every operation's lease is held by one replica and each holds at most its
    share, or no lease has moved for two poll periods; the leases each replica holds."""
    share = math.ceil(LAG_OPERATIONS / len(replicas.bots))
    previous: list[int] = []
    unchanged_since = time.monotonic()
    async with asyncio.timeout(300):
        while True:
            counts = [await _held(bot) for bot in replicas]
            if counts != previous:
                previous, unchanged_since = counts, time.monotonic()
            if sum(counts) == LAG_OPERATIONS and (
                max(counts) <= share or time.monotonic() - unchanged_since > 2 * LAG_POLL_EVERY_S
            ):
                return counts
            await asyncio.sleep(1)


async def _held(bot: BotProcess) -> int:
    text = await bot.metrics()
    return sum(metric(text, LEASE.format(f"op{n:03d}")) == 1 for n in range(LAG_OPERATIONS))


def run(*, quick: bool = False) -> list[Figure]:
    rounds = 3 if quick else 7
    measure_s = 30.0 if quick else 60.0
    commits = 10 if quick else 80
    follow = asyncio.run(_follow(commits))
    failovers = asyncio.run(_failovers(rounds))
    bound = POLL_EVERY_S + LEASE_TTL_S
    two, held = asyncio.run(_lag(2, measure_s))
    one, _ = asyncio.run(_lag(1, measure_s))
    p99_two, p99_one = percentile(two, 99), percentile(one, 99)
    return [
        _follow_figure(follow, commits),
        Figure(
            name="failover: kill -9 of the holder -> first poll by the other replica",
            value=f"{median(failovers):.1f} s",
            target=f"<= {bound:g} s",
            passed=max(failovers) <= bound,
            note=(
                f"median of {rounds} kills, max {max(failovers):.1f} s, "
                f"{sum(t > bound for t in failovers)} over the bound "
                f"(all: {', '.join(f'{t:.1f}' for t in failovers)} s); poll_every "
                f"{POLL_EVERY_S:g} s, lease_ttl {LEASE_TTL_S:g} s; killed between requests"
            ),
        ),
        Figure(
            name=f"{LAG_OPERATIONS} operations every {LAG_POLL_EVERY_S:g} s, two replicas: p99 lag",
            value=f"{p99_two * 1e3:.0f} ms",
            target=f"<= {TARGET_LAG_P99_S:g} s",
            passed=p99_two <= TARGET_LAG_P99_S,
            note=(
                f"{len(two)} intervals in {measure_s:g} s, {sum(x > 0 for x in two)} late, "
                f"p50 {median(two) * 1e3:.0f} ms, "
                f"max {max(two) * 1e3:.0f} ms; leases held {' / '.join(map(str, held))}; "
                f"floor: one replica alone p50 {median(one) * 1e3:.0f} ms, p99 "
                f"{p99_one * 1e3:.0f} ms, max {max(one) * 1e3:.0f} ms "
                f"({sum(x > 0 for x in one)} of {len(one)} late)"
            ),
        ),
    ]
