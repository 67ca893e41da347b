"""`assemble`: the running bot built around its ports, whoever provides them.

The ports are what changes between `callbot run`, the demo, the benchmarks and the tests
(the store, where calls come from, where messages go, how they are worded, what time it
is); everything built from them (state, monitor, controls, drainer, scheduler, metrics,
health) is built here, once, the same way for all of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

from bot.adapters.health import HealthCheck
from bot.adapters.metrics import Metrics
from bot.adapters.scheduler import PollScheduler
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.presenter import SlackPresenter
from bot.backtest.slack_reply import backtest_replier
from bot.config.lease_groups import LeaseGroups
from bot.config.model import Settings
from bot.domain.call_log import CallLog
from bot.reload import poll_jobs
from bot.runtime import Runtime
from bot.services.authorization import Authorizer
from bot.services.commands import CommandService
from bot.services.context import ContextService, ContextSource
from bot.services.context_alerts import AlertContextRefresher
from bot.services.control import Controls
from bot.services.delivery import OutboxDrainer
from bot.services.follow import Follower
from bot.services.leadership import Leadership, LeaseChange
from bot.services.monitor import CycleReport, Monitor
from bot.services.ports import CallSource, Clock, Presenter
from bot.services.ports.changes import Changes, NoChanges
from bot.services.ports.chat import Chat
from bot.services.ports.requests import ActionRequests
from bot.services.ports.store import Store
from bot.services.queue_polling import QueuePolling
from bot.services.relay import Relay, RequestDesk
from bot.services.restore import restore_operation
from bot.services.state import RuntimeState


def assemble(
    settings: Settings,
    *,
    store: Store,
    source: CallSource,
    chat: Chat,
    presenter: Presenter,
    clock: Clock,
    speed: float = 1.0,
    first_poll_after: timedelta = timedelta(seconds=1),
    on_cycle: Callable[[CycleReport], None] | None = None,
    metrics: Metrics | None = None,
    context_source: ContextSource | None = None,
    closing: Iterable[Callable[[], Awaitable[None]]] = (),
    on_settings: Iterable[Callable[[Settings], None]] = (),
    changes: Changes | None = None,
    requests: ActionRequests | None = None,
) -> Runtime:
    """Build the runtime around its ports; nothing runs until `Runtime.start()`.

    `speed` is the clock's pace against real time (the demo's simulated clock): poll
    intervals, which run on real time, are divided by it. `metrics` is given when an
    adapter built before (the Wolkvox client) already reports to it; `context_source`
    feeds `/calls queues|agents` and the alerts' context (`wire_context`); `closing` closes
    what the ports hold open besides the store (the HTTP client); `on_settings` tells an
    adapter about a reloaded configuration; `changes` is the feed of what other replicas
    commit (a store several processes share), which the follower hears; `requests` is where
    actions on operations another replica polls wait for it (the relay and the desk).
    """
    metrics = metrics or Metrics()
    hooks = CycleHooks()
    drainer = OutboxDrainer(
        outbox=store, chat=chat, clock=clock, on_result=metrics.observe_delivery
    )
    state, monitor = assemble_replay(
        settings,
        store=store,
        source=source,
        presenter=presenter,
        clock=clock,
        on_outbox=drainer.wake,
        on_cycle=hooks,
    )
    health = HealthCheck(clock=clock, operations=lambda: state.operations.values())
    health.store_latency = metrics.store_line
    controls = Controls(
        state=state, store=store, clock=clock, presenter=presenter, on_outbox=drainer.wake
    )
    groups = LeaseGroups(settings.operations)
    store.fence_by(groups.key)
    leadership = Leadership(
        leases=store,
        group_of=groups.key,
        poll=monitor.poll,
        operations=lambda: tuple(state.operations),
        restore=lambda op: restore_operation(
            state, op, store=store, source=source, now=clock.now()
        ),
        ttl=settings.store.lease_ttl,
    )
    if leadership.shared:
        health.leases = leadership.epochs
    leadership.listeners.append(
        lambda _change: metrics.set_leases(state.operations, leadership.epochs())
    )
    scheduler = PollScheduler(
        jobs=poll_jobs(settings.operations),
        poll=leadership.poll,
        speed=speed,
        first_run_after=first_poll_after,
    )
    follower = Follower(state=state, store=store, source=source, clock=clock)
    desk = None
    if requests is not None:
        controls.relay = Relay(requests=requests, elsewhere=follower.follows)
        desk = RequestDesk(
            requests=requests,
            holds=follower.polls_here,
            operations=lambda: list(state.operations),
            carry_out=controls.carry_out,
        )
    _follow_leases(leadership, follower, desk)
    runtime = Runtime(
        settings=settings,
        clock=clock,
        state=state,
        store=store,
        source=source,
        monitor=monitor,
        controls=controls,
        drainer=drainer,
        scheduler=scheduler,
        metrics=metrics,
        health=health,
        follower=follower,
        changes=changes if changes is not None else NoChanges(),
        desk=desk,
        leadership=leadership,
        context_source=context_source,
        closing=tuple(closing),
        on_settings=(lambda new: groups.follow(new.operations), *on_settings),
    )
    hooks.hooks.append(runtime.on_cycle)
    if on_cycle is not None:
        hooks.hooks.append(on_cycle)
    return runtime


def assemble_replay(
    settings: Settings,
    *,
    store: Store,
    source: CallSource,
    presenter: Presenter,
    clock: Clock,
    history: CallLog | None = None,
    on_outbox: Callable[[], None] | None = None,
    on_cycle: Callable[[CycleReport], None] | None = None,
) -> tuple[RuntimeState, Monitor]:
    """The poll cycle alone: the state and the `Monitor` over the given ports.

    A backtest calls it bare: `bot.services.backtest.replay` polls at simulated times and
    reads the outbox back, so a replay has no scheduler, drainer, metrics or health.
    `assemble` builds its own poll cycle here too, with the drainer's wake-up
    (`on_outbox`) and its cycle hooks (`on_cycle`), so both are built the same way.
    `history` is the call log the bot starts with, as a restart restores it (rules that
    learn from weeks of history, issue 16).
    """
    state = RuntimeState.from_settings(settings, log=history)
    monitor = Monitor(
        state=state,
        source=source,
        store=store,
        clock=clock,
        presenter=presenter,
        on_outbox=on_outbox,
        on_cycle=on_cycle,
    )
    return state, monitor


def _follow_leases(leadership: Leadership, follower: Follower, desk: RequestDesk | None) -> None:
    """Several replicas: what this one polls is what it holds the lease of; the follower
    reloads the rest, and hears (like the desk) of every lease gained or lost."""
    if not leadership.shared:
        return
    follower.holds = leadership.holds
    hearers = [follower.lease_changed, *([desk.lease_changed] if desk is not None else [])]

    def tell(change: LeaseChange) -> None:
        for hear in hearers:
            hear(change.operation, change.lease is not None)

    leadership.listeners.append(tell)


class CycleHooks:
    """What runs after each poll cycle, in order; more can be added after assembly (the
    context refresher needs the runtime)."""

    def __init__(self, *first: Callable[[CycleReport], None]) -> None:
        self.hooks: list[Callable[[CycleReport], None]] = list(first)

    def __call__(self, report: CycleReport) -> None:
        for hook in self.hooks:
            hook(report)


def wire_context(
    runtime: Runtime,
    presenter: SlackPresenter,
    hooks: CycleHooks,
    *,
    request_limit: timedelta,
) -> tuple[ContextService, AlertContextRefresher]:
    """Queue/agent context for commands and for the messages of firing alerts (issue 15),
    kept in the store and reloaded by the follower (issue 14: any replica answers); wired
    before `runtime.start()`, which restores the stored snapshots.

    A refresh starts a request only when `request_limit` is left before the next poll."""
    if runtime.context_source is None:
        raise ValueError("wire_context needs a runtime assembled with a context_source")
    context = ContextService(
        state=runtime.state,
        source=runtime.context_source,
        budget=runtime.source,
        clock=runtime.clock,
        store=runtime.store,
        polls_here=runtime.follower.polls_here,
        store_agent_names=not runtime.settings.mask_personal_data,
    )
    runtime.follower.context = context
    refresher = AlertContextRefresher(
        state=runtime.state,
        context=context,
        store=runtime.store,
        presenter=presenter,
        clock=runtime.clock,
        on_outbox=runtime.drainer.wake,
        request_limit=request_limit,
    )
    presenter.use_context(refresher.alert_context)
    hooks.hooks.append(refresher.after_cycle)
    runtime.monitor.use_queues(
        QueuePolling(context=context, clock=runtime.clock, request_limit=request_limit)
    )
    return context, refresher


def calls_frontend(
    runtime: Runtime, *, authorizer: Authorizer, context: ContextService | None = None
) -> CallsFrontend:
    """`/calls`, the buttons and the Home tab over the runtime, in its language; `/calls
    backtest` replays the history the runtime keeps."""
    return CallsFrontend(
        commands=CommandService(
            state=runtime.state,
            controls=runtime.controls,
            clock=runtime.clock,
            source=runtime.source,
            authorizer=authorizer,
            context=context,
        ),
        language=runtime.settings.language.value,
        mask_personal_data=runtime.settings.mask_personal_data,
        backtest=backtest_replier(runtime.state),
    )
