"""Any replica answers: a replica that does not poll an operation gives the same `/calls`
numbers and Home tab as the one that does, once it heard of the poller's commit, and never
asks Wolkvox for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.domain.silences import Silence
from bot.services import command_types as ct
from bot.services.ports.store import ActionCommit
from tests.replicas.harness import Replica, start_replica, without_recent
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES, mix, text_of

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota
SILENCE = Silence("s1", "abandons", "bogota", T0, T0 + timedelta(hours=1), created_by="U1")


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[tuple[Replica, Replica, ManualClock]]:
    settings = make_settings(operations=[operation("bogota", poll_every="5m")], rules=RULES)
    clock = ManualClock(T0)
    leader = await start_replica("a", settings, url=pg_url, clock=clock, holds={"bogota"})
    follower = await start_replica("b", settings, url=pg_url, clock=clock, holds=set())
    yield leader, follower, clock
    for replica in (follower, leader):
        await replica.runtime.stop()


async def test_a_follower_answers_with_the_pollers_numbers_after_its_commit(
    replicas: tuple[Replica, Replica, ManualClock],
) -> None:
    leader, follower, clock = replicas
    report = await leader.poll(mix(clock.now()))
    assert report.outcome == "ok" and report.decisions  # an alert fired
    await follower.refreshed_after("bogota")

    now = clock.now()
    last10 = ct.Last10(window=timedelta(minutes=10))
    seen = []
    for replica in (leader, follower):
        commands = replica.commands
        scope = commands.scope(None)
        assert isinstance(scope, list)
        seen.append(
            (
                without_recent(commands.last10(last10, scope, now)),
                commands.status(scope, now),
                commands.alerts(scope, now),
                commands.home(now),
            )
        )
    assert seen[0] == seen[1]
    assert seen[0][0][0].total == 23  # type: ignore[attr-defined]
    assert "*23* calls" in text_of(await follower.ask("last10"))
    assert follower.source.calls == []  # the follower never asked Wolkvox


async def test_later_polls_are_followed_reading_only_the_minutes_they_changed(
    replicas: tuple[Replica, Replica, ManualClock],
) -> None:
    leader, follower, clock = replicas
    for polls in range(3):
        await leader.poll(mix(clock.now(), abandons=polls, tag=f"p{polls}"))
        await follower.refreshed_after("bogota")
        clock.advance(timedelta(minutes=5))

    now = clock.now()
    for window in (timedelta(minutes=10), timedelta(minutes=15)):
        views = []
        for replica in (leader, follower):
            scope = replica.commands.scope(None)
            assert isinstance(scope, list)
            views.append(
                without_recent(replica.commands.last10(ct.Last10(window=window), scope, now))
            )
        assert views[0] == views[1], window
    exported = [r.runtime.state.log.export("bogota") for r in (leader, follower)]
    assert sorted(exported[0].buckets) == sorted(exported[1].buckets)
    assert exported[0].covered == exported[1].covered


async def test_the_holders_memory_is_never_overwritten_by_a_reload(
    replicas: tuple[Replica, Replica, ManualClock],
) -> None:
    leader, follower, clock = replicas
    await follower.poll(mix(clock.now(), abandons=0))  # a (wrong) write by a non-holder
    # A change every replica reloads, announced after that commit: once the leader has
    # handled it, it has handled the commit before it too.
    await follower.store.commit_action(ActionCommit(silences=(SILENCE,)))
    await leader.refreshed_after("")

    assert leader.runtime.state.silences.silences == (SILENCE,)
    op = leader.runtime.state.operations["bogota"]
    assert op.poll.last_success_at is None  # the leader's memory of bogota is its own
