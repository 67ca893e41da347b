"""The running bot minus its Slack transport: state, store, polling, delivery, metrics, health.

`bot.bootstrap.assemble` builds it around its ports; `callbot run` puts Slack around it,
`callbot demo` a terminal chat. Its lifecycle lives here so both stop the same careful
way: no new poll cycles (the one in flight gets a few seconds, then is abandoned: its
transaction either committed or did not), the outbox drained briefly, then connections
and the store closed. Whatever was not delivered stays in the outbox for the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.config.model import Settings
from bot.services.context import ContextSource
from bot.services.control import Controls
from bot.services.delivery import OutboxDrainer
from bot.services.follow import Follower
from bot.services.heap import freeze_start_up_heap
from bot.services.leadership import Leadership
from bot.services.monitor import CycleReport, Monitor
from bot.services.ports import CallSource, Clock
from bot.services.ports.changes import Changes, NoChanges
from bot.services.ports.runtime import Health, OutboxSample, RuntimeMetrics, Scheduler
from bot.services.ports.store import Store, StoreError
from bot.services.relay import RequestDesk
from bot.services.restore import restore_state
from bot.services.state import RuntimeState

log = logging.getLogger("callbot.runtime")


CYCLE_GRACE_S = 3.0
DRAIN_GRACE_S = 2.0
HOUSEKEEPING_EVERY_S = 5.0


@dataclass(slots=True)
class Runtime:
    """Everything that polls, remembers and delivers, with its start and stop.

    `closing` closes what the ports hold open besides the store (the Wolkvox HTTP client);
    `on_settings` tells the adapters that follow the configuration about a reload.
    """

    settings: Settings
    clock: Clock
    state: RuntimeState
    store: Store
    source: CallSource
    monitor: Monitor
    controls: Controls
    drainer: OutboxDrainer
    scheduler: Scheduler
    metrics: RuntimeMetrics
    health: Health
    follower: Follower
    leadership: Leadership
    changes: Changes = field(default_factory=NoChanges)
    """What the other replicas commit (PostgreSQL), heard by the follower."""
    desk: RequestDesk | None = None
    """Carries out what other replicas ask of the operations this one polls."""
    context_source: ContextSource | None = None
    closing: tuple[Callable[[], Awaitable[None]], ...] = ()
    on_settings: tuple[Callable[[Settings], None], ...] = ()
    housekeeping_every_s: float = HOUSEKEEPING_EVERY_S
    _listening_started: bool = False
    _stop_drainer: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stopped: bool = False

    async def open(self) -> None:
        """Open the store and restore what it kept; nothing polls or delivers yet."""
        await self.store.open()
        await restore_state(
            self.state,
            store=self.store,
            source=self.source,
            now=self.clock.now(),
            presenter=self.controls.presenter,
        )
        await self.follower.restore_context()
        self.metrics.declare_operations(self.state.operations)

    async def start(self) -> None:
        """Open the store, restore what it kept, then start delivering and polling."""
        await self.open()
        await self.refresh()
        freeze_start_up_heap()
        self.changes.subscribe(self.follower.on_change)
        if self.controls.relay is not None:
            self.changes.subscribe(self.controls.relay.on_change)
        if self.desk is not None:
            self.changes.subscribe(self.desk.on_change)
        await self.changes.start()
        self._listening_started = True
        self._tasks = [
            asyncio.create_task(self.drainer.run(self._stop_drainer), name="outbox-drainer"),
            asyncio.create_task(self._housekeeping(), name="housekeeping"),
            asyncio.create_task(self.follower.run(self._stop_drainer), name="follower"),
            asyncio.create_task(self.leadership.run(self._stop_drainer), name="leases"),
        ]
        if self.desk is not None:
            self._tasks.append(
                asyncio.create_task(self.desk.run(self._stop_drainer), name="request-desk")
            )
        self.scheduler.start()
        log.info("event=started operations=%s", ",".join(self.state.operations))

    async def stop(
        self, *, cycle_grace_s: float = CYCLE_GRACE_S, drain_grace_s: float = DRAIN_GRACE_S
    ) -> None:
        """Stop polling, deliver what can be delivered quickly, close everything. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        await self.scheduler.stop(grace_s=cycle_grace_s)
        self._stop_drainer.set()
        await self.leadership.release_all()
        drainer = self._tasks[0] if self._tasks else None
        for task in self._tasks[1:]:
            task.cancel()
        if drainer is not None:
            _, pending = await asyncio.wait({drainer}, timeout=drain_grace_s)
            for task in pending:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._tasks:
            await self._last_drain(drain_grace_s)
        await self.changes.stop()
        await self.close_quietly()
        log.info("event=stopped")

    async def close_quietly(self) -> None:
        """Close the ports' connections and the store, whatever state they are in."""
        for close in (*self.closing, self.store.close):
            try:
                await close()
            except Exception as exc:
                log.warning("event=close_failed error=%s", type(exc).__name__)

    def on_cycle(self, report: CycleReport) -> None:
        """After each poll: the metrics that depend on the new state."""
        self.metrics.observe_cycle(report)
        self.metrics.set_budget(report.operation, self.source.budget(report.operation, report.at))
        self.metrics.set_alerts(self.state.alerts)

    async def refresh(self) -> None:
        """Sample the change feed, the outbox (it lives in the store) and the gauges for
        /metrics and /healthz."""
        now = self.clock.now()
        self._sample_changes(now)
        depth = await self.store.outbox_depth()
        oldest = await self.store.oldest_outbox() if depth else None  # reads, claims nothing
        self.health.outbox = OutboxSample(
            depth=depth,
            oldest_created_at=oldest.created_at if oldest else None,
            oldest_error=oldest.last_error if oldest else None,
        )
        self.metrics.set_outbox_depth(depth)
        self.metrics.set_alerts(self.state.alerts)
        self.metrics.set_leases(self.state.operations, self.leadership.epochs())
        for name in self.state.operations:
            self.metrics.set_budget(name, self.source.budget(name, now))

    def _sample_changes(self, now: datetime) -> None:
        """Whether the change feed listens, once started: since when it has not."""
        if not self._listening_started:
            return
        listening = self.changes.listening
        self.metrics.set_changes_connected(listening)
        if listening:
            self.health.changes_lost_since = None
        elif self.health.changes_lost_since is None:
            self.health.changes_lost_since = now

    async def _last_drain(self, grace_s: float) -> None:
        try:
            async with asyncio.timeout(grace_s):
                await self.drainer.drain_once()
                depth = await self.store.outbox_depth()
        except TimeoutError:
            log.warning("event=drain_abandoned reason=timeout")
            return
        except Exception as exc:
            log.warning("event=drain_abandoned error=%s", type(exc).__name__)
            return
        self.metrics.set_outbox_depth(depth)
        if depth:
            log.info("event=outbox_kept rows=%d", depth)

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(self.housekeeping_every_s)
            try:
                await self.controls.expire_silences()
                await self.refresh()
            except StoreError as exc:
                # /healthz says why (URL masked) until the store answers again; replies
                # keep coming from memory meanwhile.
                self.health.store_problem = f"store unreachable: {exc}"
                if self.state.store_lost_since is None:
                    self.state.store_lost_since = self.clock.now()
                log.warning("event=housekeeping_failed error=%s", type(exc).__name__)
            except Exception as exc:
                log.warning("event=housekeeping_failed error=%s", type(exc).__name__)
            else:
                self.health.store_problem = None
                self.state.store_lost_since = None
