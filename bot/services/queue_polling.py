"""The `skills` poll of operations with queue rules (issue 15), inside their poll cycle.

Right after `calls_last_10` answered, an operation watched by a `queue` rule asks
Wolkvox's `skills` once its latest snapshot is `skills_every` old (half a poll early
counts as on time, so the period does not slip by one poll). The same client and
token serve both, one request at a time; the skills request starts only when, at its
longest (`request_limit`, the client's request timeout), it ends before the next poll
is due, so it never delays a poll. Each snapshot is judged once: a cycle with no new
snapshot leaves queue rules unstepped (their `for` counts snapshots, not polls),
unless the latest one is too old to trust, which holds them. A snapshot read back from
the store (after a restart, or a lease taken over) was judged by whoever stored it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain.queue_rules import QueueInput
from bot.domain.specs import RuleKind
from bot.services.context import ContextService
from bot.services.ports import Clock
from bot.services.state import OperationRuntime

log = logging.getLogger("callbot.queues")


class QueuePolling:
    """Polls `skills` for queue rules and says what each cycle may judge them on."""

    def __init__(self, *, context: ContextService, clock: Clock, request_limit: timedelta) -> None:
        self._context = context
        self._clock = clock
        self._request_limit = request_limit
        self._judged: dict[str, datetime] = {}

    @staticmethod
    def max_age(op: OperationRuntime) -> timedelta:
        """How old a snapshot may be and still be judged: one skills poll may be missed."""
        return op.settings.skills_period + op.settings.poll_every

    def due(self, op: OperationRuntime, now: datetime) -> bool:
        if not op.settings.polls_skills:
            return False
        latest = self._context.latest_queues(op.name)
        early = op.settings.poll_every / 2
        return latest is None or latest.age(now) >= op.settings.skills_period - early

    async def refresh(self, op: OperationRuntime, *, cycle_started: datetime) -> None:
        """Poll `skills` when due and when it ends, at its longest, before the next poll."""
        now = self._clock.now()
        if not self.due(op, now):
            return
        next_poll = cycle_started + op.settings.poll_every
        if now + self._request_limit > next_poll:
            log.info("event=skills_skipped operation=%s reason=next_poll_too_close", op.name)
            return
        try:
            reading = await self._context.poll_queues(op.name)
        except Exception as exc:
            log.error("event=skills_poll_failed operation=%s error=%s", op.name, type(exc).__name__)
            return
        if reading.skipped is not None:
            log.warning(
                "event=skills_poll operation=%s outcome=%s error=%r",
                op.name,
                reading.skipped,
                reading.error,
            )

    def for_cycle(self, op: OperationRuntime, now: datetime) -> QueueInput | None:
        """What this cycle judges the operation's queue rules on (None: it has none).

        A snapshot already judged and still young enough is not judged again; a missing
        or too old one is (it holds them)."""
        if not any(r.kind is RuleKind.QUEUE for r in op.rules):
            return None
        latest = self._context.latest_queues(op.name)
        max_age = self.max_age(op)
        if latest is None or latest.age(now) > max_age:
            return QueueInput(latest, judge=True, max_age=max_age)
        judge = self._judged.get(op.name) != latest.at and not self._context.judged_before(
            op.name, latest.at
        )
        self._judged[op.name] = latest.at
        return QueueInput(latest, judge=judge, max_age=max_age)
