"""Two replicas on one database drain one outbox: every row goes to one of them, a
channel's rows stay in order on one replica, and a dead replica's claims expire."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.adapters.store.postgres import PostgresStore
from bot.services.ports.store import CycleCommit, MessageRef
from tests.adapters.store.expiry import claims_until, expire_claims
from tests.adapters.store.test_store_contract import draft, minute

NOW = minute(10)


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    a, b = PostgresStore(url=pg_url), PostgresStore(url=pg_url)
    await a.open()
    await b.open()
    yield a, b
    await a.close()
    await b.close()


async def queue(store: PostgresStore, *rows: tuple[str, str]) -> list[int]:
    outbox = tuple(draft(channel, incident) for channel, incident in rows)
    return await store.commit_cycle(CycleCommit("sales", outbox=outbox))


async def test_a_channel_is_delivered_by_one_replica_at_a_time(
    replicas: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = replicas
    ids = await queue(a, ("C1", "i1"), ("C1", "i1"), ("C2", "i2"), ("C1", "i1"), ("C3", "i3"))

    first = await a.due_outbox(NOW, 100)
    second = await b.due_outbox(NOW, 100)

    assert [row.id for row in first] == ids and second == []
    await a.complete(ids[0], message=MessageRef("i1", "C1", "1.0"))
    assert await b.due_outbox(NOW, 100) == []  # a still holds C1's later rows, C2 and C3
    assert [row.id for row in await a.due_outbox(NOW, 100)] == ids[1:]  # renewed, still a's


async def test_racing_replicas_never_get_the_same_row_and_keep_each_channel_in_order(
    replicas: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = replicas
    channels = [f"C{n}" for n in range(8)]
    ids = await queue(a, *[(channel, f"i-{channel}") for _ in range(3) for channel in channels])

    got_a, got_b = await asyncio.gather(a.due_outbox(NOW, 100), b.due_outbox(NOW, 100))

    ids_a, ids_b = {row.id for row in got_a}, {row.id for row in got_b}
    assert not ids_a & ids_b
    assert ids_a | ids_b == set(ids)
    channels_a, channels_b = {r.channel for r in got_a}, {r.channel for r in got_b}
    assert not channels_a & channels_b  # whole channels, so per-channel order holds


async def claim_a_post_its_update_and_another_channel(a: PostgresStore) -> list[int]:
    """Rows (C1 post, C1 update, C2 post), all claimed by `a`."""
    ids = await queue(a, ("C1", "i1"), ("C1", "i1"), ("C2", "i2"))
    assert [row.id for row in await a.due_outbox(NOW, 100)] == ids
    return ids


async def test_a_row_marked_as_attempted_stays_claimed_while_it_is_in_flight(
    replicas: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = replicas
    post, update, other = await claim_a_post_its_update_and_another_channel(a)

    assert await a.mark_attempted(post, error="posting")  # a sends it now

    assert await b.due_outbox(NOW, 100) == []
    again = await a.due_outbox(NOW, 100)
    assert [(row.id, row.attempts) for row in again] == [(post, 1), (update, 0), (other, 0)]


async def test_a_deferred_row_is_released_with_its_channel(
    replicas: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = replicas
    post, update, other = await claim_a_post_its_update_and_another_channel(a)

    await a.defer(post, not_before=NOW + timedelta(seconds=30), error="rate_limited")

    assert await b.due_outbox(NOW, 100) == []  # C1 waits for its retry, C2 is still a's
    assert [row.id for row in await b.due_outbox(NOW + timedelta(seconds=30), 100)] == [
        post,
        update,
    ]
    assert [row.id for row in await a.due_outbox(NOW, 100)] == [other]


async def test_a_dead_replicas_claims_expire_by_the_databases_clock(pg_url: str) -> None:
    ttl = timedelta(hours=1)
    dead = PostgresStore(url=pg_url, claim_ttl=ttl)
    await dead.open()
    ids = await queue(dead, ("C1", "i1"), ("C2", "i2"))
    # it looks a day ahead: the claim still lasts only its ttl, by the database's clock
    assert len(await dead.due_outbox(NOW + timedelta(days=1), 100)) == 2
    db_now, until = await claims_until(pg_url)
    assert len(until) == 2 and all(db_now < end <= db_now + ttl for end in until)
    async with PostgresStore(url=pg_url) as alive:
        assert await alive.due_outbox(NOW, 100) == []
        await expire_claims(pg_url)  # the ttl has passed by the database's clock
        assert [row.id for row in await alive.due_outbox(NOW, 100)] == ids
    await dead.close()


async def test_closing_a_replica_hands_its_rows_over_at_once(
    replicas: tuple[PostgresStore, PostgresStore], pg_url: str
) -> None:
    a, b = replicas
    ids = await queue(a, ("C1", "i1"), ("C2", "i2"))
    assert len(await a.due_outbox(NOW, 100)) == 2

    await a.close()

    assert [row.id for row in await b.due_outbox(NOW, 100)] == ids
