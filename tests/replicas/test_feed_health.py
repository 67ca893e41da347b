"""A replica whose change feed is down says so (issue 14): /healthz has a `changes:` line
and, once the feed has been down longer than its grace, a reason and a 503 verdict (its
replies about operations polled elsewhere stop following); `callbot_changes_connected` is 0
meanwhile. The feed goes through a proxy the test cuts; the store does not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.adapters.clock import ManualClock
from bot.adapters.store.postgres_changes import PostgresChanges
from tests.adapters.store.postgres_proxy import PostgresProxy
from tests.postgres_server import with_search_path
from tests.replicas.harness import WAIT_S, Replica, start_replica
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


async def until(listening: bool, replica: Replica) -> None:
    """Wait until the replica's feed listens (or not)."""
    for _ in range(int(WAIT_S / 0.02)):
        if replica.runtime.changes.listening is listening:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the feed never got to listening={listening}")


async def verdict(replica: Replica) -> tuple[bool, str, str, str]:
    """What /healthz and /metrics say after a housekeeping sample."""
    await replica.runtime.refresh()
    healthy, reason = replica.runtime.health()
    lines = (replica.runtime.health.detail() or "").splitlines()
    changes = next(line for line in lines if line.startswith("changes:"))
    gauge = next(
        line
        for line in replica.runtime.metrics.exposition().decode().splitlines()
        if line.startswith("callbot_changes_connected ")
    )
    return healthy, reason, changes, gauge


async def test_healthz_and_metrics_say_when_the_change_feed_is_down(
    pg_server: str, pg_schema: str
) -> None:
    proxy = PostgresProxy(pg_server)
    await proxy.start()
    settings = make_settings(operations=[operation("bogota", poll_every="5m")], rules=RULES)
    clock = ManualClock(T0)
    feed = PostgresChanges(
        url=with_search_path(proxy.url(), pg_schema),
        origin="feed-under-test",
        schema=lambda: pg_schema,
        safe=str,
    )
    url = with_search_path(pg_server, pg_schema)
    replica = await start_replica("b", settings, url=url, clock=clock, holds=set(), feed=feed)
    try:
        assert await verdict(replica) == (
            True, "ok", "changes: listening", "callbot_changes_connected 1.0"
        )  # fmt: skip

        await proxy.cut()
        await until(False, replica)
        healthy, reason, changes, gauge = await verdict(replica)
        assert (healthy, reason) == (True, "ok")  # within its grace: it reconnects by itself
        assert changes == "changes: not listening for 0s (reconnecting)"
        assert gauge == "callbot_changes_connected 0.0"

        clock.advance(timedelta(minutes=2))
        healthy, reason, changes, gauge = await verdict(replica)
        assert not healthy
        assert reason == (
            "changes: not listening to the other replicas for 2m: replies about the "
            "operations they poll may be out of date"
        )
        assert changes == "changes: not listening for 2m (reconnecting)"

        await proxy.restore()
        await until(True, replica)
        assert await verdict(replica) == (
            True, "ok", "changes: listening", "callbot_changes_connected 1.0"
        )  # fmt: skip
    finally:
        await replica.runtime.stop()
        await proxy.cut()
