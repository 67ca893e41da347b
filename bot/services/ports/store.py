"""The persistence port: what must survive a restart, in domain objects.

The store keeps alert states (acknowledgements live inside them), silences, storm digests,
the Slack message of each incident, the per-minute call buckets and the conn_ids still
inside the overlap window, the day's request budget, poll status, the record of incidents
and people's actions, and the outbox of notifications still to deliver.

It takes and returns domain objects (`Alert`, `Silence`, `Digest`, `IncidentRecord`,
`ActionRecord`, `PollState`); how they are spelled on disk is each implementation's own
business (bot.adapters.store), as APScheduler's job stores serialise their own jobs.

Transactions: `commit_cycle`, `commit_action`, `complete`, `mark_attempted` and `defer` are
each atomic: all of the call is stored, or (on any error, e.g. a value that cannot be
stored) none of it.
A notification is thus never stored without the state that caused it, or the reverse.

All timestamps are aware datetimes (naive ones are refused with ValueError); stores return
them in UTC. One contract test suite (tests/adapters/store/test_store_contract.py) runs
against every implementation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import NamedTuple, Protocol, Self

from bot.domain.alerts import Alert
from bot.domain.day_budget import DayBudget
from bot.domain.digests import Digest
from bot.domain.history import ActionRecord, IncidentRecord
from bot.domain.polling import PollState
from bot.domain.silences import Silence
from bot.services.ports.leases import Leases
from bot.services.ports.presenter import RenderedMessage
from bot.services.ports.snapshots import ContextStore


class StoreError(Exception):
    """Base of the store's errors. `transient` says whether retrying later may succeed."""

    transient: bool = False


class StoreOpenError(StoreError):
    """The store cannot be opened (bad path, not a database, schema from a newer callbot)."""


class StoreClosedError(StoreError):
    """The store was used before `open()` or after `close()`: a wiring bug."""


class DocumentError(StoreError, ValueError):
    """A value cannot be stored (e.g. a payload or measure that is not JSON: NaN, a set);
    nothing of the call was stored."""


class StoreBusyError(StoreError):
    """The database refused the transaction for now (locked, I/O); nothing was stored."""

    transient = True


class StaleLeaseError(StoreError):
    """A write under a lease this replica no longer holds: refused, nothing stored."""


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where the Slack message of an incident lives, so later news edits and threads under it."""

    incident_id: str
    channel: str
    ts: str


class OutboxAction(StrEnum):
    """What a notification does with its incident's one living message."""

    POST = "post"
    """Create the message (once: a retry finds the one already posted)."""
    UPDATE = "update"
    """Edit it in place (only the latest edit of an incident is sent)."""
    THREAD = "thread"
    """Reply under it."""
    UNKNOWN = "unknown"
    """Read back from a row whose action this callbot does not know (written by a newer
    one): never written; delivery refuses it and the row waits, as it always did."""


@dataclass(frozen=True, slots=True)
class NewOutboxRow:
    """A notification a cycle (or a button click) decided to send, before it has an id.

    `payload` is the rendered message. `not_before` defaults to `created_at`: due at once.
    """

    channel: str
    incident_id: str
    action: OutboxAction
    payload: RenderedMessage
    created_at: datetime
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored notification still to deliver (see `NewOutboxRow`), with its delivery so far."""

    id: int
    created_at: datetime
    channel: str
    incident_id: str
    action: OutboxAction
    payload: RenderedMessage
    attempts: int
    not_before: datetime
    last_error: str | None


@dataclass(frozen=True, slots=True)
class BucketKey:
    """One per-minute bucket of an operation's call log: calls of a type with a result."""

    minute: datetime
    call_type: str
    result: str


class RememberedCall(NamedTuple):
    """What the call log remembers of a conn_id: where it counted the call.

    A later poll that reports the same call with another result moves it instead of
    counting it twice. `at` is the call's own time (its bucket minute); it also ages the
    memory out (`LogDelta.forget_conn_ids_before`). A named tuple: a poll writes tens of
    thousands of them, and a tuple of a datetime and two strings is cheap to build and
    left alone by the cyclic garbage collector.
    """

    at: datetime
    call_type: str
    result: str


@dataclass(frozen=True, slots=True)
class LogDelta:
    """What one cycle changed in an operation's call log.

    Upserts are applied before deletions, so a row older than its cutoff never survives.
    `drop_minutes_before` forgets buckets and covered minutes (baseline retention);
    `forget_conn_ids_before` forgets conn_ids whose `at` is older (the overlap window).
    """

    buckets: Mapping[BucketKey, int] = field(default_factory=dict)
    covered_minutes: frozenset[datetime] = frozenset()
    conn_ids: Mapping[str, RememberedCall] = field(default_factory=dict)
    forget_conn_ids_before: datetime | None = None
    drop_minutes_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredLog:
    """An operation's call log as stored: enough to rebuild baselines after a restart."""

    buckets: Mapping[BucketKey, int] = field(default_factory=dict)
    covered_minutes: frozenset[datetime] = frozenset()
    conn_ids: Mapping[str, RememberedCall] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CycleCommit:
    """Everything one poll cycle of `operation` stores, together, in one transaction.

    `alerts` are upserted by (operation, rule); alerts not named are kept. `budget` and
    `poll`, when given, replace the stored ones: the store keeps the requests used on the
    budget's `day` (the operation's local date, YYYY-MM-DD) and drops earlier days.
    `digests` maps a digest id (an alert storm's one message, see bot.domain.digests) to
    the digest, upserted, or to None to forget it; digests of any operation may be named.
    `incidents` are the records this cycle opened, escalated or resolved (upserted by id).
    """

    operation: str
    alerts: Sequence[Alert] = ()
    log: LogDelta = field(default_factory=LogDelta)
    budget: DayBudget | None = None
    poll: PollState | None = None
    outbox: Sequence[NewOutboxRow] = ()
    digests: Mapping[str, Digest | None] = field(default_factory=dict)
    incidents: Sequence[IncidentRecord] = ()


@dataclass(frozen=True, slots=True)
class ActionCommit:
    """Everything a person's action (or the end of a silence) stores, in one transaction:
    the alerts it changed (upserted by (operation, rule)), the silences it adds or replaces
    (by id) or forgets, the record of it, the incidents whose record it changes, the
    notifications that announce it, and the requests it carries out (id, outcome), answered
    with it so that a holder crashing in between never carries one out twice (a store that
    keeps requests, PostgreSQL: bot.services.ports.requests; the others keep none)."""

    alerts: Sequence[Alert] = ()
    silences: Sequence[Silence] = ()
    forget_silences: Sequence[str] = ()
    actions: Sequence[ActionRecord] = ()
    incidents: Sequence[IncidentRecord] = ()
    outbox: Sequence[NewOutboxRow] = ()
    answers: Sequence[tuple[int, str]] = ()
    under: Sequence[str] = ()
    """Operations whose lease fences this commit besides those of its alerts: a context
    edit of an operation's messages stores only outbox rows, which name no operation."""
    only_if_firing: Sequence[tuple[str, str, str]] = ()
    """(operation, rule, incident_id) of alerts that must still be stored firing with that
    incident: checked inside the commit's transaction (on PostgreSQL with the alert rows
    locked, so concurrent commits with the same guard take turns and the later one sees
    the earlier one's write). If one is not, nothing of the commit is stored and
    `commit_action` answers None. Closing a removed rule's incident thus happens once,
    however many replicas start at the same instant (bot.services.restore.close_removed)."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A stored row that no longer reads as a domain object (e.g. written by a newer
    callbot): left out of what was loaded, and named so that it can be logged."""

    kind: str
    """What it should have been: `alert`, `silence`, `digest`, `incident` or `action`."""
    key: str
    """Its rule (alerts) or id."""
    error: str


@dataclass(frozen=True, slots=True)
class StoredState:
    """Everything the bot needs at start. Acknowledgements are inside the alerts."""

    alerts: Mapping[tuple[str, str], Alert]
    """(operation, rule) -> its alert."""
    silences: Mapping[str, Silence]
    """silence id -> silence: every silence whose end is not yet recorded (expired ones
    included, so the bot can tell that they ended; see `ActionCommit.forget_silences`)."""
    message_refs: Mapping[str, MessageRef]
    """incident id -> its Slack message."""
    logs: Mapping[str, StoredLog]
    """operation -> its call log."""
    budgets: Mapping[tuple[str, str], int]
    """(operation, day) -> requests used."""
    polls: Mapping[str, PollState]
    """operation -> how its polling was going."""
    digests: Mapping[str, Digest] = field(default_factory=dict)
    """digest id -> the alert storms stored and not yet forgotten."""
    unreadable: Sequence[Unreadable] = ()
    """Rows left out because they did not read back (never a crash at start)."""


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """What `history` found, newest first: incidents by start, actions by time."""

    incidents: list[IncidentRecord]
    actions: list[ActionRecord]
    unreadable: int = 0
    """Rows that matched but did not read back, left out of the lists."""


class HistoryStore(Protocol):
    """The record of what happened: incidents and people's actions, kept until forgotten."""

    async def commit_action(self, commit: ActionCommit) -> list[int] | None:
        """Store an action with its record and notifications, all or nothing; return the
        new outbox ids in the order of `commit.outbox`, or None when an alert named in
        `commit.only_if_firing` is no longer stored firing with its incident (nothing
        stored)."""
        ...

    async def history(
        self,
        *,
        since: datetime,
        rule: str | None = None,
        operation: str | None = None,
        limit: int = 200,
    ) -> HistoryPage:
        """Incidents still open or ended at or after `since`, and actions at or after it,
        newest first, at most `limit` of each (ValueError below 1). `operation` also
        matches actions on every operation (their `operation` is None)."""
        ...

    async def forget_history(self, before: datetime) -> None:
        """Forget incidents that ended, and actions taken, before `before` (retention)."""
        ...


class Outbox(Protocol):
    """The part of the store the notifier needs: drain notifications in order, once."""

    async def due_outbox(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Rows to deliver now, ids ascending, in strict order per channel.

        A row is due when `not_before <= now` and no earlier row of its channel is waiting:
        a deferred row holds back every later row of its channel (so an update never
        overtakes the post it edits) while other channels proceed.
        """
        ...

    async def complete(self, row_id: int, *, message: MessageRef | None) -> None:
        """Forget a delivered row and record its message in the same transaction.

        Both or neither: a crash cannot leave a delivered row without the message ref
        that later updates and threads need. Completing an unknown row only records the ref.
        """
        ...

    async def mark_attempted(self, row_id: int, *, error: str) -> bool:
        """About to send a row this store returned from `due_outbox`: count one more attempt
        (so that after a crash mid-send the next attempt first looks for what the chat may
        already have) and record `error` as the row's last error. Unlike `defer` the row stays
        due and, on a database several replicas share, stays this store's: no other replica
        takes it while it is in flight. False when the row is no longer this store's to send
        (already delivered, or taken over by another replica after this store's claim
        expired): nothing is counted and the caller must not send it.
        """
        ...

    async def defer(self, row_id: int, *, not_before: datetime, error: str) -> None:
        """Keep a row that could not be delivered for later: one more attempt counted. On a
        shared database the row's channel is released: whichever replica claims it next
        delivers the row first."""
        ...

    async def oldest_outbox(self) -> OutboxRow | None:
        """The row that has waited longest (the lowest id), whatever its backoff and, on a
        database several replicas share, whichever of them holds it. A read only: unlike
        `due_outbox` it claims nothing, so /healthz can sample the outbox without taking
        rows away from the drainers."""
        ...

    async def outbox_depth(self) -> int:
        """How many rows are waiting (a metric: it grows while Slack is down)."""
        ...

    async def message_ref(self, incident_id: str) -> MessageRef | None: ...

    async def put_message_ref(self, ref: MessageRef) -> None:
        """Record (or replace) where an incident's message lives."""
        ...


class Store(Outbox, HistoryStore, Leases, ContextStore, Protocol):
    """The whole persistence contract. Safe to call concurrently from one asyncio loop.

    Use as `async with store:` or call `open()`/`close()`. `open()` creates or migrates the
    schema; opening an up-to-date store again changes nothing. Objects read back are the
    store's own copies: changing what was passed in never changes what is stored.
    """

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def load(
        self, now: datetime, *, operation: str | None = None, since: datetime | None = None
    ) -> StoredState:
        """Everything stored, ended silences included until their end is recorded. With
        `operation`, only that operation's alerts, call log, budgets and poll state (the
        silences, message refs and digests whole): how a replica that does not poll it
        follows the one that does (bot.services.follow). With `since`, only the call
        buckets and covered minutes from `since` on, and no conn_ids: what a poll changed."""
        ...

    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        """Store a whole poll cycle in one transaction; return the new outbox ids in the
        order of `cycle.outbox`. If anything fails nothing of the cycle is stored."""
        ...

    async def budget_used(self, operation: str, day: str) -> int:
        """Requests used by `operation` on local `day` (0 when nothing was counted;
        ValueError when `day` is not YYYY-MM-DD)."""
        ...
