"""Queue and agent context on the living message of an alert about inbound calls.

After each poll cycle (`after_cycle`, a cycle hook), an operation with a firing
incident on inbound calls gets its `skills`/`agents` refreshed in the
background: at once when an incident fired or escalated (unless the snapshot is
younger than a minute), then at most once every `context_every` while it
fires. The fetch runs beside the poll, never inside it, through the shared
client (one request per token, one attempt, the daily budget with the polls'
reserve kept), and a request starts only when, at its longest (`request_limit`),
it ends before the operation's next poll is due: context never delays a poll.
When it
lands, each firing message of the operation is edited to show it; the
presenter reads the latest context whenever it renders (`alert_context`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.alert_types import Alert, Decision, Notify, Reason
from bot.domain.calls import CallResult, CallType
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.domain.specs import RuleKind, RuleSpec
from bot.services.context import ContextService, Reading
from bot.services.decision_rows import decision_rows
from bot.services.monitor import CycleReport
from bot.services.ports import Clock, Presenter
from bot.services.ports.store import ActionCommit, OutboxAction, Store
from bot.services.state import RuntimeState

log = logging.getLogger("callbot.context")

URGENT_AGE = timedelta(minutes=1)
"""On a fire or an escalation, context younger than this is recent enough."""
_URGENT = frozenset({Reason.FIRST, Reason.ESCALATED})


def wants_context(spec: RuleSpec) -> bool:
    """A rule on inbound calls (or on abandons, which only inbound calls have), or on
    queues (its alert shows the other queues and the agents too)."""
    if spec.kind is RuleKind.QUEUE:
        return True
    types = spec.match.types | spec.among.types
    return CallType.INBOUND.value in types or CallResult.ABANDON.value in spec.match.results


@dataclass(frozen=True, slots=True)
class AlertContext:
    """What an alert's message shows from Wolkvox; a reading is None when not wanted."""

    queues: Reading[QueueSnapshot] | None
    agents: Reading[AgentSnapshot] | None


class AlertContextRefresher:
    """Keeps firing alerts on inbound calls supplied with fresh enough queue/agent context."""

    def __init__(
        self,
        *,
        state: RuntimeState,
        context: ContextService,
        store: Store,
        presenter: Presenter,
        clock: Clock,
        on_outbox: Callable[[], None] | None = None,
        request_limit: timedelta = timedelta(seconds=60),
    ) -> None:
        self._request_limit = request_limit
        self._state = state
        self._context = context
        self._store = store
        self._presenter = presenter
        self._clock = clock
        self._on_outbox = on_outbox
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._readings: dict[str, AlertContext] = {}

    def alert_context(self, operation: str, rule: str) -> AlertContext | None:
        """The context the message of `rule` on `operation` shows (None: none for it)."""
        op = self._state.operations.get(operation)
        spec = op.rule(rule) if op is not None else None
        if op is None or spec is None or not wants_context(spec):
            return None
        return self._readings.get(operation)

    def after_cycle(self, report: CycleReport) -> None:
        """Start a background refresh when a firing incident needs fresher context."""
        name = report.operation
        op = self._state.operations.get(name)
        if op is None or not op.settings.context or name in self._tasks:
            return
        if not self._firing(name):
            return
        urgent = any(d.reason in _URGENT and d.alert.operation == name for d in report.decisions)
        max_age = URGENT_AGE if urgent else op.settings.context_every
        if not self._older_than(name, max_age):
            return
        next_poll = report.at + op.settings.poll_every
        task = asyncio.get_running_loop().create_task(self._refresh(name, max_age, next_poll))
        self._tasks[name] = task
        task.add_done_callback(lambda _t: self._tasks.pop(name, None))

    async def aclose(self) -> None:
        """Cancel refreshes still running (at shutdown)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def wait(self) -> None:
        """Let running refreshes finish (tests, the demo)."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def _firing(self, operation: str) -> list[tuple[Alert, RuleSpec]]:
        op = self._state.operation(operation)
        found = []
        for alert in self._state.alerts:
            spec = op.rule(alert.rule) if alert.operation == operation else None
            if spec is not None and alert.firing and alert.incident_id and wants_context(spec):
                found.append((alert, spec))
        return found

    def _older_than(self, operation: str, max_age: timedelta) -> bool:
        now = self._clock.now()
        kinds = self._state.operation(operation).settings.context
        latest: list[QueueSnapshot | AgentSnapshot | None] = []
        if "queues" in kinds:
            latest.append(self._context.latest_queues(operation))
        if "agents" in kinds:
            latest.append(self._context.latest_agents(operation))
        return any(s is None or s.age(now) >= max_age for s in latest)

    def _fits(self, next_poll: datetime) -> bool:
        """Whether one more request, at its longest, ends before the next poll is due."""
        return self._clock.now() + self._request_limit <= next_poll

    async def _refresh(self, operation: str, max_age: timedelta, next_poll: datetime) -> None:
        try:
            kinds = self._state.operation(operation).settings.context
            known = self._readings.get(operation, AlertContext(None, None))
            queues, agents = known.queues, known.agents
            if "queues" in kinds and self._fits(next_poll):
                queues = await self._context.queues(operation, max_age=max_age)
            if "agents" in kinds and self._fits(next_poll):
                agents = await self._context.agents(operation, max_age=max_age)
            if queues is known.queues and agents is known.agents:
                log.info("event=context_skipped operation=%s reason=next_poll_too_close", operation)
                return
            self._readings[operation] = AlertContext(queues=queues, agents=agents)
            await self._edit(operation)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "event=context_refresh_failed operation=%s error=%s", operation, type(exc).__name__
            )

    async def _edit(self, operation: str) -> None:
        """Edit each posted, firing message of the operation (digests keep their own)."""
        async with self._state.lock:
            now = self._clock.now()
            op = self._state.operation(operation)
            rows = []
            for alert, spec in self._firing(operation):
                if not alert.posted or self._state.digests.of(alert.incident_id or "") is not None:
                    continue
                decision = Decision(alert=alert, reason=Reason.NONE, notify=Notify.UPDATE)
                rows += decision_rows(
                    decision,
                    spec,
                    presenter=self._presenter,
                    log=self._state.log,
                    now=now,
                    tz=op.tz.key,
                    channel=spec.channel or op.settings.channel,
                    silence=self._state.silences.matching(alert.rule, operation, now),
                    poll=op.poll,
                )
            rows = [r for r in rows if r.action == OutboxAction.UPDATE]
            if not rows:
                return
            await self._store.commit_action(ActionCommit(outbox=rows, under=(operation,)))
        if self._on_outbox is not None:
            self._on_outbox()
