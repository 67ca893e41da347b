"""`skills` and `agents` from the real simulator over HTTP, through the shared client.

Each simulator fault that reaches these answers is a row with what the bot
reads from it; the simulator's scenarios must tell the same story as its calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.envelope import Envelope
from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
from bot.adapters.wolkvox.simulator_siblings import SKILLS, surge_queue
from bot.adapters.wolkvox.skills_mapping import map_agents, map_skills
from bot.adapters.wolkvox.skills_source import WolkvoxContextSource
from bot.adapters.wolkvox.source import target_of
from bot.config.model import OperationSettings
from bot.config.request_policy import RequestPolicy
from bot.config.secret import Secret
from bot.domain.queues import AgentKind, count_agents
from bot.services.ports import SourceError

pytestmark = pytest.mark.faults

TOKEN = "tok-3c9d-SECRET-77aa"
T0 = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Bogota


class Rig:
    def __init__(self, sim: WolkvoxSimulator, clock: ManualClock, source: WolkvoxContextSource,
                 client: WolkvoxClient) -> None:  # fmt: skip
        self.sim, self.clock, self.source, self.client = sim, clock, source, client


def _operation(base_url: str, licenses: int = 1) -> OperationSettings:
    return OperationSettings(
        name="acme", server="0004", token=Secret(TOKEN), timezone=ZoneInfo("America/Bogota"),
        licenses=licenses, poll_every=timedelta(minutes=5), channel="C1", budget_reserve=0.2,
        base_url=base_url,
    )  # fmt: skip


@pytest.fixture
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    scenario = getattr(request, "param", "normal")
    clock = ManualClock(T0)
    async with WolkvoxSimulator(clock=clock, scenario=scenario) as sim:
        client = WolkvoxClient(
            clock=clock, policy=RequestPolicy(attempts=1, deadline_s=10.0, timeout_s=5.0)
        )
        async with client:
            op = _operation(sim.base_url)
            source = WolkvoxContextSource(client=client, settings_of={"acme": op}.__getitem__)
            yield Rig(sim, clock, source, client)


async def test_queues_and_agents_come_from_the_simulator_in_the_vendor_spelling(rig: Rig) -> None:
    queues = await rig.source.queues("acme", T0)
    agents = await rig.source.agents("acme", T0)
    assert [q.name for q in queues.queues] == [name for _, name in SKILLS]
    assert all(q.waiting is not None and q.service_level is not None for q in queues.queues)
    assert all(q.abandon_pct is not None and q.inbound is not None for q in queues.queues)
    assert agents.agents and all(a.seconds_in_state is not None for a in agents.agents)
    assert all(a.occupancy is not None for a in agents.agents)
    assert queues.at == T0 and queues.skipped == agents.skipped == 0


async def test_skills_and_agents_spend_the_same_daily_budget_as_calls(rig: Rig) -> None:
    await rig.source.queues("acme", T0)
    await rig.source.agents("acme", T0)
    assert rig.sim.requests_for(TOKEN) == 2
    assert rig.client.budget(target_of(_operation(rig.sim.base_url)), T0).used == 2


@pytest.mark.parametrize(
    "fault",
    [Fault.DATA_NULL, Fault.DATA_MISSING, Fault.EMPTY_WINDOW, Fault.NOT_FOUND_EMPTY],
)
async def test_no_data_is_no_queues_and_no_agents(rig: Rig, fault: Fault) -> None:
    rig.sim.set_fault(fault, times=2)
    queues = await rig.source.queues("acme", T0)
    agents = await rig.source.agents("acme", T0)
    assert queues.queues == () and agents.agents == ()
    assert count_agents(agents.agents).logged_in == 0


async def test_data_as_one_object_is_one_queue_and_one_agent(rig: Rig) -> None:
    rig.sim.set_fault(Fault.DATA_OBJECT, times=2)
    queues = await rig.source.queues("acme", T0)
    agents = await rig.source.agents("acme", T0)
    assert [q.skill_id for q in queues.queues] == [SKILLS[0][0]]
    assert len(agents.agents) == 1


async def test_a_string_code_and_odd_spellings_read_the_same_figures(rig: Rig) -> None:
    plain_q = await rig.source.queues("acme", T0)
    plain_a = await rig.source.agents("acme", T0)
    rig.sim.set_fault(Fault.ODD_SPELLINGS, times=2)
    odd_q = await rig.source.queues("acme", T0)
    odd_a = await rig.source.agents("acme", T0)
    assert odd_q.queues == plain_q.queues
    assert [(a.kind, a.seconds_in_state, a.occupancy) for a in odd_a.agents] == [
        (a.kind, a.seconds_in_state, a.occupancy) for a in plain_a.agents
    ]
    assert {a.state for a in odd_a.agents} == {a.state.upper() for a in plain_a.agents}
    rig.sim.set_fault(Fault.STRING_CODE, times=1)
    assert (await rig.source.queues("acme", T0)).queues == plain_q.queues


async def test_unusable_rows_are_skipped_and_counted(rig: Rig) -> None:
    rig.sim.set_fault(Fault.BAD_ROWS, times=2)
    queues = await rig.source.queues("acme", T0)
    agents = await rig.source.agents("acme", T0)
    assert len(queues.queues) == len(SKILLS) and queues.skipped == 2
    assert agents.skipped == 3 and agents.agents[0].name == "Ana Gomez 1"


async def test_hostile_names_are_kept_as_text_and_a_custom_state_is_a_pause(rig: Rig) -> None:
    rig.sim.set_fault(Fault.HOSTILE_VALUES, times=2)
    queues = await rig.source.queues("acme", T0)
    agents = await rig.source.agents("acme", T0)
    assert all(q.name.startswith("<!channel>") for q in queues.queues)
    assert agents.agents[0].state.startswith("<!channel>")
    assert agents.agents[0].kind is AgentKind.AUXILIARY


@pytest.mark.parametrize(
    ("fault", "kind"),
    [(Fault.TOKEN_INVALID, "token_rejected"), (Fault.HTTP_500, "server_error")],
)
async def test_wolkvox_errors_become_source_errors_without_the_token(
    rig: Rig, fault: Fault, kind: str
) -> None:
    rig.sim.set_fault(fault, times=1)
    with pytest.raises(SourceError) as caught:
        await rig.source.queues("acme", T0)
    assert caught.value.kind == kind
    assert TOKEN not in caught.value.message
    assert rig.sim.requests_for(TOKEN) == 1, "context is fetched once, never retried"


def test_rows_that_are_not_objects_or_name_nothing_are_skipped() -> None:
    rows = ({"SKILL_ID": "9", "Skill_Name": " Cobros ", "Calls_In_Queue_Now": 4}, "x", {})
    queues = map_skills(Envelope(rows=rows), T0)
    assert [(q.skill_id, q.name, q.waiting) for q in queues.queues] == [("9", "Cobros", 4)]
    assert queues.skipped == 2
    agents = map_agents(Envelope(rows=({"agent_id": 5, "occupancy": "100.00%"},)), T0)
    assert agents.agents[0].agent_id == "5" and agents.agents[0].occupancy == 100.0
    assert agents.agents[0].kind is AgentKind.AUXILIARY and agents.agents[0].state == ""


# ---- the simulator tells one story ---------------------------------------------------


@pytest.mark.parametrize("rig", ["abandon_surge"], indirect=True)
async def test_an_abandon_surge_fills_one_queue_and_empties_the_ready_state(rig: Rig) -> None:
    before_q = await rig.source.queues("acme", T0)
    before_a = count_agents((await rig.source.agents("acme", T0)).agents)
    rig.clock.advance(timedelta(minutes=18))
    during_q = await rig.source.queues("acme", rig.clock.now())
    during_a = count_agents((await rig.source.agents("acme", rig.clock.now())).agents)
    hot = surge_queue(TOKEN)
    by_id = {q.skill_id: q for q in during_q.queues}
    assert by_id[hot].waiting is not None and by_id[hot].waiting >= 8
    assert all(q.waiting is not None and q.waiting < 4 for q in before_q.queues)
    assert all(q.waiting is not None and q.waiting < 4 for s, q in by_id.items() if s != hot)
    assert by_id[hot].service_level is not None and by_id[hot].service_level < 60
    abandoned = {s: q.abandoned or 0 for s, q in by_id.items()}
    assert abandoned[hot] > sum(v for s, v in abandoned.items() if s != hot)
    assert during_a.ready < before_a.ready and during_a.auxiliary > before_a.auxiliary


@pytest.mark.parametrize("rig", ["trunk_failure"], indirect=True)
async def test_a_trunk_failure_leaves_the_queues_calm(rig: Rig) -> None:
    rig.clock.advance(timedelta(minutes=18))
    queues = await rig.source.queues("acme", rig.clock.now())
    assert all(q.waiting is not None and q.waiting < 4 for q in queues.queues)
    assert all(q.service_level is not None and q.service_level >= 80 for q in queues.queues)
