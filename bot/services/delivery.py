"""Drains the outbox to a chat (Slack, or the console in the demo), in order per channel.

Nothing is lost: a row stays until the chat accepts it, retried with backoff
(longer for errors a person must fix, such as a channel the bot is not in).
Nothing is posted twice: before a first post the row is marked as attempted,
so after a crash between posting and recording, the next attempt looks for the
incident's message in the channel (by its metadata) instead of posting again. The
mark keeps the row this drainer's (on a database several replicas share, no other
replica takes it while it is in flight); a row the store says is no longer this
drainer's (another replica took it over) is left alone, not sent.
Edits and replies find the living message by incident id; a message a person
deleted, or one Slack will not let the bot edit, is posted anew.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.services.ports import Clock
from bot.services.ports.chat import Chat, ChatError, ChatErrorKind
from bot.services.ports.store import MessageRef, Outbox, OutboxAction, OutboxRow

log = logging.getLogger("callbot.delivery")

GONE_OR_FROZEN = frozenset({ChatErrorKind.MESSAGE_GONE, ChatErrorKind.MESSAGE_FROZEN})
"""chat.update failures after which the incident's message will never take an edit (a
person deleted it, or Slack refuses to change it): the update is posted as a new message
instead of waiting forever and holding back everything after it in the channel."""


class _NotOurs(Exception):
    """The store refused to mark a row: another replica has it (or it was delivered)."""


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    row: OutboxRow
    outcome: str
    error: str | None = None


def reply_key(row: OutboxRow) -> str:
    """The idempotency key a thread reply carries: its outbox row, unique and stable."""
    return f"outbox-{row.id}"


class OutboxDrainer:
    """Delivers due outbox rows; `run` keeps doing so until stopped."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        chat: Chat,
        clock: Clock,
        batch: int = 50,
        base_backoff: timedelta = timedelta(seconds=2),
        max_backoff: timedelta = timedelta(minutes=5),
        on_result: Callable[[DeliveryResult], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._chat = chat
        self._clock = clock
        self._batch = batch
        self._base = base_backoff
        self._max = max_backoff
        self._on_result = on_result
        self._wake = asyncio.Event()
        self._draining = asyncio.Lock()

    def wake(self) -> None:
        """Something was added to the outbox: drain now rather than at the next tick."""
        self._wake.set()

    async def drain_once(self) -> int:
        """Deliver what is due now; returns how many rows were completed.

        One pass at a time: two passes reading the same due rows would both send them
        (the run loop, a wake, the last pass at stop and a test may all ask at once).
        """
        async with self._draining:
            return await self._drain_due()

    async def _drain_due(self) -> int:
        now = self._clock.now()
        rows = await self._outbox.due_outbox(now, self._batch)
        completed = 0
        blocked: set[str] = set()
        latest_update = {
            row.incident_id: row.id for row in rows if row.action == OutboxAction.UPDATE
        }
        for row in rows:
            if row.channel in blocked:
                continue
            if row.action == OutboxAction.UPDATE and latest_update.get(row.incident_id) != row.id:
                await self._outbox.complete(row.id, message=None)
                self._report(DeliveryResult(row, "superseded"))
                completed += 1
                continue
            try:
                ref = await self._deliver(row)
            except ChatError as exc:
                blocked.add(row.channel)
                await self._defer(row, exc)
                continue
            except _NotOurs:
                blocked.add(row.channel)
                log.info("event=delivery_skipped incident=%s reason=not_ours", row.incident_id)
                continue
            await self._outbox.complete(row.id, message=ref)
            self._report(DeliveryResult(row, "delivered"))
            completed += 1
        return completed

    async def run(self, stop: asyncio.Event, *, tick: timedelta = timedelta(seconds=1)) -> None:
        """Drain until `stop` is set, waking on `wake()` or every `tick`."""
        while not stop.is_set():
            try:
                await self.drain_once()
            except Exception:
                log.exception("event=drain_failed")
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            _, pending = await asyncio.wait(
                waiters, timeout=tick.total_seconds(), return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()

    async def _deliver(self, row: OutboxRow) -> MessageRef | None:
        ref = await self._outbox.message_ref(row.incident_id)
        if row.action == OutboxAction.POST:
            if ref is not None:
                return None
            found = await self._find(row)
            if found is not None:
                return found
            await self._mark_attempted(row, "posting")
            ts = await self._chat.post(row.channel, row.payload, incident_id=row.incident_id)
            return MessageRef(row.incident_id, row.channel, ts)
        if ref is None:
            ref = await self._find(row)
        if row.action == OutboxAction.UPDATE:
            if ref is None:
                return await self._repost(row)
            try:
                await self._chat.update(ref.channel, ref.ts, row.payload)
            except ChatError as exc:
                if exc.kind not in GONE_OR_FROZEN:
                    raise
                gone = exc.kind is ChatErrorKind.MESSAGE_GONE
                event = "message_deleted" if gone else "message_frozen"
                log.warning(
                    "event=%s incident=%s error=%s reposting", event, row.incident_id, exc.code
                )
                return await self._repost(row)
            return ref
        if row.action == OutboxAction.THREAD:
            if ref is None:
                ts = await self._chat.post(row.channel, row.payload, incident_id=row.incident_id)
                return MessageRef(row.incident_id, row.channel, ts)
            key = reply_key(row)
            if row.attempts > 0 and await self._chat.find_reply(ref.channel, ref.ts, key):
                return None
            await self._mark_attempted(row, "replying")
            await self._chat.reply(ref.channel, ref.ts, row.payload, key=key)
            return None
        raise ChatError(ChatErrorKind.REJECTED, f"unknown_action:{row.action}")

    async def _mark_attempted(self, row: OutboxRow, doing: str) -> None:
        """Count the attempt before sending, so a crash mid-send is followed by a look for
        what Slack may already have; the row stays this drainer's while it is in flight
        (`Outbox.mark_attempted`, not `defer`, which would hand its channel to another
        replica). The row keeps its last real error, if any, so /healthz says why it waits
        even while it is being retried."""
        if not await self._outbox.mark_attempted(row.id, error=row.last_error or doing):
            raise _NotOurs(row.id)

    async def _find(self, row: OutboxRow) -> MessageRef | None:
        if row.attempts == 0 and row.action == OutboxAction.POST:
            return None
        since = row.created_at - timedelta(hours=24)
        ts = await self._chat.find(row.channel, row.incident_id, since=since)
        return MessageRef(row.incident_id, row.channel, ts) if ts else None

    async def _repost(self, row: OutboxRow) -> MessageRef:
        ts = await self._chat.post(row.channel, row.payload, incident_id=row.incident_id)
        return MessageRef(row.incident_id, row.channel, ts)

    async def _defer(self, row: OutboxRow, exc: ChatError) -> None:
        attempts = row.attempts + 1
        if exc.transient:
            delay = min(self._max, self._base * (2 ** min(attempts, 16)))
            if exc.retry_after is not None:
                delay = max(delay, timedelta(seconds=exc.retry_after))
        else:
            delay = self._max
        not_before = self._clock.now() + delay
        await self._outbox.defer(row.id, not_before=not_before, error=exc.code)
        level = logging.WARNING if exc.transient else logging.ERROR
        log.log(
            level,
            "event=delivery_failed channel=%s incident=%s action=%s error=%s attempts=%d "
            "retry_in_s=%.0f",
            row.channel,
            row.incident_id,
            row.action,
            exc.code,
            attempts,
            delay.total_seconds(),
        )
        self._report(DeliveryResult(row, "deferred", exc.code))

    def _report(self, result: DeliveryResult) -> None:
        row = result.row
        log.info(
            "event=delivery outcome=%s channel=%s incident=%s action=%s",
            result.outcome,
            row.channel,
            row.incident_id,
            row.action,
        )
        if self._on_result is not None:
            self._on_result(result)
