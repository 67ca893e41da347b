"""Two replicas on one PostgreSQL schema, each the bot as `assemble` builds it (its own
PostgresStore, monitor and leadership), the scheduler's jobs fired by hand: each operation
polled by one replica at a time, four operations spread two each, a replica that stops
renewing taken over with its incident going on in the original message, and a paused old
holder's cycle refused. Death is simulated by expiring the replica's rows in the database,
never by waiting."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.http_server import start_health_server
from bot.adapters.store.postgres import PostgresStore
from bot.runtime import Runtime
from bot.services.monitor import LEASE_LOST
from tests.fakes.slack_requests import http_get
from tests.services.fakes import Batch, FakeChat, FakeSource
from tests.services.test_monitor import calls
from tests.support.config import make_settings, operation, rule
from tests.support.world import assembled

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota
OPS = ("a", "b", "c", "d")
SETTINGS = make_settings(
    operations=[operation(name, token=f"t-{name}") for name in OPS],
    rules=[rule(window="10m", warning=3, recover=2, **{"for": 1})],
)


class ReplicaSource(FakeSource):
    """A replica's Wolkvox: `paused` holds its answers (a holder paused mid-cycle) until
    set; `flights`, shared by replicas, counts the cycles of each operation fetching."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = asyncio.Event()
        self.paused: asyncio.Event | None = None
        self.flights: dict[str, int] = {}
        self.most = 0

    async def calls_last_10(self, operation: str) -> Batch:
        self.asked.set()
        self.flights[operation] = self.flights.get(operation, 0) + 1
        self.most = max(self.most, self.flights[operation])
        try:
            if self.paused is not None:
                await self.paused.wait()
            for _ in range(3):
                await asyncio.sleep(0)
            return await super().calls_last_10(operation)
        finally:
            self.flights[operation] -= 1


class Replica:
    """One `callbot run` process, minus the timetable: `round()` fires every job once."""

    def __init__(self, url: str, chat: FakeChat, clock: ManualClock) -> None:
        self.store = PostgresStore(url=url)
        self.source = ReplicaSource()
        self.runtime: Runtime = assembled(
            SETTINGS, clock=clock, store=self.store, source=self.source, chat=chat
        )

    @property
    def held(self) -> list[str]:
        return sorted(self.runtime.leadership.held)

    async def round(self) -> list[str]:
        """Every operation's job fires once; the operations this replica polled."""
        before = len(self.source.calls)
        for op in OPS:
            await self.runtime.leadership.poll(op)
        return sorted(self.source.calls[before:])


@pytest.fixture
async def replicas(
    pg_url: str, clock: ManualClock
) -> AsyncIterator[tuple[Replica, Replica, FakeChat]]:
    chat = FakeChat()
    x, y = Replica(pg_url, chat, clock), Replica(pg_url, chat, clock)
    for r in (x, y):
        await r.runtime.open()
    yield x, y, chat
    for r in (x, y):
        await r.runtime.leadership.release_all()
        await r.store.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


def die(url: str, replica: Replica) -> None:
    """The replica stopped renewing long ago: its heartbeat and its leases ran out."""
    me = replica.store.replica
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE leases SET expires_at = 0 WHERE owner = %s", (me,))
        conn.execute("DELETE FROM replicas WHERE replica = %s", (me,))


async def test_four_operations_over_two_replicas_two_each_one_poller_each(
    replicas: tuple[Replica, Replica, FakeChat],
) -> None:
    x, y, _ = replicas
    assert await x.round() == list(OPS)  # alone at first: x takes all four
    assert await y.round() == []  # x holds them all
    assert await x.round() == list(OPS)  # x gives back its extras after their cycle
    for _ in range(3):
        by_x, by_y = await x.round(), await y.round()
        assert sorted(by_x + by_y) == list(OPS)  # each operation polled once a round
        assert (by_x, by_y) == (["a", "b"], ["c", "d"])
    assert x.runtime.leadership.epochs() == {"a": 1, "b": 1}
    assert y.runtime.leadership.epochs() == {"c": 2, "d": 2}


async def test_a_dead_replicas_incident_goes_on_in_its_original_message(
    replicas: tuple[Replica, Replica, FakeChat], pg_url: str, clock: ManualClock
) -> None:
    x, y, chat = replicas
    x.source.queue("a", calls(T0, abandons=5))
    await x.round()
    await x.runtime.drainer.drain_once()
    [posted] = chat.messages
    firing = x.runtime.state.alerts.get("abandons", "a")
    assert firing.firing and posted.incident_id == firing.incident_id

    die(pg_url, x)
    assert await y.round() == list(OPS)
    taken = y.runtime.state.alerts.get("abandons", "a")
    assert taken.firing and taken.incident_id == firing.incident_id

    clock.advance(timedelta(minutes=15))
    y.source.queue("a", calls(clock.now(), abandons=0))
    await y.round()
    await y.runtime.drainer.drain_once()
    assert not y.runtime.state.alerts.get("abandons", "a").firing
    assert [m.ts for m in chat.messages if m.thread_ts is None] == [posted.ts]
    assert posted.edits  # resolved in place, by the new holder
    assert y.runtime.leadership.epochs()["a"] == 2


async def test_a_paused_holders_cycle_is_refused_after_a_takeover(
    replicas: tuple[Replica, Replica, FakeChat], pg_url: str
) -> None:
    x, y, _ = replicas
    await x.round()
    x.source.paused = asyncio.Event()
    x.source.asked.clear()
    x.source.queue("a", calls(T0, abandons=5))
    cycle = asyncio.create_task(x.runtime.leadership.poll("a"))
    await x.source.asked.wait()

    die(pg_url, x)  # x pauses past its lease; y takes over and polls
    assert await y.round() == list(OPS)
    x.source.paused.set()
    report = await cycle

    assert report is not None and report.outcome == LEASE_LOST
    assert "a" not in x.held
    assert await y.store.outbox_depth() == 0  # x's five abandons posted nothing
    stored = await y.store.load(T0)
    assert not stored.alerts[("a", "abandons")].firing
    assert y.runtime.leadership.epochs()["a"] == 2


async def test_healthz_and_metrics_say_which_operations_each_replica_polls(
    replicas: tuple[Replica, Replica, FakeChat],
) -> None:
    x, y, _ = replicas
    for _ in range(2):
        await x.round()
        await y.round()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    health = x.runtime.health
    server = await start_health_server(
        port,
        host="127.0.0.1",
        health=health,
        metrics=x.runtime.metrics.exposition,
        detail=health.detail,
    )
    assert server is not None
    try:
        answer = await http_get(f"http://127.0.0.1:{port}/healthz")
        scrape = await http_get(f"http://127.0.0.1:{port}/metrics")
    finally:
        await server.stop()

    assert answer.text.splitlines()[1] == "leases: a (epoch 1), b (epoch 1)"
    for line in (
        'callbot_leases{operation="a"} 1.0',
        'callbot_leases{operation="c"} 0.0',
        'callbot_lease_epoch{operation="b"} 1.0',
    ):
        assert line in scrape.text.splitlines()
    assert 'callbot_lease_epoch{operation="c"}' not in scrape.text
    assert (y.runtime.health.detail() or "").splitlines()[0] == "leases: c (epoch 2), d (epoch 2)"


async def test_the_new_holder_waits_out_the_60s_of_a_request_the_dead_holder_sent(
    replicas: tuple[Replica, Replica, FakeChat], pg_url: str
) -> None:
    x, y, _ = replicas
    await x.round()
    refusal = await y.runtime.leadership.before_request("a")
    assert refusal is not None and "does not hold the lease of operation a" in refusal
    assert await x.runtime.leadership.before_request("a") is None  # sent; then x dies
    die(pg_url, x)
    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)

    y.runtime.leadership.sleep = wait
    polled = await y.round()

    assert "a" not in polled and sorted(polled) == ["b", "c", "d"]
    assert len(waits) == 1 and 50 < waits[0] <= 60  # the rest of Wolkvox's 60 s, by the DB
    assert "a" in y.held  # held meanwhile: nobody else may poll it


async def test_replicas_gating_at_once_never_poll_one_operation_twice_at_a_time(
    replicas: tuple[Replica, Replica, FakeChat],
) -> None:
    x, y, _ = replicas
    flights: dict[str, int] = {}
    x.source.flights = y.source.flights = flights
    polled: list[list[str]] = []
    for _ in range(6):
        by_x, by_y = await asyncio.gather(x.round(), y.round())
        polled.append(sorted(by_x + by_y))

    assert x.source.most == y.source.most == 1
    assert all(len(set(ops)) == len(ops) for ops in polled)  # no operation twice a round
    assert polled[-1] == list(OPS) and len(x.held) == len(y.held) == 2


async def test_renewal_extends_every_held_lease_at_once_and_drops_one_that_ran_out(
    replicas: tuple[Replica, Replica, FakeChat], pg_url: str
) -> None:
    x, _, _ = replicas
    await x.round()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE leases SET expires_at = 0 WHERE operation = 'a'")
        before = dict(conn.execute("SELECT operation, expires_at FROM leases").fetchall())

    await x.runtime.leadership.renew()

    assert x.held == ["b", "c", "d"]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        after = dict(conn.execute("SELECT operation, expires_at FROM leases").fetchall())
    assert after["a"] == 0 and all(after[op] > before[op] for op in "bcd")
