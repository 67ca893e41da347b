"""The whole bot in this process, between the Wolkvox simulator and the fake Slack Web API.

`World` keeps what outlives one run of the bot: a ManualClock shared with the simulator,
the simulator, the fake Slack and the SQLite file. `World.run` assembles the bot with
`bootstrap.build_runtime` exactly as `callbot run` does (real client, source, monitor, store,
outbox drainer, Slack notifier and the APScheduler job) and lets the scheduler fire a
given number of poll cycles. After each cycle the clock moves one poll period, so cycle n
of a world always happens at `T0 + (n - 1) * POLL_EVERY` whatever the machine's speed,
and a `Script` changes the simulator between cycles. Running again on the same world is
a restart: the same store, the clock where it was.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.adapters.clock import ManualClock
from bot.adapters.slack.app import build_web_client
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.bootstrap import build_runtime
from bot.config.model import Settings
from bot.domain.specs import WOLKVOX_UNAVAILABLE
from bot.runtime import Runtime
from bot.services.monitor import CycleReport
from bot.services.views.replies import OperationStatus
from bot.services.views.replies_build import status_view
from tests.fakes.slack_api import FakeSlackApi
from tests.support.config import make_settings, operation

T0 = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)
"""A Monday, 10:00 in Bogota: a busy hour."""
BOGOTA = ZoneInfo("America/Bogota")
NEXT_LOCAL_MIDNIGHT = datetime(2026, 1, 20, 5, 0, tzinfo=UTC)
OPERATION = "bogota"
TOKEN = "wv-faults-token-5e8d21c4"
BOT_TOKEN = "xoxb-faults-0000-bot-secret"
CHANNEL = "C0FAULTS1"
SEED = 1
VOLUME = 2.0
POLL_EVERY = timedelta(minutes=5)
SPEED = 6000.0
"""Bot seconds per real second: the scheduler fires every 50 ms; each Wolkvox request gets
`request_policy`'s floor of one real second and no time for a retry."""

Script = Callable[["World", int], None]
"""Called with the number of the cycle about to run (1-based, counted across restarts)."""


def at_cycle(n: int) -> datetime:
    """The bot's clock during cycle `n` of a world."""
    return T0 + (n - 1) * POLL_EVERY


@dataclass
class World:
    directory: Path
    clock: ManualClock
    sim: WolkvoxSimulator
    slack: FakeSlackApi
    licenses: int = 1
    speed: float = SPEED
    path: str = ""
    """Appended to the simulator's URL in the configuration: a mistyped base_url."""
    reports: list[CycleReport] = field(default_factory=list)
    runtime: Runtime | None = None
    """The bot of the current (or last) run, for scripts that look at its state."""

    @property
    def store_path(self) -> Path:
        return self.directory / "callbot.sqlite3"

    def settings(self) -> Settings:
        return make_settings(
            store={"path": self.store_path},
            channel=CHANNEL,
            operations=[
                operation(
                    OPERATION,
                    token=TOKEN,
                    licenses=self.licenses,
                    poll_every="5m",
                    base_url=self.sim.base_url + self.path,
                )
            ],
            source="faults.yml",
        )

    async def run(
        self,
        cycles: int,
        script: Script | None = None,
        *,
        prepare: Callable[[Runtime], None] | None = None,
        within_s: float = 30.0,
    ) -> Runtime:
        """Start the bot, let its scheduler run `cycles` poll cycles, deliver, stop it.

        Returns the stopped runtime, whose state is what the bot knew at the end.
        """
        done = asyncio.Event()
        halted: list[asyncio.Task[None]] = []
        first = len(self.reports) + 1
        runtime: Runtime | None = None

        def after_cycle(report: CycleReport) -> None:
            self.reports.append(report)
            self.clock.advance(POLL_EVERY)
            if len(self.reports) - first + 1 >= cycles:
                if not halted:
                    assert runtime is not None
                    halted.append(asyncio.ensure_future(runtime.scheduler.stop(grace_s=5.0)))
                    done.set()
                return
            if script is not None:
                script(self, len(self.reports) + 1)

        web_client = build_web_client(bot_token=BOT_TOKEN, api_url=self.slack.api_url)
        runtime = build_runtime(
            self.settings(),
            clock=self.clock,
            chat=SlackChat(client=web_client),
            presenter=SlackPresenter(language="en", mask_personal_data=True),
            speed=self.speed,
            first_poll_after=timedelta(seconds=0.05),
            on_cycle=after_cycle,
        )
        self.runtime = runtime
        if prepare is not None:
            prepare(runtime)
        if script is not None:
            script(self, first)
        await runtime.start()
        try:
            async with asyncio.timeout(within_s):
                await done.wait()
                await halted[0]
                while True:  # the drainer delivers what the last cycles decided
                    if not await runtime.store.outbox_depth():
                        break
                    await asyncio.sleep(0.02)
        finally:
            await runtime.stop(cycle_grace_s=2.0, drain_grace_s=2.0)
            for task in halted:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return runtime

    # -- what a person would see ---------------------------------------------------------

    def channel(self) -> list[dict[str, Any]]:
        return self.slack.messages(CHANNEL)

    def top_level(self) -> list[dict[str, Any]]:
        return [m for m in self.channel() if m.get("thread_ts", m["ts"]) == m["ts"]]

    def report(self, n: int) -> CycleReport:
        return self.reports[n - 1]

    def decisions(self, rule: str = WOLKVOX_UNAVAILABLE) -> list[tuple[int, str]]:
        """(cycle, reason) of every notifying decision about `rule`."""
        return [
            (n, d.reason.value)
            for n, report in enumerate(self.reports, start=1)
            for d in report.decisions
            if d.alert.rule == rule
        ]


class SkewedClock:
    """The vendor's clock: the bot's clock plus a fixed error."""

    def __init__(self, base: ManualClock, offset: timedelta) -> None:
        self._base = base
        self._offset = offset

    def now(self) -> datetime:
        return self._base.now() + self._offset


@contextlib.asynccontextmanager
async def world(
    directory: Path, *, vendor_skew: timedelta = timedelta(0), **sim_options: Any
) -> AsyncIterator[World]:
    """A started simulator and fake Slack around a fresh store, stopped afterwards.

    `vendor_skew` sets the simulator's clock that far from the bot's.
    """
    clock = ManualClock(T0)
    sim = WolkvoxSimulator(
        seed=SEED,
        volume=VOLUME,
        valid_tokens=[TOKEN],
        slow_seconds=5.0,
        clock=SkewedClock(clock, vendor_skew),
        **sim_options,
    )
    slack = FakeSlackApi(bot_token=BOT_TOKEN)
    await sim.start()
    await slack.start()
    try:
        yield World(directory=directory, clock=clock, sim=sim, slack=slack)
    finally:
        sim.release_slow()
        await slack.stop()
        await sim.stop()


def truth(polls: Iterable[datetime]) -> set[str]:
    """The conn_ids of every call the simulator served (or would have) at these poll times:
    the same seeded traffic, read straight from the model."""
    model = TrafficModel(seed=SEED, timezone=BOGOTA, volume=VOLUME)
    return {r["conn_id"] for when in polls for r in model.window(TOKEN, when)}


def status_line(runtime: Runtime) -> OperationStatus:
    """The operation's line of `/calls status` as the bot would answer it now."""
    state = runtime.state
    view = status_view(
        state, [state.operation(OPERATION)], source=runtime.source, now=runtime.clock.now()
    )
    return view.operations[0]


def counted(runtime: Runtime, start: datetime, end: datetime) -> int:
    """Calls the bot holds between `start` and `end`: what /calls would total."""
    return runtime.state.log.stats(OPERATION, start=start, end=end).total
