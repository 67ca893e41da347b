"""One poll cycle of one operation: fetch, then plan -> commit -> swap.

The cycle never raises: a failed poll is recorded, counted, and becomes "data
stale", which the built-in `wolkvox-unavailable` rule turns into an alert while
every other rule of that operation is held. Planning reads the state and changes
nothing: the call log's delta (new and changed calls, touched buckets, coverage),
the poll state, the alert steps and the notifications. The plan is stored in one
transaction, and only then swapped into memory, so a store that fails loses
nothing and counts nothing twice: memory and disk stay the same cycle behind.
Delivery happens after, from the outbox.
"""

from __future__ import annotations

import heapq
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.domain.alert_book import AlertBook
from bot.domain.alerts import Decision, Reason
from bot.domain.calls import CallRecord
from bot.domain.history import incident_changes
from bot.domain.rules import evaluate_operation, evaluate_unavailable
from bot.domain.specs import Severity
from bot.domain.window import IngestPlan
from bot.services.heap import collector_paused
from bot.services.log_delta import store_delta
from bot.services.ports import CallSource, Clock, FetchedCalls, Presenter, SourceError
from bot.services.ports.store import (
    CycleCommit,
    Store,
)
from bot.services.quiet import PollLogQuieter
from bot.services.state import (
    RECENT_CALLS,
    OperationRuntime,
    PollState,
    RuntimeState,
)
from bot.services.storm import NotificationPlan, plan_notifications

log = logging.getLogger("callbot.monitor")

_UNEVENTFUL = frozenset({Reason.NONE, Reason.HELD})
"""Decisions a cycle report leaves out: nothing happened worth a log line."""


@dataclass(frozen=True, slots=True)
class CyclePlan:
    """What one cycle would change, before anything changed: the store's commit and the
    memory it becomes once committed (the call log's plan, the poll state, the latest
    calls, the alert book, the notifications with their digests, the living messages'
    last words)."""

    ingest: IngestPlan | None
    poll: PollState
    recent: tuple[CallRecord, ...] | None
    alerts: AlertBook
    notifications: NotificationPlan
    decisions: tuple[Decision, ...]
    commit: CycleCommit
    last_edits: dict[str, tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one poll cycle did: for logs, metrics and tests."""

    operation: str
    at: datetime
    outcome: str
    duration: timedelta
    error: str | None = None
    error_kind: str | None = None
    records: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    out_of_range: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)
    possibly_truncated: bool = False
    decisions: tuple[Decision, ...] = ()
    outbox_ids: tuple[int, ...] = ()


class Monitor:
    """Runs poll cycles against shared runtime state; one cycle per operation at a time."""

    def __init__(
        self,
        *,
        state: RuntimeState,
        source: CallSource,
        store: Store,
        clock: Clock,
        presenter: Presenter,
        on_outbox: Callable[[], None] | None = None,
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        self._state = state
        self._source = source
        self._store = store
        self._clock = clock
        self._presenter = presenter
        self._on_outbox = on_outbox
        self._on_cycle = on_cycle
        self._quiet = PollLogQuieter()

    async def poll(self, operation: str) -> CycleReport:
        """Run one cycle of `operation`. Never raises for Wolkvox trouble."""
        op = self._state.operation(operation)
        started = time.monotonic()
        fetched: FetchedCalls | None = None
        error: SourceError | None = None
        if op.poll.stopped:
            error = SourceError(op.poll.stopped, kind="stopped", transient=False)
        else:
            try:
                fetched = await self._source.calls_last_10(operation)
            except SourceError as exc:
                error = exc
            except Exception as exc:
                error = _internal_error(operation, exc)
        # The answer describes the ten minutes before it arrived, which with retries can be
        # minutes after the cycle began: coverage and evaluation use the time of the answer.
        now = self._clock.now()
        duration = timedelta(seconds=time.monotonic() - started)
        async with self._state.lock:
            report = await self._cycle(op, now, duration, fetched, error)
        self._log(report)
        if report.outbox_ids and self._on_outbox is not None:
            self._on_outbox()
        if self._on_cycle is not None:
            self._on_cycle(report)
        return report

    async def _cycle(
        self,
        op: OperationRuntime,
        now: datetime,
        duration: timedelta,
        fetched: FetchedCalls | None,
        error: SourceError | None,
    ) -> CycleReport:
        """Plan, commit, swap: memory changes only once the store has the whole cycle."""
        with collector_paused():
            plan = self._plan(op, now, duration, fetched, error)
        try:
            ids = await self._store.commit_cycle(plan.commit)
        except Exception as exc:
            # Memory is as before the cycle: the next cycle plans again from there, so
            # nothing is counted, stepped or notified that was not stored.
            log.error("event=store_failed operation=%s error=%s", op.name, type(exc).__name__)
            return CycleReport(
                operation=op.name,
                at=now,
                outcome="store_error",
                duration=duration,
                error=f"the store refused the cycle: {type(exc).__name__}",
                error_kind="store",
            )
        self._swap(op, plan)
        ingest = plan.ingest.report if plan.ingest is not None else None
        return CycleReport(
            operation=op.name,
            at=now,
            outcome="ok" if error is None else error.kind,
            duration=duration,
            error=error.message if error else None,
            error_kind=error.kind if error else None,
            records=len(fetched.records) if fetched else 0,
            new=ingest.new if ingest else 0,
            updated=ingest.updated if ingest else 0,
            duplicates=ingest.duplicates if ingest else 0,
            out_of_range=ingest.out_of_range if ingest else 0,
            skipped=dict(fetched.skipped) if fetched else {},
            possibly_truncated=fetched.possibly_truncated if fetched else False,
            decisions=tuple(d for d in plan.decisions if d.reason not in _UNEVENTFUL),
            outbox_ids=tuple(ids),
        )

    def _plan(
        self,
        op: OperationRuntime,
        now: datetime,
        duration: timedelta,
        fetched: FetchedCalls | None,
        error: SourceError | None,
    ) -> CyclePlan:
        """Everything the cycle would change, computed against the state as it is."""
        state, name = self._state, op.name
        ingest: IngestPlan | None = None
        calls = state.log
        recent = None
        poll = op.poll
        if fetched is not None:
            records = fetched.records
            # The answer saw from ten minutes before it arrived up to when it was sent.
            ingest = calls.plan(name, records, now=now, covered_to=fetched.sent_at)
            calls = calls.staged(ingest)
            recent = tuple(reversed(heapq.nlargest(RECENT_CALLS, records, key=_at)))
            poll = replace(
                poll,
                last_attempt_at=now,
                last_success_at=now,
                last_error=None,
                last_error_kind=None,
                consecutive_failures=0,
                last_duration=duration,
                last_records=len(records),
                last_skipped=sum(fetched.skipped.values()),
                possibly_truncated=fetched.possibly_truncated,
            )
        elif error is not None:
            poll = replace(
                poll,
                last_attempt_at=now,
                last_error=error.message,
                last_error_kind=error.kind,
                consecutive_failures=poll.consecutive_failures + 1,
                last_duration=duration,
                stopped=error.message if error.stops_polling else poll.stopped,
            )
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
            op.rules, name, calls, now=now, tz=op.tz, current=current, unavailable=unavailable
        )
        specs = {spec.name: spec for spec in op.rules}
        book, decisions = state.alerts.step_all(evaluations, specs, state.silences, now)
        # The planner remembers each living message's last words (bot.services.quiet):
        # it writes them into a copy, swapped in with the rest once committed.
        planned = replace(
            state,
            log=calls,
            operations={**state.operations, name: replace(op, poll=poll)},
            last_edits=dict(state.last_edits),
        )
        notifications = plan_notifications(
            decisions, state=planned, alerts=book, presenter=self._presenter, now=now
        )
        changed = tuple(
            d.alert for d in decisions if d.alert != state.alerts.get(d.alert.rule, name)
        )
        budget = self._source.budget(name, now)
        commit = CycleCommit(
            operation=name,
            alerts=changed,
            log=store_delta(ingest, now, state.log.retention),
            budget=budget,
            poll=poll,
            outbox=notifications.rows,
            digests=notifications.stored,
            incidents=tuple(incident_changes(state.alerts, (d.alert for d in decisions))),
        )
        return CyclePlan(
            ingest,
            poll,
            recent,
            book,
            notifications,
            tuple(decisions),
            commit,
            planned.last_edits,
        )

    def _swap(self, op: OperationRuntime, plan: CyclePlan) -> None:
        """Make memory what the committed plan says."""
        state = self._state
        if plan.ingest is not None:
            state.log.apply(plan.ingest)
        if plan.recent is not None:
            state.recent[op.name] = plan.recent
        op.poll = plan.poll
        state.alerts = plan.alerts
        state.digests = plan.notifications.digests
        state.last_edits = plan.last_edits
        for digest_id, digest in plan.notifications.stored.items():
            members = len(digest.members) if digest is not None else 0
            log.info("event=digest operation=%s digest=%s members=%d", op.name, digest_id, members)

    def _log(self, report: CycleReport) -> None:
        skipped = sum(report.skipped.values())
        if report.error is None:
            failed_for = self._quiet.succeeded(report.operation, report.at)
            if failed_for is not None:
                log.info(
                    "event=poll_recovered operation=%s failed_for_s=%.0f",
                    report.operation,
                    failed_for.total_seconds(),
                )
            log.info(
                "event=poll operation=%s outcome=ok records=%d new=%d duplicates=%d "
                "skipped=%d out_of_range=%d truncated=%s seconds=%.3f",
                report.operation,
                report.records,
                report.new,
                report.duplicates,
                skipped,
                report.out_of_range,
                report.possibly_truncated,
                report.duration.total_seconds(),
            )
        else:
            log.log(
                self._quiet.failed(report.operation, report.error, report.at),
                "event=poll operation=%s outcome=%s error=%r seconds=%.3f",
                report.operation,
                report.error_kind,
                report.error,
                report.duration.total_seconds(),
            )
        for decision in report.decisions:
            log.info(
                "event=alert operation=%s rule=%s state=%s reason=%s notify=%s",
                report.operation,
                decision.alert.rule,
                decision.alert.state,
                decision.reason,
                decision.notify,
            )


def _internal_error(operation: str, exc: Exception) -> SourceError:
    """A failure nobody foresaw, as a failed poll: `wolkvox-unavailable` then says so.

    Only the exception's type and where it was raised are logged and shown: its text may
    quote what it choked on (a header, a token, a payload).
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "unknown"
    log.error(
        "event=poll_internal_error operation=%s error_type=%s at=%s",
        operation,
        type(exc).__name__,
        where,
    )
    return SourceError(
        f"callbot failed while asking Wolkvox ({type(exc).__name__} at {where}); "
        "this is a bug: please report it with the log line",
        kind="internal",
        transient=True,
    )


def _at(record: CallRecord) -> datetime:
    return record.at
