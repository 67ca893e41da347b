"""The change feed on PostgreSQL: a commit by one replica is heard by the others once it is
stored (never when it is rolled back, never by the replica that made it), and a feed whose
connection dropped listens again by itself and says RESYNC (what it missed is lost)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.postgres_changes import channel_for, decode, encode
from bot.services.ports.changes import Change, ChangeKind
from bot.services.ports.store import ActionCommit, CycleCommit, DocumentError
from tests.adapters.store.postgres_proxy import PostgresProxy
from tests.adapters.store.test_store_contract import FULL_CYCLE, T0, alert, silence
from tests.postgres_server import with_search_path

FIRST_MINUTE = int(T0.timestamp() // 60)
"""The earliest minute FULL_CYCLE writes counts for."""
WAIT_S = 10.0
"""Generous: how long a test waits for a change it expects."""


class Heard:
    """The changes a replica's feed passes on, to be awaited one by one."""

    def __init__(self, store: PostgresStore) -> None:
        self.queue: asyncio.Queue[Change] = asyncio.Queue()
        store.changes.subscribe(self.queue.put_nowait)

    async def next(self) -> Change:
        return await asyncio.wait_for(self.queue.get(), WAIT_S)

    def nothing_more(self) -> bool:
        return self.queue.empty()


@pytest.fixture
async def two(pg_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    stores = (PostgresStore(url=pg_url), PostgresStore(url=pg_url))
    for store in stores:
        await store.open()
    yield stores
    for store in stores:
        await store.changes.stop()
        await store.close()


async def listening(store: PostgresStore) -> Heard:
    heard = Heard(store)
    await store.changes.start()
    assert await heard.next() == Change(ChangeKind.RESYNC)
    return heard


async def test_a_commit_by_one_replica_is_heard_by_the_other_and_not_by_itself(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    leader, follower = two
    on_leader, on_follower = await listening(leader), await listening(follower)

    await leader.commit_cycle(FULL_CYCLE)
    # With the earliest minute of the call log it changed (a follower reads from there on).
    assert await on_follower.next() == Change(ChangeKind.COMMITTED, "sales", FIRST_MINUTE)

    await follower.commit_action(
        ActionCommit(alerts=(alert("abandon", "lima"),), silences=(silence("s1", 30),))
    )
    heard = {await on_leader.next(), await on_leader.next()}
    assert heard == {Change(ChangeKind.COMMITTED, "lima"), Change(ChangeKind.SILENCES)}

    # A marker commit, heard after everything before it: nobody heard their own change.
    await follower.commit_cycle(CycleCommit("marker"))
    assert await on_leader.next() == Change(ChangeKind.COMMITTED, "marker")
    assert on_leader.nothing_more() and on_follower.nothing_more()


async def test_a_commit_that_is_rolled_back_is_never_announced(
    two: tuple[PostgresStore, PostgresStore],
) -> None:
    leader, follower = two
    on_follower = await listening(follower)

    bad = alert("abandon", "sales", last_evaluation=None, peak_value=float("nan"))
    with pytest.raises(DocumentError):
        await leader.commit_cycle(CycleCommit("sales", alerts=(bad,)))
    await leader.commit_cycle(CycleCommit("marker"))

    assert await on_follower.next() == Change(ChangeKind.COMMITTED, "marker")


async def test_a_dropped_feed_listens_again_and_says_resync(pg_server: str, pg_schema: str) -> None:
    proxy = PostgresProxy(pg_server)
    await proxy.start()
    follower = PostgresStore(url=with_search_path(proxy.url(), pg_schema))
    leader = PostgresStore(url=with_search_path(pg_server, pg_schema))
    await follower.open()
    await leader.open()
    try:
        on_follower = await listening(follower)

        await proxy.cut()
        await leader.commit_cycle(CycleCommit("missed"))  # announced while nobody listens
        await proxy.restore()

        assert await on_follower.next() == Change(ChangeKind.RESYNC)
        assert follower.changes.listening
        await leader.commit_cycle(FULL_CYCLE)
        assert await on_follower.next() == Change(ChangeKind.COMMITTED, "sales", FIRST_MINUTE)
    finally:
        await follower.changes.stop()
        await follower.close()
        await leader.close()
        await proxy.cut()


def test_payloads_read_back_and_unknown_ones_are_ignored() -> None:
    change = Change(ChangeKind.REQUESTED, "sales", 42)
    assert decode(encode(change, origin="r1")) == (change, "r1")
    assert decode('{"k": "from-a-newer-callbot"}') is None
    assert decode("not json") is None


def test_each_deployment_has_its_channel_within_postgresql_limits() -> None:
    assert channel_for("public") == "callbot_public"
    long = channel_for("x" * 80)
    assert len(long) <= 63 and long != channel_for("y" * 80)
