"""Any replica answers `/calls queues` and `/calls agents` (issue 14): only the holder of an
operation's lease asks Wolkvox for its `skills` and `agents`; it keeps the latest snapshots in
the store, the other replicas reload them when told and answer from them with their age,
saying whose they are, and never ask Wolkvox nor refuse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from tests.replicas.harness import Replica, start_replica
from tests.services.fakes import FakeContext
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES, text_of

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota

WORDS = {
    "en": {
        "queues": "queues",
        "agents": "agents",
        "none_yet": "No queue data yet.",
        "whose": "as last stored by the replica that polls this operation",
        "age": "Wolkvox data from 7 min ago (10:00)",
        "waiting": "waiting",
        "ready": "ready 1",
    },
    "es": {
        "queues": "colas",
        "agents": "agentes",
        "none_yet": "Aún no hay datos de colas.",
        "whose": "según lo guardó la réplica que consulta esta operación",
        "age": "Datos de Wolkvox de hace 7 min (10:00)",
        "waiting": "en espera",
        "ready": "disponibles 1",
    },
}


@pytest.fixture(params=["en", "es"])
async def replicas(
    request: pytest.FixtureRequest, pg_url: str
) -> AsyncIterator[tuple[Replica, Replica, ManualClock, dict[str, str]]]:
    lang = request.param
    settings = make_settings(
        operations=[operation("bogota", poll_every="5m")], rules=RULES, language=lang
    )
    clock = ManualClock(T0)
    leader = await start_replica(
        "a", settings, url=pg_url, clock=clock, holds={"bogota"}, context=FakeContext()
    )
    follower = await start_replica(
        "b", settings, url=pg_url, clock=clock, holds=set(), context=FakeContext()
    )
    yield leader, follower, clock, WORDS[lang]
    for replica in (follower, leader):
        if replica.refresher is not None:
            await replica.refresher.aclose()
        await replica.runtime.stop()


def lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


async def test_a_follower_answers_queues_and_agents_from_what_the_holder_stored(
    replicas: tuple[Replica, Replica, ManualClock, dict[str, str]],
) -> None:
    leader, follower, clock, words = replicas
    assert leader.context is not None and follower.context is not None

    before = text_of(await follower.ask(words["queues"]))
    assert words["none_yet"] in before and words["whose"] in before
    assert "lease" not in before

    held_queues = text_of(await leader.ask(words["queues"]))
    await follower.context_reloaded("bogota")
    held_agents = text_of(await leader.ask(words["agents"]))
    await follower.context_reloaded("bogota")
    clock.advance(timedelta(minutes=7))

    queues = text_of(await follower.ask(words["queues"]))
    agents = text_of(await follower.ask(words["agents"]))
    assert leader.context.queues_asked == ["bogota"] and leader.context.agents_asked == ["bogota"]
    assert follower.context.queues_asked == [] and follower.context.agents_asked == []
    shown = lines_with(queues, words["waiting"])
    assert len(shown) == 8 and shown == lines_with(held_queues, words["waiting"])
    assert "&lt;!channel&gt;" in queues and "<!channel>" not in queues  # escaped, as stored
    assert words["age"] in queues and words["whose"] in queues
    assert lines_with(agents, words["ready"]) == lines_with(held_agents, words["ready"]) != []
    assert words["age"] in agents and words["whose"] in agents
    assert "Agente Secreto" not in agents  # names masked, and never stored masked


async def test_the_home_tab_of_a_follower_shows_the_holders_queues(
    replicas: tuple[Replica, Replica, ManualClock, dict[str, str]],
) -> None:
    leader, follower, clock, words = replicas
    await leader.ask(words["queues"])
    await follower.context_reloaded("bogota")

    now = clock.now()
    shown = [reply.queues for reply in follower.commands.home_queues(now)]
    assert shown == [reply.queues for reply in leader.commands.home_queues(now)]
    assert shown[0] is not None and shown[0].snapshot is not None
    assert len(shown[0].snapshot.queues) == 8
