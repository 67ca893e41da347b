"""One poll cycle of one operation: fetch, then plan -> commit -> swap.

The cycle never raises: a failed poll is recorded, counted, and becomes "data
stale", which the built-in `wolkvox-unavailable` rule turns into an alert while
every other rule of that operation is held. Planning (bot.services.cycle, pure)
reads the state and changes nothing: the call log's delta (new and changed calls,
touched buckets, coverage), the poll state, the alert steps and the notifications.
The plan is stored in one transaction, and only then swapped into memory, so a
store that fails loses nothing and counts nothing twice: memory and disk stay the
same cycle behind. Delivery happens after, from the outbox.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.domain.alerts import Decision, Reason
from bot.services.cycle import CyclePlan, Polled, plan_cycle, swap_in
from bot.services.heap import collector_paused
from bot.services.ports import CallSource, Clock, FetchedCalls, Presenter, SourceError
from bot.services.ports.store import StaleLeaseError, Store
from bot.services.queue_polling import QueuePolling
from bot.services.quiet import PollLogQuieter
from bot.services.state import OperationRuntime, RuntimeState

log = logging.getLogger("callbot.monitor")

LEASE_LOST = "lease_lost"
"""A cycle's outcome when the store refused its commit because another replica took the
operation's lease meanwhile (fencing): nothing stored, memory unchanged."""

_UNEVENTFUL = frozenset({Reason.NONE, Reason.HELD})
"""Decisions a cycle report leaves out: nothing happened worth a log line."""


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
        queues: QueuePolling | None = None,
    ) -> None:
        self._queues = queues
        self._state = state
        self._source = source
        self._store = store
        self._clock = clock
        self._presenter = presenter
        self._on_outbox = on_outbox
        self._on_cycle = on_cycle
        self._quiet = PollLogQuieter()

    def use_queues(self, queues: QueuePolling) -> None:
        """Poll `skills` for queue rules in each cycle (issue 15; wired with the context)."""
        self._queues = queues

    async def poll(self, operation: str) -> CycleReport:
        """Run one cycle of `operation`. Never raises for Wolkvox trouble."""
        op = self._state.operation(operation)
        cycle_started = self._clock.now()
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
        if fetched is not None and self._queues is not None:
            await self._queues.refresh(op, cycle_started=cycle_started)
        # The answer describes the ten minutes before it arrived, which with retries can be
        # minutes after the cycle began: coverage and evaluation use the time of the answer.
        now = self._clock.now()
        queues = self._queues.for_cycle(op, now) if self._queues is not None else None
        polled = Polled(fetched, error, timedelta(seconds=time.monotonic() - started), queues)
        async with self._state.lock:
            report = await self._cycle(op, now, polled)
        self._log(report)
        if report.outbox_ids and self._on_outbox is not None:
            self._on_outbox()
        if self._on_cycle is not None:
            self._on_cycle(report)
        return report

    async def _cycle(self, op: OperationRuntime, now: datetime, polled: Polled) -> CycleReport:
        """Plan, commit, swap: memory changes only once the store has the whole cycle."""
        budget = self._source.budget(op.name, now)
        with collector_paused():
            plan = plan_cycle(
                self._state, op, polled, now=now, budget=budget, presenter=self._presenter
            )
        try:
            ids = await self._store.commit_cycle(plan.commit)
        except StaleLeaseError:
            log.warning("event=lease_lost operation=%s reason=commit_fenced", op.name)
            return CycleReport(
                operation=op.name,
                at=now,
                outcome=LEASE_LOST,
                duration=polled.duration,
                error="another replica took over this operation: the cycle was not stored",
                error_kind=LEASE_LOST,
            )
        except Exception as exc:
            # Memory is as before the cycle: the next cycle plans again from there, so
            # nothing is counted, stepped or notified that was not stored.
            log.error("event=store_failed operation=%s error=%s", op.name, type(exc).__name__)
            return CycleReport(
                operation=op.name,
                at=now,
                outcome="store_error",
                duration=polled.duration,
                error=f"the store refused the cycle: {type(exc).__name__}",
                error_kind="store",
            )
        swap_in(self._state, op, plan)
        for digest_id, digest in plan.notifications.stored.items():
            members = len(digest.members) if digest is not None else 0
            log.info("event=digest operation=%s digest=%s members=%d", op.name, digest_id, members)
        return _report(op.name, now, polled, plan, ids)

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


def _report(
    operation: str, now: datetime, polled: Polled, plan: CyclePlan, ids: list[int]
) -> CycleReport:
    """What a committed cycle did."""
    fetched, error = polled.fetched, polled.error
    ingest = plan.ingest.report if plan.ingest is not None else None
    return CycleReport(
        operation=operation,
        at=now,
        outcome="ok" if error is None else error.kind,
        duration=polled.duration,
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
