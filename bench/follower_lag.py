"""Follower lag: how long after the holder's commit the other replica's `/calls last10` shows it.

Measured on running `callbot run --http` replicas (bench_replicas sets them up) by two
watchers that ask `/calls last10` over and over (signed slash commands, one shared HTTP
session, 10 ms apart), one on the replica holding the operation's lease, one on the other.
The holder swaps a cycle into memory as soon as the store has committed it, so the time its
answer first shows a new total is the commit (late by at most one request and the pause
between two); the lag is how much later the follower's answer first shows that commit's
total or a later commit's. Totals go down as well as up (the first poll brings ten minutes
of calls, and the window slides), so each total the follower shows is matched with the
holder's latest commit of that total before it was seen. Commits that leave the totals as
they were are not seen, so not counted.

The floor, measured side by side in the same span: a bare PostgreSQL NOTIFY on the same
server, from sending it on one connection to its arrival on another that LISTENs, what the
change feed costs at the least; the ratio shows what callbot adds (the follower's gathering
of changes, its reload from the store, the reply).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from dataclasses import dataclass, field

import aiohttp
import psycopg
from psycopg import sql

from tests.fakes.slack_requests import signed_request_headers, slash_command_body
from tests.postgres_server import BASE_URL
from tests.runtime.bot_process import SIGNING_SECRET, BotProcess

ASK_EVERY_S = 0.01
FLOOR_EVERY_S = 0.25
TOTAL = re.compile(r": ([\d,]+) calls? in the last")


@dataclass(slots=True)
class Watch:
    """When each new total of one replica's `/calls last10` was first seen (monotonic s)."""

    bot: BotProcess
    seen: list[tuple[float, int]] = field(default_factory=list)
    round_trips: list[float] = field(default_factory=list)

    async def total(self, session: aiohttp.ClientSession) -> int | None:
        body = slash_command_body("last10")
        headers = signed_request_headers(SIGNING_SECRET, body)
        url = f"{self.bot.url}/slack/events"
        started = time.monotonic()
        async with session.post(url, data=body.encode(), headers=headers) as response:
            text = await response.text()
        self.round_trips.append(time.monotonic() - started)
        if response.status != 200:
            raise RuntimeError(f"/calls last10 answered {response.status}: {text[:200]}")
        found = TOTAL.search(text)
        return int(found.group(1).replace(",", "")) if found else None

    async def run(self, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        while not stop.is_set():
            total = await self.total(session)
            if total is not None and (not self.seen or self.seen[-1][1] != total):
                self.seen.append((time.monotonic(), total))
            await asyncio.sleep(ASK_EVERY_S)


SKEW_S = 0.05
"""How much earlier than the holder's watcher the follower's may see a total (the holder's
answer is asked for every ASK_EVERY_S; the follower's reload alone takes longer)."""


def pair(lead: list[tuple[float, int]], follow: list[tuple[float, int]]) -> list[float | None]:
    """For each change of the holder's total after its first, how long until the follower
    showed it or a later one (None: never)."""
    shown: list[tuple[float, int]] = []
    for at, total in follow:
        commits = [i for i, (t, v) in enumerate(lead) if t <= at + SKEW_S and v == total]
        if commits:
            shown.append((at, commits[-1]))
    out: list[float | None] = []
    for i in range(1, len(lead)):
        caught = [at for at, commit in shown if commit >= i]
        out.append(min(caught) - lead[i][0] if caught else None)
    return out


async def _notify_floor(stop: asyncio.Event, out: list[float]) -> None:
    """Bare NOTIFY round trips on the PostgreSQL server, every FLOOR_EVERY_S until `stop`."""
    channel = sql.Identifier(f"callbot_bench_floor_{os.getpid()}")
    async with (
        await psycopg.AsyncConnection.connect(BASE_URL, autocommit=True) as listener,
        await psycopg.AsyncConnection.connect(BASE_URL, autocommit=True) as sender,
    ):
        await listener.execute(sql.SQL("LISTEN {}").format(channel))
        while not stop.is_set():
            arrived = asyncio.create_task(_next_notify(listener))
            await asyncio.sleep(0)
            started = time.perf_counter()
            await sender.execute(sql.SQL("NOTIFY {}").format(channel))
            out.append(await arrived - started)
            await asyncio.sleep(FLOOR_EVERY_S)


async def _next_notify(conn: psycopg.AsyncConnection[object]) -> float:
    async for _ in conn.notifies(timeout=10, stop_after=1):
        return time.perf_counter()
    raise TimeoutError("no notification within 10 s")


@dataclass(frozen=True, slots=True)
class Lags:
    follower: list[float]
    floor: list[float]
    round_trip: list[float]
    missed: int
    """Commits the follower never showed within the wait (counted, not in `follower`)."""


async def follower_lags(holder: BotProcess, follower: BotProcess, commits: int) -> Lags:
    """Watch both replicas until the holder's total changed `commits` times after its first
    answer with data, then pair each change with the follower's catching up."""
    stop = asyncio.Event()
    lead, follow = Watch(holder), Watch(follower)
    floor: list[float] = []
    async with aiohttp.ClientSession() as session:
        tasks = [
            asyncio.create_task(lead.run(session, stop)),
            asyncio.create_task(follow.run(session, stop)),
            asyncio.create_task(_notify_floor(stop, floor)),
        ]
        try:
            async with asyncio.timeout(60 + 10 * commits):
                while len(lead.seen) <= commits:
                    await asyncio.wait(tasks, timeout=0.5, return_when=asyncio.FIRST_EXCEPTION)
                    for task in tasks:
                        if task.done():
                            task.result()
                await asyncio.sleep(5)  # the follower's time to show the last change
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
    paired = pair(lead.seen[: commits + 1], follow.seen)
    lags = [lag for lag in paired if lag is not None]
    return Lags(lags, floor, lead.round_trips + follow.round_trips, len(paired) - len(lags))
