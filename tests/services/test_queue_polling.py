"""The `skills` poll of queue rules inside the poll cycle (issue 15): every
`skills_every`, only when it cannot outlast the time before the next poll, each snapshot
judged once, and a snapshot that stops coming holds a firing alert instead of resolving
it. The real monitor, alert book and store; `skills` is a counting fake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.adapters.clock import ManualClock
from bot.config.model import Settings
from bot.domain.specs import EvalStatus
from bot.services.context import ContextService, polls_due_today
from bot.services.monitor import Monitor
from bot.services.ports import SourceError
from bot.services.queue_polling import QueuePolling
from bot.services.state import RuntimeState
from tests.support.config import make_settings, operation, rule
from tests.support.frontend_world import T0
from tests.support.world import assembled

from .fakes import FakeContext, FixedBudget

WAITING = rule("waiting", kind="queue", match=None, metric="waiting", warning=10, **{"for": 2})


def config(*, rules: list[dict[str, object]] | None = None, **more: str) -> Settings:
    """One operation polled every 5 minutes (`more` adds its keys) and the queue rule."""
    return make_settings(
        operations=[operation(token="t", poll_every="5m", **more)],
        rules=[WAITING] if rules is None else rules,
        source="t.yml",
    )


@dataclass
class Rig:
    state: RuntimeState
    clock: ManualClock
    fake: FakeContext
    monitor: Monitor

    async def poll_at(self, minute: int) -> None:
        self.clock.set(T0 + timedelta(minutes=minute))
        await self.monitor.poll("bogota")

    def alert(self) -> str:
        return str(self.state.alerts.get("waiting", "bogota").state)


async def make_rig(
    extra: dict[str, str] | None = None, request_limit: timedelta = timedelta(seconds=60)
) -> Rig:
    settings = config(**(extra or {}))
    clock = ManualClock(T0)
    runtime = assembled(settings, clock=clock)
    await runtime.store.open()
    state, monitor = runtime.state, runtime.monitor
    fake = FakeContext()
    context = ContextService(state=state, source=fake, budget=FixedBudget(), clock=clock)
    monitor.use_queues(QueuePolling(context=context, clock=clock, request_limit=request_limit))
    return Rig(state, clock, fake, monitor)


async def test_skills_is_polled_every_skills_every_and_for_counts_snapshots() -> None:
    rig = await make_rig({"skills_every": "10m"})
    states = []
    for minute in (0, 5, 10, 15, 20):
        await rig.poll_at(minute)
        states.append(rig.alert())
    assert len(rig.fake.queues_asked) == 3, "at 0, 10 and 20 minutes"
    # 14 callers wait on one queue (warning 10, for: 2): the poll at 5 brought no new
    # snapshot, so it does not count as a second breach; the snapshot at 10 does.
    assert states == ["pending", "pending", "firing", "firing", "firing"]


async def test_no_skills_request_starts_that_could_outlast_the_time_to_the_next_poll() -> None:
    rig = await make_rig(request_limit=timedelta(minutes=5, seconds=1))
    await rig.poll_at(0)
    assert rig.fake.queues_asked == []
    last = rig.state.alerts.get("waiting", "bogota").last_evaluation
    assert rig.alert() == "inactive"
    assert last is None or last.status is EvalStatus.HELD


async def test_a_snapshot_that_stops_coming_holds_a_firing_alert() -> None:
    rig = await make_rig()
    await rig.poll_at(0)
    await rig.poll_at(5)
    assert rig.alert() == "firing"
    rig.fake.fail = SourceError("Wolkvox did not answer", kind="timeout", transient=True)
    rig.fake.waiting = 0
    for minute in (10, 15, 20, 25):
        await rig.poll_at(minute)
        assert rig.alert() == "firing", minute
    alert = rig.state.alerts.get("waiting", "bogota")
    assert alert.quiet is not None and alert.quiet.status is EvalStatus.HELD
    assert "old" in alert.quiet.detail
    rig.fake.fail = None
    await rig.poll_at(30)
    await rig.poll_at(35)
    assert rig.alert() == "resolved", "two calm snapshots (for: 2) resolve it"


async def test_an_operation_without_queue_rules_never_asks_skills() -> None:
    settings = config(rules=[rule(match={"result": ["abandon"]}, warning=5)])
    assert not settings.operation("bogota").polls_skills
    clock = ManualClock(T0)
    runtime = assembled(settings, clock=clock)
    await runtime.store.open()
    state, monitor = runtime.state, runtime.monitor
    fake = FakeContext()
    context = ContextService(state=state, source=fake, budget=FixedBudget(), clock=clock)
    monitor.use_queues(
        QueuePolling(context=context, clock=clock, request_limit=timedelta(seconds=60))
    )
    await monitor.poll("bogota")
    assert fake.queues_asked == []


def test_the_polls_reserve_counts_the_skills_polls_of_the_rest_of_the_day() -> None:
    """Context fetches keep today's polls their calls: skills polls of queue rules too."""
    tz = ZoneInfo("America/Bogota")
    at = datetime(2026, 11, 24, 23, 0, tzinfo=tz)  # an hour before local midnight
    calls_only = polls_due_today(at, poll_every=timedelta(minutes=5), tz=tz)
    both = polls_due_today(
        at, poll_every=timedelta(minutes=5), tz=tz, skills_every=timedelta(minutes=10)
    )
    assert (calls_only, both) == (12, 12 + 6)
