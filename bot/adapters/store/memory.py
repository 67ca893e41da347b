"""An in-memory store: the fake other tests use, held to the same contract as SQLite.

It encodes domain objects into the same rows as the SQLite store (shared `rows` helpers),
so a test that passes against it does not hide a value the real store would refuse, and
every object read back is a fresh copy. Every method runs without awaiting, so each call is
atomic on the asyncio loop; a commit is validated completely before any table changes, so a
failing commit stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.adapters.store.context_rows import context_row, stored_contexts
from bot.adapters.store.documents import fires_with
from bot.adapters.store.rows import (
    ActionRow,
    IncidentRow,
    MessageRefRow,
    NewOutboxValues,
    OutboxTuple,
    PollRow,
    action_rows,
    alert_rows,
    assemble_state,
    bucket_rows,
    budget_row,
    check_day,
    conn_id_rows,
    decode_message_ref,
    decode_outbox,
    digest_rows,
    history_page,
    incident_rows,
    minute_rows,
    new_outbox_values,
    poll_row,
    silence_upserts,
    to_micros,
)
from bot.adapters.store.sole_lease import SoleLeases
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services.ports.snapshots import StoredContext
from bot.services.ports.store import (
    ActionCommit,
    CycleCommit,
    HistoryPage,
    MessageRef,
    OutboxRow,
    Store,
    StoreClosedError,
    StoredState,
)


@dataclass(slots=True)
class MemoryTables:
    """What a MemoryStore holds. Give the same tables to a new MemoryStore to "reopen" it."""

    alerts: dict[tuple[str, str], str] = field(default_factory=dict)
    silences: dict[str, tuple[str, int]] = field(default_factory=dict)
    message_refs: dict[str, MessageRefRow] = field(default_factory=dict)
    buckets: dict[tuple[str, int, str, str], int] = field(default_factory=dict)
    minutes: set[tuple[str, int]] = field(default_factory=set)
    conn_ids: dict[tuple[str, str], tuple[int, str, str]] = field(default_factory=dict)
    budgets: dict[tuple[str, str], int] = field(default_factory=dict)
    polls: dict[str, PollRow] = field(default_factory=dict)
    outbox: dict[int, OutboxTuple] = field(default_factory=dict)
    last_outbox_id: int = 0
    digests: dict[str, str] = field(default_factory=dict)
    incidents: dict[str, IncidentRow] = field(default_factory=dict)
    actions: list[ActionRow] = field(default_factory=list)
    contexts: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)


class MemoryStore(SoleLeases, Store):
    """A store that lives as long as its `MemoryTables`."""

    def __init__(self, *, tables: MemoryTables | None = None) -> None:
        self._tables = MemoryTables() if tables is None else tables
        self._open = False

    @property
    def tables(self) -> MemoryTables:
        return self._tables

    async def open(self) -> None:
        self._open = True

    async def close(self) -> None:
        self._open = False

    def _t(self) -> MemoryTables:
        if not self._open:
            raise StoreClosedError("the store is not open")
        return self._tables

    async def load(
        self, now: datetime, *, operation: str | None = None, since: datetime | None = None
    ) -> StoredState:
        t = self._t()
        to_micros(now, what="now")
        first = None if since is None else to_micros(since, what="since")

        def of(op: str) -> bool:
            return operation is None or op == operation

        def recent(op: str, minute: int) -> bool:
            return of(op) and (first is None or minute >= first)

        return assemble_state(
            alerts=[(op, rule, doc) for (op, rule), doc in t.alerts.items() if of(op)],
            silences=[(silence_id, doc) for silence_id, (doc, _) in t.silences.items()],
            message_refs=t.message_refs.values(),
            buckets=[(*key, n) for key, n in t.buckets.items() if recent(key[0], key[1])],
            minutes=[row for row in t.minutes if recent(*row)],
            conn_ids=[
                (op, conn_id, *call)
                for (op, conn_id), call in t.conn_ids.items()
                if of(op) and first is None
            ],
            budgets=[(op, day, used) for (op, day), used in t.budgets.items() if of(op)],
            polls=[row for row in t.polls.values() if of(row[0])],
            digests=t.digests.items(),
        )

    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        t = self._t()
        op = cycle.operation
        log = cycle.log
        alerts = list(alert_rows(cycle.alerts))
        buckets = list(bucket_rows(op, log.buckets))
        minutes = list(minute_rows(op, log.covered_minutes))
        conn_ids = list(conn_id_rows(op, log.conn_ids))
        forget = (
            None
            if log.forget_conn_ids_before is None
            else to_micros(log.forget_conn_ids_before, what="forget_conn_ids_before")
        )
        drop = (
            None
            if log.drop_minutes_before is None
            else to_micros(log.drop_minutes_before, what="drop_minutes_before")
        )
        budget = None if cycle.budget is None else budget_row(op, cycle.budget)
        poll = None if cycle.poll is None else poll_row(op, cycle.poll)
        outbox = [new_outbox_values(row) for row in cycle.outbox]
        digests = list(digest_rows(cycle.digests))
        incidents = list(incident_rows(cycle.incidents))

        for a_op, rule, doc in alerts:
            t.alerts[a_op, rule] = doc
        for b_op, minute, call_type, result, count in buckets:
            t.buckets[b_op, minute, call_type, result] = count
        t.minutes.update(minutes)
        for c_op, conn_id, at, call_type, result in conn_ids:
            t.conn_ids[c_op, conn_id] = (at, call_type, result)
        if forget is not None:
            for key in [k for k, c in t.conn_ids.items() if k[0] == op and c[0] < forget]:
                del t.conn_ids[key]
        if drop is not None:
            for bucket in [k for k in t.buckets if k[0] == op and k[1] < drop]:
                del t.buckets[bucket]
            t.minutes -= {m for m in t.minutes if m[0] == op and m[1] < drop}
        if budget is not None:
            _, day, used = budget
            for key in [k for k in t.budgets if k[0] == op and k[1] < day]:
                del t.budgets[key]
            t.budgets[op, day] = used
        if poll is not None:
            t.polls[op] = poll
        for digest_id, text in digests:
            if text is None:
                t.digests.pop(digest_id, None)
            else:
                t.digests[digest_id] = text
        t.incidents.update((row[0], row) for row in incidents)
        return self._insert_outbox(t, outbox)

    async def commit_action(self, commit: ActionCommit) -> list[int] | None:
        t = self._t()
        alerts = list(alert_rows(commit.alerts))
        silences = list(silence_upserts(commit.silences))
        actions = list(action_rows(commit.actions))
        incidents = list(incident_rows(commit.incidents))
        outbox = [new_outbox_values(row) for row in commit.outbox]
        for g_op, rule, incident_id in commit.only_if_firing:
            if not fires_with(t.alerts.get((g_op, rule)), incident_id):
                return None
        for a_op, rule, doc in alerts:
            t.alerts[a_op, rule] = doc
        for silence_id, doc, ends_at in silences:
            t.silences[silence_id] = (doc, ends_at)
        for silence_id in commit.forget_silences:
            t.silences.pop(silence_id, None)
        t.actions.extend(actions)
        t.incidents.update((row[0], row) for row in incidents)
        return self._insert_outbox(t, outbox)

    async def history(
        self,
        *,
        since: datetime,
        rule: str | None = None,
        operation: str | None = None,
        limit: int = 200,
    ) -> HistoryPage:
        t = self._t()
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        cutoff = to_micros(since, what="since")
        incidents = sorted(
            (
                row
                for row in t.incidents.values()
                if (row[4] is None or row[4] >= cutoff)
                and rule in (None, row[1])
                and operation in (None, row[2])
            ),
            key=lambda row: (row[3], row[0]),
            reverse=True,
        )
        actions = [
            row
            for row in reversed(t.actions)
            if row[0] >= cutoff and rule in (None, row[1]) and row[2] in (None, operation or row[2])
        ]
        actions.sort(key=lambda row: row[0], reverse=True)
        return history_page(incidents[:limit], actions[:limit])

    async def forget_history(self, before: datetime) -> None:
        t = self._t()
        cutoff = to_micros(before, what="before")
        for incident_id in [
            i for i, row in t.incidents.items() if row[4] is not None and row[4] < cutoff
        ]:
            del t.incidents[incident_id]
        t.actions[:] = [row for row in t.actions if row[0] >= cutoff]

    @staticmethod
    def _insert_outbox(t: MemoryTables, rows: Sequence[NewOutboxValues]) -> list[int]:
        ids = []
        for created, channel, incident_id, action, payload, not_before in rows:
            t.last_outbox_id += 1
            row_id = t.last_outbox_id
            t.outbox[row_id] = (
                row_id, created, channel, incident_id, action, payload, 0, not_before, None
            )  # fmt: skip
            ids.append(row_id)
        return ids

    async def budget_used(self, operation: str, day: str) -> int:
        return self._t().budgets.get((operation, check_day(day)), 0)

    async def due_outbox(self, now: datetime, limit: int) -> list[OutboxRow]:
        t = self._t()
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        cutoff = to_micros(now, what="now")
        blocked: set[str] = set()
        due: list[OutboxRow] = []
        for row_id in sorted(t.outbox):
            if len(due) >= limit:
                break
            row = t.outbox[row_id]
            channel, not_before = row[2], row[7]
            if channel in blocked:
                continue
            if not_before > cutoff:
                blocked.add(channel)
                continue
            due.append(decode_outbox(row))
        return due

    async def complete(self, row_id: int, *, message: MessageRef | None) -> None:
        t = self._t()
        t.outbox.pop(row_id, None)
        if message is not None:
            t.message_refs[message.incident_id] = (message.incident_id, message.channel, message.ts)

    async def mark_attempted(self, row_id: int, *, error: str) -> bool:
        t = self._t()
        row = t.outbox.get(row_id)
        if row is None:
            return False
        t.outbox[row_id] = (*row[:6], row[6] + 1, row[7], error)
        return True

    async def defer(self, row_id: int, *, not_before: datetime, error: str) -> None:
        t = self._t()
        when = to_micros(not_before, what="not_before")
        row = t.outbox.get(row_id)
        if row is not None:
            t.outbox[row_id] = (*row[:6], row[6] + 1, when, error)

    async def oldest_outbox(self) -> OutboxRow | None:
        t = self._t()
        return decode_outbox(t.outbox[min(t.outbox)]) if t.outbox else None

    async def outbox_depth(self) -> int:
        return len(self._t().outbox)

    async def message_ref(self, incident_id: str) -> MessageRef | None:
        row = self._t().message_refs.get(incident_id)
        return None if row is None else decode_message_ref(row)

    async def put_message_ref(self, ref: MessageRef) -> None:
        self._t().message_refs[ref.incident_id] = (ref.incident_id, ref.channel, ref.ts)

    async def put_context(self, operation: str, snapshot: QueueSnapshot | AgentSnapshot) -> bool:
        t = self._t()
        name, kind, at, doc = context_row(operation, snapshot)
        stored = t.contexts.get((name, kind))
        if stored is not None and stored[0] >= at:
            return False
        t.contexts[(name, kind)] = (at, doc)
        return True

    async def load_context(self, operation: str | None = None) -> Mapping[str, StoredContext]:
        rows = self._t().contexts.items()
        return stored_contexts(
            (name, kind, doc)
            for (name, kind), (_, doc) in rows
            if operation is None or name == operation
        )
