"""The latest queue and agent snapshots each store keeps (issue 14: any replica answers):
read back after a restart as they were written, one of each kind per operation, never
replaced by an older one; on PostgreSQL a kept snapshot is announced to the other replicas."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.store.postgres import PostgresStore
from bot.domain.queues import AgentKind, AgentSnapshot, AgentStat, QueueSnapshot, QueueStat
from bot.services.ports.changes import Change, ChangeKind
from bot.services.ports.snapshots import StoredContext
from bot.services.ports.store import DocumentError, Store
from tests.adapters.store.test_postgres_changes import listening

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)

Reopen = Callable[[], Store]


def queues(at: datetime, waiting: int = 14) -> QueueSnapshot:
    return QueueSnapshot(
        at=at,
        queues=(
            QueueStat("101", "Ventas <!channel>", waiting=waiting, inbound=40, answered=31,
                      abandoned=9, abandon_pct=31.0, service_level=41.5),
            QueueStat("102", "", waiting=None, abandon_pct=None),
        ),
        skipped=2,
    )  # fmt: skip


def agents(at: datetime) -> AgentSnapshot:
    return AgentSnapshot(
        at=at,
        agents=(
            AgentStat("7", "Ana Pérez", "Almuerzo", AgentKind.AUXILIARY, seconds_in_state=65),
            AgentStat("8", "", "READY", AgentKind.READY, occupancy=87.5),
        ),
    )


@pytest.fixture
async def store(reopen: Reopen) -> AsyncIterator[Store]:
    async with reopen() as opened:
        yield opened


async def test_a_new_store_keeps_no_snapshot(store: Store) -> None:
    assert await store.load_context() == {}


async def test_the_latest_snapshots_are_there_after_a_restart_as_written(
    store: Store, reopen: Reopen
) -> None:
    assert await store.put_context("bogota", queues(T0))
    assert await store.put_context("bogota", agents(T0 + timedelta(seconds=5)))
    assert await store.put_context("lima", queues(T0, waiting=0))
    await store.close()

    async with reopen() as again:
        everything = await again.load_context()
        only_lima = await again.load_context("lima")
    assert everything == {
        "bogota": StoredContext(queues(T0), agents(T0 + timedelta(seconds=5))),
        "lima": StoredContext(queues(T0, waiting=0), None),
    }
    assert only_lima == {"lima": StoredContext(queues(T0, waiting=0), None)}
    assert everything["bogota"].queues is not None
    assert everything["bogota"].queues.at == T0 and everything["bogota"].queues.at.tzinfo


async def test_a_newer_snapshot_replaces_the_stored_one_and_an_older_one_never_does(
    store: Store,
) -> None:
    later = T0 + timedelta(minutes=5)
    assert await store.put_context("bogota", queues(T0))
    assert await store.put_context("bogota", queues(later, waiting=3))
    # A holder paused past its lease comes back with the reading it took before.
    assert not await store.put_context("bogota", queues(T0 + timedelta(minutes=1), waiting=99))
    assert not await store.put_context("bogota", queues(later, waiting=99))

    stored = (await store.load_context("bogota"))["bogota"]
    assert stored.queues == queues(later, waiting=3)


async def test_a_figure_that_is_not_json_stores_nothing(store: Store) -> None:
    bad = QueueSnapshot(at=T0, queues=(QueueStat("1", "x", abandon_pct=float("nan")),))
    with pytest.raises(DocumentError):
        await store.put_context("bogota", bad)
    assert await store.load_context() == {}


async def test_a_kept_snapshot_is_announced_to_the_other_replicas(pg_url: str) -> None:
    holder, follower = PostgresStore(url=pg_url), PostgresStore(url=pg_url)
    async with holder, follower:
        heard = await listening(follower)
        try:
            assert await holder.put_context("bogota", queues(T0))
            assert await heard.next() == Change(ChangeKind.CONTEXT, "bogota")
            assert not await holder.put_context("bogota", queues(T0))  # nothing new: silent
            await holder.put_context("lima", agents(T0))
            assert await heard.next() == Change(ChangeKind.CONTEXT, "lima")
        finally:
            await follower.changes.stop()
