"""Leases on PostgreSQL: one holder per operation, takeover after expiry with a new epoch,
fencing of a stale holder's writes, and Wolkvox's 60 s rule across holders: the rows
`callbot run` polls under (bot.services.leadership; tests/adapters/store/
test_postgres_leadership.py runs two replicas' leadership on them). A lease runs out when
the test says so (tests/adapters/store/expiry.py), never by waiting for its time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.postgres_lease import WOLKVOX_GAP, StaleLeaseError
from bot.services.ports.store import ActionCommit, CycleCommit
from tests.adapters.store.expiry import expire_lease
from tests.adapters.store.test_store_contract import FULL_CYCLE, T0, alert, draft

LONG = timedelta(hours=1)
"""Longer than any test: a lease runs out only when the test expires it."""


async def test_one_holder_at_a_time_who_renews_at_the_same_epoch(
    pg_stores: list[PostgresStore],
) -> None:
    a, b, _ = pg_stores
    lease = await a.acquire_lease("sales", ttl=LONG)
    assert lease is not None and lease.epoch == 1 and lease.first_request_at is None
    assert await b.acquire_lease("sales", ttl=LONG) is None
    renewed = await a.acquire_lease("sales", ttl=LONG)
    assert renewed is not None and renewed.epoch == 1 and renewed.expires_at >= lease.expires_at
    assert await b.acquire_lease("lima", ttl=LONG) is not None  # one lease per operation


async def test_replicas_racing_for_a_free_lease_get_one_holder(
    pg_stores: list[PostgresStore],
) -> None:
    leases = await asyncio.gather(*(r.acquire_lease("sales", ttl=LONG) for r in pg_stores))
    assert [lease.epoch for lease in leases if lease is not None] == [1]


async def test_an_expired_lease_is_taken_over_and_the_old_holders_writes_are_refused(
    pg_stores: list[PostgresStore], pg_url: str
) -> None:
    old, new, _ = pg_stores
    assert await old.acquire_lease("sales", ttl=LONG) is not None
    await old.commit_cycle(CycleCommit("sales", alerts=(alert("abandon"),)))
    assert await new.acquire_lease("sales", ttl=LONG) is None
    await expire_lease(pg_url, "sales")  # the old holder pauses past its lease

    taken = await new.acquire_lease("sales", ttl=LONG)
    assert taken is not None and taken.epoch == 2

    with pytest.raises(StaleLeaseError, match="epoch 1"):
        await old.commit_cycle(FULL_CYCLE)
    assert await old.acquire_lease("sales", ttl=LONG) is None
    state = await new.load(T0)
    assert list(state.alerts) == [("sales", "abandon")] and await new.outbox_depth() == 0
    await new.commit_cycle(FULL_CYCLE)
    assert await new.outbox_depth() == 1


async def test_a_new_holder_waits_60s_after_a_request_that_may_still_be_in_flight(
    pg_stores: list[PostgresStore], pg_url: str
) -> None:
    a, b, c = pg_stores
    first = await a.acquire_lease("sales", ttl=LONG)
    assert first is not None
    await a.mark_request(first, finished=False)
    await expire_lease(pg_url, "sales")  # a dies while its request may still be in flight

    second = await b.acquire_lease("sales", ttl=LONG)
    assert second is not None and second.first_request_at is not None
    assert second.first_request_at - WOLKVOX_GAP <= second.expires_at - LONG

    await b.mark_request(second, finished=False)
    await b.mark_request(second, finished=True)
    await b.release_lease(second)
    third = await c.acquire_lease("sales", ttl=LONG)
    assert third is not None and third.epoch == 3
    assert third.first_request_at is None  # b's request is known to have finished


async def test_marking_a_request_under_a_lost_lease_is_refused(
    pg_stores: list[PostgresStore], pg_url: str
) -> None:
    a, b, _ = pg_stores
    lease = await a.acquire_lease("sales", ttl=LONG)
    assert lease is not None
    await expire_lease(pg_url, "sales")
    assert await b.acquire_lease("sales", ttl=LONG) is not None
    with pytest.raises(StaleLeaseError):
        await a.mark_request(lease, finished=False)


async def test_an_old_holders_action_on_its_alerts_is_refused_after_a_takeover(
    pg_stores: list[PostgresStore], pg_url: str
) -> None:
    old, new, _ = pg_stores
    assert await old.acquire_lease("sales", ttl=LONG) is not None
    await old.commit_cycle(CycleCommit("sales", alerts=(alert("abandon"),)))
    await expire_lease(pg_url, "sales")  # the old holder pauses past its lease
    assert await new.acquire_lease("sales", ttl=LONG) is not None
    await new.commit_cycle(CycleCommit("sales", alerts=(alert("abandon", peak_value=9.0),)))

    acked = ActionCommit(
        alerts=(alert("abandon", acked_by="U1"),), outbox=(draft("#ops", "abandon:sales:1"),)
    )
    with pytest.raises(StaleLeaseError, match="epoch 1"):
        await old.commit_action(acked)
    state = await new.load(T0)
    assert state.alerts[("sales", "abandon")].acked_by is None
    assert state.alerts[("sales", "abandon")].peak_value == 9.0
    assert await new.outbox_depth() == 0

    await new.commit_action(acked)  # the holder's own action is stored
    assert (await new.load(T0)).alerts[("sales", "abandon")].acked_by == "U1"
    # An action on alerts of no lease held here (another replica's silence note) is not fenced.
    await old.commit_action(ActionCommit(alerts=(alert("trunk", op="lima"),)))
    assert ("lima", "trunk") in (await new.load(T0)).alerts


async def test_an_old_holders_context_edit_is_refused_after_a_takeover(
    pg_stores: list[PostgresStore], pg_url: str
) -> None:
    """A context edit stores only outbox rows; it names its operation so the lease fences it."""
    old, new, _ = pg_stores
    assert await old.acquire_lease("sales", ttl=LONG) is not None
    await expire_lease(pg_url, "sales")
    assert await new.acquire_lease("sales", ttl=LONG) is not None

    edit = ActionCommit(outbox=(draft("#ops", "abandon:sales:1"),), under=("sales",))
    with pytest.raises(StaleLeaseError):
        await old.commit_action(edit)
    assert await new.outbox_depth() == 0
    await new.commit_action(edit)
    assert await new.outbox_depth() == 1
