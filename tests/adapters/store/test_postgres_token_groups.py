"""One poller per Wolkvox token across replicas (issue 14): two replicas on one PostgreSQL
schema, each the bot as `callbot run` builds it (its own PostgresStore, leadership and real
Wolkvox client), polling the Wolkvox simulator on 127.0.0.1, which counts the requests in
flight on each token. Operations that share a token are covered by one lease, so the
simulator never sees two requests at once on a token, whichever replica sends them, and
every operation is still polled; operations on different tokens still spread over the
replicas. The jobs are fired by hand, all at once; nothing waits on a timer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import psycopg
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.postgres import PostgresStore
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.bootstrap.adapters import build_runtime
from bot.config.lease_groups import LeaseGroups
from bot.config.model import Settings
from bot.reload import apply_settings
from bot.runtime import Runtime
from bot.services.ports.store import CycleCommit, StaleLeaseError
from tests.adapters.store.expiry import expire_lease
from tests.adapters.store.test_postgres_leases import LONG
from tests.adapters.store.test_store_contract import alert
from tests.services.fakes import FakeChat, TextPresenter
from tests.support.config import make_settings, operation, rule

T0 = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Bogota
SALES_TOKEN = "tok-sales-SECRET-5e1f"
SUPPORT_TOKEN = "tok-support-SECRET-77aa"
TOKENS = {"lima": SALES_TOKEN, "quito": SALES_TOKEN, "cali": SUPPORT_TOKEN, "pasto": SUPPORT_TOKEN}
"""Two tokens, each shared by two operations: two leases, named lima and cali."""
ROUNDS = 6


def settings_for(base_url: str, tokens: dict[str, str]) -> Settings:
    return make_settings(
        operations=[
            operation(name, token=token, base_url=base_url) for name, token in tokens.items()
        ],
        rules=[rule(warning=1000)],
    )


class Replica:
    """One `callbot run` process minus its timetable and Slack."""

    def __init__(self, url: str, settings: Settings, clock: ManualClock) -> None:
        self.store = PostgresStore(url=url)
        self.runtime: Runtime = build_runtime(
            settings, clock=clock, chat=FakeChat(), presenter=TextPresenter(), store=self.store
        )

    @property
    def held(self) -> list[str]:
        return sorted(self.runtime.leadership.held)

    def polls(self, operation: str) -> bool:
        return self.runtime.leadership.holds(operation)


@pytest.fixture
async def world(pg_url: str) -> AsyncIterator[tuple[WolkvoxSimulator, list[Replica]]]:
    clock = ManualClock(T0)
    simulator = WolkvoxSimulator(
        clock=clock, valid_tokens=[SALES_TOKEN, SUPPORT_TOKEN], volume=5, latency=0.02
    )
    await simulator.start()
    settings = settings_for(simulator.base_url, TOKENS)
    replicas = [Replica(pg_url, settings, clock) for _ in range(2)]
    for r in replicas:
        await r.runtime.open()
    try:
        yield simulator, replicas
    finally:
        for r in replicas:
            await r.runtime.leadership.release_all()
            await r.runtime.close_quietly()
        await simulator.stop()


def stall(url: str, replica: Replica) -> None:
    """The replica stopped renewing long ago (a long pause): its heartbeat and its leases
    ran out, by the database's clock."""
    me = replica.store.replica
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE leases SET expires_at = 0 WHERE owner = %s", (me,))
        conn.execute("DELETE FROM replicas WHERE replica = %s", (me,))


async def all_at_once(replicas: list[Replica]) -> dict[str, list[str]]:
    """Every operation's job fires on every replica at the same moment: the operations
    each outcome came to (ok, or the reason a cycle failed), skipped ones left out."""
    jobs = [r.runtime.leadership.poll(op) for r in replicas for op in r.runtime.state.operations]
    outcomes: dict[str, list[str]] = {}
    for report in await asyncio.gather(*jobs):
        if report is not None:
            outcomes.setdefault(report.outcome, []).append(report.operation)
    return {outcome: sorted(ops) for outcome, ops in outcomes.items()}


async def test_operations_sharing_a_token_are_never_polled_at_once_by_two_replicas(
    world: tuple[WolkvoxSimulator, list[Replica]], pg_url: str
) -> None:
    simulator, replicas = world
    for _ in range(ROUNDS):
        outcomes = await all_at_once(replicas)
        assert list(outcomes) == ["ok"] and set(outcomes["ok"]) == set(TOKENS)

    assert simulator.max_concurrent_per_token == 1
    assert simulator.concurrency_rejections == 0
    # At least one request on each token a round (lima and quito polled at once by one
    # replica join one request in flight: the client's single flight).
    assert simulator.requests_for(SALES_TOKEN) >= ROUNDS
    assert simulator.requests_for(SUPPORT_TOKEN) >= ROUNDS
    for r in replicas:
        assert r.polls("lima") == r.polls("quito") and r.polls("cali") == r.polls("pasto")
    # The two tokens' leases spread, one each; the lease rows name no token.
    assert sorted(r.held[0] for r in replicas) == ["cali", "lima"]
    assert [len(r.held) for r in replicas] == [1, 1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute("SELECT * FROM leases ORDER BY operation").fetchall()
    assert [row[0] for row in rows] == ["cali", "lima"]
    assert not any(token in repr(row) for row in rows for token in (SALES_TOKEN, SUPPORT_TOKEN))


async def test_the_new_holder_of_a_token_takes_every_operation_on_it_with_its_epoch(
    world: tuple[WolkvoxSimulator, list[Replica]], pg_url: str
) -> None:
    simulator, replicas = world
    for _ in range(ROUNDS):
        await all_at_once(replicas)
    [holder] = [r for r in replicas if "lima" in r.held]
    [other] = [r for r in replicas if r is not holder]
    epoch = holder.runtime.leadership.epochs()["lima"]
    assert holder.runtime.leadership.epochs()["quito"] == epoch

    stall(pg_url, holder)
    assert await all_at_once([other]) == {"ok": sorted(TOKENS)}  # now holds both tokens
    assert other.runtime.leadership.epochs()["quito"] == epoch + 1
    assert other.polls("lima") and other.polls("quito")
    # The paused holder wakes up: no request of either operation on the token is sent.
    refusal = await holder.runtime.leadership.before_request("quito")
    assert refusal is not None and "took over" in refusal
    assert not holder.polls("lima") and not holder.polls("quito")
    assert simulator.max_concurrent_per_token == 1


async def test_a_cycle_is_fenced_by_the_lease_of_its_operations_token(pg_url: str) -> None:
    old, new = PostgresStore(url=pg_url), PostgresStore(url=pg_url)
    for store in (old, new):
        await store.open()
        store.fence_by(LeaseGroups(settings_for("http://127.0.0.1:9", TOKENS).operations).key)
    try:
        assert await old.acquire_lease("lima", ttl=LONG) is not None
        await old.commit_cycle(CycleCommit("quito", alerts=(alert("abandon", "quito"),)))
        await expire_lease(pg_url, "lima")
        taken = await new.acquire_lease("lima", ttl=LONG)
        assert taken is not None and taken.epoch == 2

        with pytest.raises(StaleLeaseError, match="lima"):
            await old.commit_cycle(CycleCommit("quito", alerts=(alert("late", "quito"),)))
        await new.commit_cycle(CycleCommit("quito", alerts=(alert("fresh", "quito"),)))
        stored = await new.load(T0)
        assert ("quito", "late") not in stored.alerts and ("quito", "fresh") in stored.alerts
    finally:
        for store in (old, new):
            await store.close()


async def test_operations_on_tokens_of_their_own_still_spread_over_the_replicas(
    pg_url: str,
) -> None:
    clock = ManualClock(T0)
    own = {name: f"tok-{name}-SECRET" for name in ("cali", "lima", "pasto", "quito")}
    simulator = WolkvoxSimulator(clock=clock, valid_tokens=own.values(), latency=0.02)
    await simulator.start()
    replicas = [Replica(pg_url, settings_for(simulator.base_url, own), clock) for _ in range(2)]
    try:
        for r in replicas:
            await r.runtime.open()
        for _ in range(ROUNDS):
            outcomes = await all_at_once(replicas)
            assert list(outcomes) == ["ok"] and set(outcomes["ok"]) == set(own)
        assert sorted(len(r.held) for r in replicas) == [2, 2]
        assert sorted(op for r in replicas for op in r.held) == sorted(own)
        assert simulator.max_concurrent_per_token == 1
    finally:
        for r in replicas:
            await r.runtime.leadership.release_all()
            await r.runtime.close_quietly()
        await simulator.stop()


async def test_a_reload_that_gives_two_operations_one_token_puts_them_under_one_lease(
    world: tuple[WolkvoxSimulator, list[Replica]], pg_url: str
) -> None:
    simulator, [x, y] = world
    await y.runtime.leadership.release_all()  # x alone: it holds every lease
    own = {"lima": SALES_TOKEN, "quito": SUPPORT_TOKEN}
    await apply_settings(x.runtime, settings_for(simulator.base_url, own))
    await all_at_once([x])
    assert x.held == ["lima", "quito"]  # a token each: a lease each

    await apply_settings(x.runtime, settings_for(simulator.base_url, {**own, "quito": SALES_TOKEN}))
    assert await all_at_once([x]) == {"ok": ["lima", "quito"]}
    await x.runtime.leadership.renew()
    assert x.held == ["lima"]  # quito's own lease let go: it is polled under lima's
    assert x.runtime.leadership.epochs() == {"lima": 1, "quito": 1}

    # The store fences quito's cycles by lima's lease too, since the reload.
    stall(pg_url, x)
    assert await y.runtime.store.acquire_lease("lima", ttl=LONG) is not None
    with pytest.raises(StaleLeaseError, match="lima"):
        await x.store.commit_cycle(CycleCommit("quito", alerts=(alert("late", "quito"),)))
