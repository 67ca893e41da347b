"""Queue rules end to end (issue 15): the real simulator over HTTP, the shared client,
the real monitor, alert book, store and Slack presenter. During `abandon_surge` one
queue's callers wait and its service level falls: the queue rules fire on that queue and
resolve once the surge is over; during `trunk_failure` (outbound only) they stay calm.
`skills` is asked once per poll, right after `calls_last_10`, on the same token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.memory import MemoryStore
from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.adapters.wolkvox.simulator_siblings import SKILLS, surge_queue
from bot.adapters.wolkvox.skills_source import WolkvoxContextSource
from bot.adapters.wolkvox.source import WolkvoxCallSource
from bot.bootstrap import CycleHooks, wire_context
from bot.config.request_policy import RequestPolicy
from bot.services.context_alerts import AlertContextRefresher
from bot.services.monitor import Monitor
from bot.services.state import RuntimeState
from tests.support.config import make_settings, operation, rule
from tests.support.world import assembled

pytestmark = pytest.mark.faults

TOKEN = "tok-queue-e2e-4471"
T0 = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Bogota
RULES = [
    rule("queue-waiting", kind="queue", match=None, metric="waiting", warning=6, recover=5),
    rule(
        "service-level",
        kind="queue",
        match=None,
        metric="service_level",
        warning="75%",
        critical="65%",
    ),
]


@dataclass
class Rig:
    sim: WolkvoxSimulator
    clock: ManualClock
    state: RuntimeState
    store: MemoryStore
    monitor: Monitor
    refresher: AlertContextRefresher

    def state_of(self, rule: str) -> str:
        return str(self.state.alerts.get(rule, "bogota").state)

    async def posts(self) -> list[str]:
        rows = await self.store.due_outbox(self.clock.now() + timedelta(days=1), 1000)
        return [str(r.payload) for r in rows]


@pytest.fixture
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    scenario, context = request.param, []
    if scenario == "abandon_surge+agents":
        scenario, context = "abandon_surge", ["agents"]
    clock = ManualClock(T0)
    async with WolkvoxSimulator(clock=clock, scenario=scenario) as sim:
        settings = make_settings(
            operations=[
                operation(
                    token=TOKEN,
                    licenses=2,
                    poll_every="5m",
                    base_url=sim.base_url,
                    context=context,
                )
            ],
            rules=RULES,
            source="t.yml",
        )
        store = MemoryStore()
        await store.open()
        async with WolkvoxClient(
            clock=clock, policy=RequestPolicy(attempts=1, deadline_s=10.0, timeout_s=5.0)
        ) as client:
            operations = {op.name: op for op in settings.operations}
            presenter = SlackPresenter(language="en", mask_personal_data=True)
            hooks = CycleHooks()
            runtime = assembled(
                settings,
                clock=clock,
                store=store,
                source=WolkvoxCallSource(client=client, operations=settings.operations),
                presenter=presenter,
                on_cycle=hooks,
                context_source=WolkvoxContextSource(
                    client=client, settings_of=operations.__getitem__
                ),
            )
            _context, refresher = wire_context(
                runtime, presenter, hooks, request_limit=timedelta(seconds=5)
            )
            state, monitor = runtime.state, runtime.monitor
            yield Rig(sim, clock, state, store, monitor, refresher)
            await refresher.aclose()


async def _poll_until(rig: Rig, minutes: int) -> dict[int, tuple[str, str]]:
    """Poll every 5 minutes from T0; the two rules' states after each poll."""
    seen: dict[int, tuple[str, str]] = {}
    for minute in range(0, minutes + 1, 5):
        rig.clock.set(T0 + timedelta(minutes=minute))
        report = await rig.monitor.poll("bogota")
        await rig.refresher.wait()
        assert report.error is None, report.error
        seen[minute] = (rig.state_of("queue-waiting"), rig.state_of("service-level"))
    return seen


@pytest.mark.parametrize("rig", ["abandon_surge"], indirect=True)
async def test_an_abandon_surge_fires_the_queue_rules_on_its_queue_and_they_resolve(
    rig: Rig,
) -> None:
    seen = await _poll_until(rig, 35)
    calm = ("inactive", "inactive")
    assert seen[0] == seen[5] == calm, seen
    # the surge runs from minute 10 to 25 of the scenario
    assert seen[10] == seen[15] == seen[20] == ("firing", "firing"), seen
    assert seen[25] == seen[30] == seen[35] == ("resolved", "resolved"), seen
    hot = dict(SKILLS)[surge_queue(TOKEN)]
    posts = await rig.posts()
    fired = next(p for p in posts if "Service level" in p)
    assert f"on {hot}" in fired and "below" in fired, fired
    alert = rig.state.alerts.get("service-level", "bogota")
    assert alert.peak_severity is not None and alert.peak_severity.value == "critical"
    # one calls_last_10 and one skills request per poll, on the one token
    assert rig.sim.requests_for(TOKEN) == 2 * len(seen)


@pytest.mark.parametrize("rig", ["trunk_failure"], indirect=True)
async def test_a_trunk_failure_leaves_the_queues_calm(rig: Rig) -> None:
    seen = await _poll_until(rig, 35)
    assert set(seen.values()) == {("inactive", "inactive")}, seen


@pytest.mark.parametrize("rig", ["abandon_surge+agents"], indirect=True)
async def test_a_queue_alert_shows_that_ready_agents_fell(rig: Rig) -> None:
    """With `context: [agents]`, the fired queue alert's message is edited to show the
    agents by state: during the surge most of them have left the ready state."""
    await _poll_until(rig, 10)
    assert rig.state_of("service-level") == "firing"
    edits = [p for p in await rig.posts() if "Service level" in p and "logged in" in p]
    assert edits, await rig.posts()
    found = re.search(r"ready (\d+) · talking \d+ · after-call work \d+ · auxiliary/paused "
                      r"(\d+) · logged in (\d+)", edits[-1])  # fmt: skip
    assert found is not None, edits[-1]
    ready, paused, logged_in = (int(g) for g in found.groups())
    assert ready < paused and ready <= logged_in // 4, edits[-1]
