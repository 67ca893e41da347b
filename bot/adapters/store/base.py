"""The persistence contract every store implements (SQLite now, PostgreSQL later).

The store keeps what must survive a restart: alert states (acknowledgements live inside
them), silences, the Slack message of each incident, the per-minute call buckets and the
conn_ids still inside the overlap window, the day's request budget, poll status, and the
outbox of notifications still to deliver.

It deals in plain data only: alert states and silences are JSON documents
(`dict[str, Any]`) produced and read by codecs elsewhere, so the store never has to change
when a domain type grows a field. Everything a poll cycle decides is written by
`commit_cycle` in one transaction, so a crash leaves either the whole cycle or none of it,
and a notification is never stored without the state that caused it (or the reverse).

All timestamps are aware datetimes; stores return them in UTC. One contract test suite
(tests/adapters/store/test_store_contract.py) runs against every implementation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self

from bot.domain.polling import PollState

Document = dict[str, Any]
"""A JSON object: str keys; values str, int, float (finite), bool, None, lists, objects."""


class StoreError(Exception):
    """Base of the store's errors. `transient` says whether retrying later may succeed."""

    transient: bool = False


class StoreOpenError(StoreError):
    """The store cannot be opened (bad path, not a database, schema from a newer callbot)."""


class StoreClosedError(StoreError):
    """The store was used before `open()` or after `close()`: a wiring bug."""


class DocumentError(StoreError, ValueError):
    """A document or payload cannot be stored as JSON; nothing of the call was stored."""


class StoreBusyError(StoreError):
    """The database refused the transaction for now (locked, I/O); nothing was stored."""

    transient = True


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where the Slack message of an incident lives, so later news edits and threads under it."""

    incident_id: str
    channel: str
    ts: str


@dataclass(frozen=True, slots=True)
class NewOutboxRow:
    """A notification a cycle (or a button click) decided to send, before it has an id.

    `not_before` defaults to `created_at`: due at once.
    """

    channel: str
    incident_id: str
    action: str
    payload: Document
    created_at: datetime
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored notification still to deliver.

    `action` says what to do with the incident's message (post, update, thread, ...);
    `payload` is the rendered message (text, blocks and extras).
    """

    id: int
    created_at: datetime
    channel: str
    incident_id: str
    action: str
    payload: Document
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
class BudgetCounter:
    """Requests used on `day`, the operation's local date in ISO format (YYYY-MM-DD).

    Storing a day's counter drops the operation's counters of earlier days.
    """

    day: str
    used: int


PollStatus = PollState
"""How an operation's polling is going: the domain's PollState, stored whole."""


@dataclass(frozen=True, slots=True)
class CycleCommit:
    """Everything one poll cycle of `operation` stores, together, in one transaction.

    `alerts` maps rule name to its alert document (upserted; rules not named are kept).
    `budget` and `poll`, when given, replace the stored ones. `digests` maps a digest id
    (an alert storm's one message, see bot.domain.digests) to its document, upserted, or
    to None to forget it; digests of any operation may be named.
    """

    operation: str
    alerts: Mapping[str, Document] = field(default_factory=dict)
    log: LogDelta = field(default_factory=LogDelta)
    budget: BudgetCounter | None = None
    poll: PollStatus | None = None
    outbox: Sequence[NewOutboxRow] = ()
    digests: Mapping[str, Document | None] = field(default_factory=dict)
    incidents: Sequence[IncidentEntry] = ()
    """Incident records this cycle opened, escalated or resolved (upserted by id)."""


@dataclass(frozen=True, slots=True)
class StoredState:
    """Everything the bot needs at start. Acknowledgements are inside the alert documents."""

    alerts: Mapping[tuple[str, str], Document]
    """(operation, rule) -> alert document."""
    silences: Mapping[str, Document]
    """silence id -> document: every silence whose end is not yet recorded (expired ones
    included, so the bot can tell that they ended; see `ActionCommit.forget_silences`)."""
    message_refs: Mapping[str, MessageRef]
    """incident id -> its Slack message."""
    logs: Mapping[str, StoredLog]
    """operation -> its call log."""
    budgets: Mapping[tuple[str, str], int]
    """(operation, day) -> requests used."""
    polls: Mapping[str, PollStatus]
    """operation -> poll status."""
    digests: Mapping[str, Document] = field(default_factory=dict)
    """digest id -> document: the alert storms whose incidents are still open."""


@dataclass(frozen=True, slots=True)
class IncidentEntry:
    """One incident as `/calls history` lists it; `ended_at` None while it fires.

    `doc` holds the rest (severity, peak, who acknowledged), see history_codec.
    """

    incident_id: str
    rule: str
    operation: str
    started_at: datetime
    ended_at: datetime | None
    doc: Document


@dataclass(frozen=True, slots=True)
class ActionEntry:
    """One acknowledgement, silence, unsilence or expiry; `operation` None: every one."""

    at: datetime
    rule: str
    operation: str | None
    doc: Document


@dataclass(frozen=True, slots=True)
class ActionCommit:
    """Everything a person's action (or the end of a silence) stores, in one transaction:
    the alert documents it changed ((operation, rule) -> document), the silences it adds
    (id -> (document, ends_at)) or forgets, the record of it, the incidents whose record
    it changes, and the notifications that announce it."""

    alerts: Mapping[tuple[str, str], Document] = field(default_factory=dict)
    silences: Mapping[str, tuple[Document, datetime]] = field(default_factory=dict)
    forget_silences: Sequence[str] = ()
    actions: Sequence[ActionEntry] = ()
    incidents: Sequence[IncidentEntry] = ()
    outbox: Sequence[NewOutboxRow] = ()


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """What `history` found, newest first: incidents by start, actions by time."""

    incidents: list[IncidentEntry]
    actions: list[ActionEntry]


class HistoryStore(Protocol):
    """The record of what happened: incidents and people's actions, kept until forgotten."""

    async def commit_action(self, commit: ActionCommit) -> list[int]:
        """Store an action with its record and notifications; return the new outbox ids."""
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
        newest first, at most `limit` of each. `operation` also matches actions on every
        operation (their `operation` is None)."""
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

    async def defer(self, row_id: int, *, not_before: datetime, error: str) -> None:
        """Keep a row that could not be delivered for later: one more attempt counted."""
        ...

    async def outbox_depth(self) -> int:
        """How many rows are waiting (a metric: it grows while Slack is down)."""
        ...

    async def message_ref(self, incident_id: str) -> MessageRef | None: ...

    async def put_message_ref(self, ref: MessageRef) -> None:
        """Record (or replace) where an incident's message lives."""
        ...


class Store(Outbox, HistoryStore, Protocol):
    """The whole persistence contract. Safe to call concurrently from one asyncio loop.

    Use as `async with store:` or call `open()`/`close()`. `open()` creates or migrates the
    schema; opening an up-to-date store again changes nothing.
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

    async def load(self, now: datetime) -> StoredState:
        """Everything stored, ended silences included until their end is recorded."""
        ...

    async def commit_cycle(self, cycle: CycleCommit) -> list[int]:
        """Store a whole poll cycle in one transaction; return the new outbox ids.

        If anything fails (e.g. a document that is not JSON) nothing of the cycle is stored.
        """
        ...

    async def put_alert(self, operation: str, rule: str, doc: Document) -> None:
        """Store one alert document outside a cycle (e.g. acknowledged from a button)."""
        ...

    async def put_alert_with_outbox(
        self, operation: str, rule: str, doc: Document, rows: Sequence[NewOutboxRow]
    ) -> list[int]:
        """Store one alert document and the notifications it causes, together."""
        ...

    async def put_silence(self, id: str, doc: Document, ends_at: datetime) -> None:
        """Store (or replace) a silence; it is pruned once `ends_at` has passed."""
        ...

    async def delete_silence(self, id: str) -> None: ...

    async def budget_used(self, operation: str, day: str) -> int:
        """Requests used by `operation` on local `day` (0 when nothing was counted)."""
        ...
