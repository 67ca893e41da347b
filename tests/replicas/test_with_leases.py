"""Any replica answers, with the leases `callbot run` takes: the replica that took an
operation's lease polls it, the other follows it from the change feed, answers with its
numbers, and passes an acknowledgement to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.blocks import ACK_ACTION
from bot.services import command_types as ct
from bot.services.ports.source import FetchedCalls
from tests.replicas.harness import ADMIN, Replica, start_replica, without_recent
from tests.services.fakes import Batch, FakeChat
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES, mix, text_of

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[tuple[Replica, Replica, ManualClock]]:
    settings = make_settings(operations=[operation("bogota", poll_every="5m")], rules=RULES)
    clock, chat = ManualClock(T0), FakeChat()
    a = await start_replica("a", settings, url=pg_url, clock=clock, holds=None, chat=chat)
    b = await start_replica("b", settings, url=pg_url, clock=clock, holds=None, chat=chat)
    yield a, b, clock
    for replica in (b, a):
        await replica.runtime.stop()


async def test_the_lease_holder_polls_and_the_other_replica_answers_and_acknowledges(
    replicas: tuple[Replica, Replica, ManualClock],
) -> None:
    a, b, clock = replicas
    calls: list[FetchedCalls] = [Batch(records=mix(clock.now(), abandons=8))]
    a.source.queue("bogota", *calls)
    b.source.queue("bogota", *calls)

    first = await a.runtime.leadership.poll("bogota")
    assert first is not None and first.outcome == "ok"  # a took the lease and polled
    assert await b.runtime.leadership.poll("bogota") is None  # b skips: a holds it
    await b.refreshed_after("bogota")

    now = clock.now()
    seen = []
    for replica in (a, b):
        scope = replica.commands.scope(None)
        assert isinstance(scope, list)
        last10 = replica.commands.last10(ct.Last10(window=timedelta(minutes=10)), scope, now)
        seen.append((without_recent(last10), replica.commands.alerts(scope, now)))
    assert seen[0] == seen[1]
    assert b.source.calls == []

    [alert] = [x for x in b.runtime.state.alerts if x.firing]
    reply = await b.click(ACK_ACTION, alert.incident_id or "")
    assert reply is not None and "acknowledged *abandons*" in text_of(reply)
    # b replies once the answer is stored, in the same transaction as the ack; the holder
    # swaps it into its memory just after: wait for that, as a user's next look would.
    assert await a.answered_one() == "acknowledged"
    assert a.runtime.state.alerts.get("abandons", "bogota").acked_by == ADMIN
