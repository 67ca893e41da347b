"""A poll cycle planned as a value: what it would change, before anything changed.

`plan_cycle` is pure (no I/O, no clock, memory untouched): from the runtime state, one
operation and what its poll brought (calls or an error), it works out the call log's plan,
the poll state, the alert steps, the notifications (with storm digests) and the store's
`CycleCommit`. The monitor commits that in one transaction and only then `swap_in`s it,
so a failed commit changes nothing and the next poll sees the same calls. Because a plan
is a value, whole cycles are testable as tables (tests/services/test_cycle_table.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.alert_book import AlertBook
from bot.domain.alerts import Decision
from bot.domain.call_log import IngestPlan
from bot.domain.calls import CallRecord, latest_calls
from bot.domain.day_budget import DayBudget
from bot.domain.history import incident_changes
from bot.domain.polling import PollState
from bot.domain.queue_rules import QueueInput
from bot.domain.rules import evaluate_operation, evaluate_unavailable
from bot.domain.specs import Severity
from bot.services.log_delta import store_delta
from bot.services.notification_plan import NotificationPlan, plan_notifications
from bot.services.ports import FetchedCalls, Presenter, SourceError
from bot.services.ports.store import CycleCommit
from bot.services.state import RECENT_CALLS, OperationRuntime, RuntimeState


@dataclass(frozen=True, slots=True)
class Polled:
    """What asking Wolkvox brought: calls, or the error in their place, and how long it took."""

    fetched: FetchedCalls | None
    error: SourceError | None
    duration: timedelta
    queues: QueueInput | None = None
    """The `skills` snapshot queue rules read this cycle (bot.services.queue_polling)."""


@dataclass(frozen=True, slots=True)
class CyclePlan:
    """What one cycle would change: the store's `commit`, and the memory it becomes once
    committed (the call log's plan, the poll state, the latest calls, the alert book, the
    notifications with their digests, the living messages' last words)."""

    ingest: IngestPlan | None
    poll: PollState
    recent: tuple[CallRecord, ...] | None
    alerts: AlertBook
    notifications: NotificationPlan
    decisions: tuple[Decision, ...]
    commit: CycleCommit
    last_edits: dict[str, tuple[object, ...]]


def next_poll(poll: PollState, polled: Polled, now: datetime) -> PollState:
    """The operation's poll state after this poll (a stopped poll stays stopped)."""
    fetched, error = polled.fetched, polled.error
    if fetched is not None:
        return replace(
            poll,
            last_attempt_at=now,
            last_success_at=now,
            last_error=None,
            last_error_kind=None,
            consecutive_failures=0,
            last_duration=polled.duration,
            last_records=len(fetched.records),
            last_skipped=sum(fetched.skipped.values()),
            possibly_truncated=fetched.possibly_truncated,
        )
    if error is not None:
        return replace(
            poll,
            last_attempt_at=now,
            last_error=error.message,
            last_error_kind=error.kind,
            consecutive_failures=poll.consecutive_failures + 1,
            last_duration=polled.duration,
            stopped=error.message if error.stops_polling else poll.stopped,
        )
    return poll


def plan_cycle(
    state: RuntimeState,
    op: OperationRuntime,
    polled: Polled,
    *,
    now: datetime,
    budget: DayBudget,
    presenter: Presenter,
) -> CyclePlan:
    """Everything the cycle would change, computed against `state` as it is.

    `now` is when the answer arrived; `budget` is the operation's request count to store.
    """
    name, fetched = op.name, polled.fetched
    ingest: IngestPlan | None = None
    calls = state.log
    recent = None
    if fetched is not None:
        records = fetched.records
        # The answer saw from ten minutes before it arrived up to when it was sent.
        ingest = calls.plan(name, records, now=now, covered_to=fetched.sent_at)
        calls = calls.staged(ingest)
        recent = latest_calls(records, RECENT_CALLS)
    poll = next_poll(op.poll, polled, now)
    unavailable = evaluate_unavailable(
        name,
        now=now,
        last_success=poll.last_success_at,
        last_error=poll.last_error,
        consecutive_failures=poll.consecutive_failures,
        poll_every=op.settings.poll_every,
    )
    current: dict[str, Severity | None] = {
        alert.rule: alert.severity
        for alert in state.alerts
        if alert.operation == name and alert.firing
    }
    evaluations = evaluate_operation(
        op.rules,
        name,
        calls,
        now=now,
        tz=op.tz,
        current=current,
        unavailable=unavailable,
        queues=polled.queues,
    )
    specs = {spec.name: spec for spec in op.rules}
    book, decisions = state.alerts.step_all(evaluations, specs, state.silences, now)
    # The planner remembers each living message's last words (bot.services.quiet): it
    # writes them into a copy, swapped in with the rest once committed.
    planned = replace(
        state,
        log=calls,
        operations={**state.operations, name: replace(op, poll=poll)},
        last_edits=dict(state.last_edits),
    )
    notifications = plan_notifications(
        decisions, state=planned, alerts=book, presenter=presenter, now=now
    )
    stepped = [d.alert for d in decisions]
    commit = CycleCommit(
        operation=name,
        alerts=tuple(a for a in stepped if a != state.alerts.get(a.rule, name)),
        log=store_delta(ingest, now, state.log.retention),
        budget=budget,
        poll=poll,
        outbox=notifications.rows,
        digests=notifications.stored,
        incidents=tuple(incident_changes(state.alerts, stepped)),
    )
    return CyclePlan(
        ingest=ingest,
        poll=poll,
        recent=recent,
        alerts=book,
        notifications=notifications,
        decisions=tuple(decisions),
        commit=commit,
        last_edits=planned.last_edits,
    )


def swap_in(state: RuntimeState, op: OperationRuntime, plan: CyclePlan) -> None:
    """Make memory what the committed plan says (call only once the store has it)."""
    if plan.ingest is not None:
        state.log.apply(plan.ingest)
    if plan.recent is not None:
        state.recent[op.name] = plan.recent
    op.poll = plan.poll
    state.alerts = plan.alerts
    state.digests = plan.notifications.digests
    state.last_edits = plan.last_edits
