"""Replay recorded calls through the live bot's own poll cycle, on a simulated clock.

A backtest answers "what would these rules have done with that traffic?" by running
the very code `callbot run` runs: the `Monitor` (payload mapping happens in the
`CallSource`, then CallLog ingest, rule evaluation, the alert state machine,
notification planning with storm digests, the outbox committed to a store), only
polled at simulated times and with the outbox read back instead of sent to Slack.
Nothing here knows where the calls come from (a file, the store's history, the
simulator) or how messages are rendered: the caller has the composition root assemble
the state and its `Monitor` (`bot.bootstrap.assemble_replay`, the same way `assemble`
does for `callbot run`) over a `CallSource` whose answer depends on the clock it shares
with the replay, and a `Presenter` whose payloads carry `BACKTEST_KEY` metadata (see
`bot.backtest.presenter`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain.alert_book import AlertBook
from bot.domain.alerts import Alert
from bot.domain.specs import RuleKind, RuleSpec, Severity
from bot.services.monitor import CycleReport, Monitor
from bot.services.ports import Clock
from bot.services.ports.store import MessageRef, OutboxAction, Store
from bot.services.state import RuntimeState

BACKTEST_KEY = "backtest"
"""The key under which a backtest presenter's payloads describe themselves:
`{"incident": id}` for an incident's message or note (with `"event"` for a note),
`{"members": [ids]}` for a digest, `"mentions": bool` for whether it pings."""

_EVENT_KINDS = {
    "reminder": "remind",
    "escalated": "escalate",
    "deescalated": "deescalate",
    "resolved": "resolve",
    "resolved_silenced": "resolve",
    "joined": "join",
}


class SettableClock(Clock, Protocol):
    """A clock the replay moves: `bot.adapters.clock.ManualClock`."""

    def set(self, when: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class Notification:
    """One message the incident caused: `kind` is post, edit, escalate, deescalate,
    remind, resolve, digest (posted inside a storm digest) or join (joined one)."""

    at: datetime
    kind: str
    mentions: bool = False


@dataclass(slots=True)
class Incident:
    """One incident the rules would have opened, as it went."""

    rule: str
    operation: str
    incident_id: str
    fired_at: datetime
    resolved_at: datetime | None = None
    severity: Severity | None = None
    path: list[str] = field(default_factory=list)
    peak: float | None = None
    threshold: float | None = None
    kind: str = ""
    notifications: list[Notification] = field(default_factory=list)

    @property
    def pings(self) -> int:
        return sum(1 for n in self.notifications if n.mentions)

    def duration(self, end: datetime) -> timedelta:
        return (self.resolved_at or end) - self.fired_at


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What a replay saw and what the rules did: `rules` names every rule evaluated, in
    configuration order, so a rule that never fired is still listed."""

    operation: str
    start: datetime
    end: datetime
    polls: int
    failed_polls: int
    rules: tuple[RuleSpec, ...]
    incidents: tuple[Incident, ...]
    not_replayed: tuple[str, ...] = ()
    """Queue rules of the operation: they read Wolkvox's `skills` snapshot of a moment,
    which call history does not keep, so a replay leaves them out and says so."""


def poll_times(start: datetime, end: datetime, every: timedelta) -> list[datetime]:
    """Every poll from `start` to `end` inclusive, `every` apart."""
    times: list[datetime] = []
    at = start
    while at <= end:
        times.append(at)
        at += every
    return times


def peak_threshold(spec: RuleSpec, severity: Severity | None) -> float | None:
    """The threshold the peak is read against: the level of the severity it reached."""
    if spec.kind is RuleKind.FLATLINE:
        return float(spec.below) if spec.below is not None else None
    if spec.kind is RuleKind.SPIKE:
        return spec.factor
    if severity is Severity.CRITICAL and spec.critical is not None:
        return spec.critical
    return spec.warning if spec.warning is not None else spec.critical


async def replay(
    *,
    state: RuntimeState,
    monitor: Monitor,
    operation: str,
    store: Store,
    clock: SettableClock,
    start: datetime,
    end: datetime,
    on_poll: Callable[[datetime, RuntimeState], None] | None = None,
) -> ReplayResult:
    """Poll `operation` every `poll_every` from `start` to `end` and collect its incidents.

    `monitor` polls `state` and commits to `store`, on `clock` (as
    `bot.bootstrap.assemble_replay` builds them). `store` must be empty and is opened here
    (a MemoryStore: the cycle is committed like the live bot's); `on_poll` sees the state
    after each poll (rule tests read it).
    """
    op = state.operation(operation)
    not_replayed = tuple(r.name for r in op.rules if r.kind is RuleKind.QUEUE)
    op.rules = tuple(r for r in op.rules if r.kind is not RuleKind.QUEUE)
    recorder = _Recorder(op.rules)
    times = poll_times(start, end, op.settings.poll_every)
    failed = 0
    await store.open()
    try:
        for at in times:
            clock.set(at)
            report = await monitor.poll(operation)
            if report.error is not None:
                failed += 1
            recorder.alerts(state.alerts, operation)
            await recorder.outbox(store, at, report)
            if on_poll is not None:
                on_poll(at, state)
    finally:
        await store.close()
    return ReplayResult(
        operation=operation,
        start=start,
        end=end,
        polls=len(times),
        failed_polls=failed,
        rules=op.rules,
        incidents=tuple(sorted(recorder.incidents.values(), key=lambda i: i.fired_at)),
        not_replayed=not_replayed,
    )


class _Recorder:
    """Incidents from the alert book after each poll, notifications from the outbox."""

    def __init__(self, rules: tuple[RuleSpec, ...]) -> None:
        self._specs = {spec.name: spec for spec in rules}
        self.incidents: dict[str, Incident] = {}
        self._refs = 0

    def alerts(self, book: AlertBook, operation: str) -> None:
        for alert in book:
            if alert.operation == operation and alert.incident_id is not None:
                self._track(alert)

    def _track(self, alert: Alert) -> None:
        assert alert.incident_id is not None and alert.fired_at is not None
        incident = self.incidents.get(alert.incident_id)
        spec = self._specs.get(alert.rule)
        if incident is None:
            incident = Incident(
                rule=alert.rule,
                operation=alert.operation,
                incident_id=alert.incident_id,
                fired_at=alert.fired_at,
                kind=spec.kind.value if spec else "",
            )
            self.incidents[alert.incident_id] = incident
        severity = alert.severity.value if alert.severity is not None else None
        if alert.firing and severity and (not incident.path or incident.path[-1] != severity):
            incident.path.append(severity)
        incident.resolved_at = None if alert.firing else alert.resolved_at
        incident.peak = alert.peak_value
        incident.severity = alert.peak_severity
        if spec is not None:
            incident.threshold = peak_threshold(spec, alert.peak_severity)

    async def outbox(self, store: Store, at: datetime, report: CycleReport) -> None:
        decided = {d.alert.incident_id for d in report.decisions if d.alert.incident_id}
        while rows := await store.due_outbox(at, 500):
            for row in rows:
                meta = row.payload.get(BACKTEST_KEY)
                if isinstance(meta, Mapping):
                    self._notify(row.action, meta, at, decided)
                self._refs += 1
                ref = MessageRef(row.incident_id, row.channel, f"{self._refs}.000000")
                await store.complete(
                    row.id, message=ref if row.action == OutboxAction.POST else None
                )

    def _notify(
        self,
        action: OutboxAction,
        meta: Mapping[str, Any],
        at: datetime,
        decided: set[str],
    ) -> None:
        mentions = bool(meta.get("mentions")) and action in (OutboxAction.POST, OutboxAction.THREAD)
        members = meta.get("members")
        if isinstance(members, list):
            if action == OutboxAction.POST:
                pinged = False
                for member in members:
                    critical = self._severity(str(member)) is Severity.CRITICAL
                    ping = mentions and critical and not pinged
                    pinged = pinged or ping
                    self._add(str(member), Notification(at, "digest", ping))
            elif action == OutboxAction.UPDATE:
                for member in members:
                    if str(member) in decided:
                        self._add(str(member), Notification(at, "edit"))
            return
        incident = str(meta.get("incident", ""))
        if action == OutboxAction.POST:
            self._add(incident, Notification(at, "post", mentions))
        elif action == OutboxAction.UPDATE:
            self._add(incident, Notification(at, "edit"))
        else:
            event = str(meta.get("event", ""))
            self._add(incident, Notification(at, _EVENT_KINDS.get(event, event), mentions))

    def _severity(self, incident_id: str) -> Severity | None:
        incident = self.incidents.get(incident_id)
        return incident.severity if incident else None

    def _add(self, incident_id: str, notification: Notification) -> None:
        incident = self.incidents.get(incident_id)
        if incident is not None:
            incident.notifications.append(notification)
