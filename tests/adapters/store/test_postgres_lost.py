"""A lost database: the store says so (transient, URL masked), /healthz gives the reason,
the bot keeps its memory, and all is well again once the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.postgres import PostgresStore
from bot.bootstrap import build_runtime
from bot.services.ports.store import MessageRef, StoreBusyError
from tests.adapters.store.postgres_proxy import PostgresProxy
from tests.postgres_server import with_search_path
from tests.services.fakes import FakeChat, TextPresenter
from tests.support.config import make_settings, operation

PASSWORD = "pg-5ecret"
T0 = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
async def proxy(pg_server: str) -> AsyncIterator[PostgresProxy]:
    relay = PostgresProxy(pg_server)
    await relay.start()
    yield relay
    await relay.cut()


async def eventually(check, *, explain=lambda: "never happened", tries: int = 300) -> None:
    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(explain())


async def test_a_call_on_a_lost_database_fails_transiently_and_works_once_it_is_back(
    proxy: PostgresProxy, pg_schema: str
) -> None:
    url = with_search_path(proxy.url(password=PASSWORD), pg_schema)
    store = PostgresStore(url=url, call_timeout=1.0)
    await store.open()
    await store.put_message_ref(MessageRef("i1", "C1", "1.0"))

    await proxy.cut()
    with pytest.raises(StoreBusyError) as caught:
        await store.message_ref("i1")
    assert caught.value.transient
    assert f"postgresql://postgres:***@127.0.0.1:{proxy.port}/test" in str(caught.value)
    assert PASSWORD not in str(caught.value)

    await proxy.restore()

    async def readable() -> bool:
        try:
            return await store.message_ref("i1") == MessageRef("i1", "C1", "1.0")
        except StoreBusyError:
            return False

    await eventually(readable)
    await store.close()


async def test_healthz_names_a_lost_database_until_it_is_back(
    proxy: PostgresProxy, pg_schema: str
) -> None:
    url = with_search_path(proxy.url(password=PASSWORD), pg_schema)
    settings = make_settings(
        store={"url": url},
        operations=[operation(base_url="http://127.0.0.1:9")],
        source="callbot.yml",
    )
    runtime = build_runtime(
        settings,
        clock=ManualClock(T0),
        chat=FakeChat(),
        presenter=TextPresenter(),
        first_poll_after=timedelta(hours=1),
    )
    assert isinstance(runtime.store, PostgresStore)
    runtime.store._call_timeout = 0.5
    runtime.housekeeping_every_s = 0.05
    await runtime.start()
    try:
        assert runtime.health() == (True, "ok")

        await proxy.cut()

        async def lost() -> bool:
            return "store unreachable" in runtime.health()[1]

        await eventually(lost, explain=runtime.health)
        healthy, reason = runtime.health()
        assert not healthy
        assert "postgresql://postgres:***@127.0.0.1:" in reason and PASSWORD not in reason
        assert "bogota" in runtime.state.operations  # memory kept: /calls still answers
        assert runtime.state.store_lost_since == T0  # ...marked as possibly out of date
        exposed = runtime.metrics.exposition().decode()
        assert 'callbot_store_failures_total{call="' in exposed
        assert 'callbot_store_seconds_count{call="load"} 1.0' in exposed
        assert "store: " in (runtime.health.detail() or "")  # how fast it answered before

        await proxy.restore()

        async def back() -> bool:
            return runtime.health() == (True, "ok")

        await eventually(back, explain=runtime.health)
        assert runtime.state.store_lost_since is None
    finally:
        await runtime.stop()
