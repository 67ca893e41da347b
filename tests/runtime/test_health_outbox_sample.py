"""/healthz samples the outbox (how many rows wait, since when, why) without taking any:
on a database several replicas share, another replica's drainer can still deliver the
rows right after a sample."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters.clock import ManualClock
from bot.adapters.store.postgres import PostgresStore
from bot.bootstrap import build_runtime
from bot.services.ports.runtime import OutboxSample
from bot.services.ports.store import CycleCommit, NewOutboxRow, OutboxAction
from tests.services.fakes import FakeChat, TextPresenter
from tests.support.config import make_settings

T0 = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


async def test_sampling_the_outbox_for_healthz_claims_nothing(pg_url: str) -> None:
    settings = make_settings(store={"url": pg_url})
    clock = ManualClock(T0)
    runtime = build_runtime(settings, clock=clock, chat=FakeChat(), presenter=TextPresenter())
    await runtime.store.open()
    try:
        rows = [
            NewOutboxRow("C1", "i1", OutboxAction.POST, {"text": "firing"}, T0),
            NewOutboxRow("C2", "i2", OutboxAction.POST, {"text": "firing"}, T0),
        ]
        first, second = await runtime.store.commit_cycle(CycleCommit("bogota", outbox=rows))
        await runtime.store.defer(first, not_before=T0, error="not_in_channel")
        clock.advance(timedelta(minutes=5))

        await runtime.refresh()

        assert runtime.health.outbox == OutboxSample(
            depth=2, oldest_created_at=T0, oldest_error="not_in_channel"
        )
        async with PostgresStore(url=pg_url) as other_replica:
            due = await other_replica.due_outbox(clock.now(), 10)
        assert [row.id for row in due] == [first, second]
    finally:
        await runtime.close_quietly()
