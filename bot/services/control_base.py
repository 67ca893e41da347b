"""The machinery every person's action shares (bot.services.control): the state it
changes, how its decisions become notifications (an edit and a thread note in the
incident's thread, or a note in the channel when no incident message carries it), how it
is stored (one `ActionCommit`, memory changed only once stored), and which operations
another replica polls (their alerts are changed there, through the `Relay`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from bot.domain.alerts import Alert, Decision
from bot.domain.silences import Silence, SilenceBook
from bot.services.action_batch import ActionBatch
from bot.services.notification_plan import plan_notifications
from bot.services.ports import Clock, Presenter
from bot.services.ports.requests import ActionRequest, RequestKind
from bot.services.ports.store import NewOutboxRow, OutboxAction, Store
from bot.services.relay import Relay
from bot.services.state import RuntimeState
from bot.services.views.alert import ActionKind, ActionResultView

CARRYING_OUT: ContextVar[int | None] = ContextVar("callbot_carrying_out", default=None)
"""The id of the request (bot.services.ports.requests) the current task carries out for
another replica: the action's commit answers it, in the same transaction as its effect."""


class ControlsBase:
    """What the use cases of `Controls` are built on."""

    def __init__(
        self,
        *,
        state: RuntimeState,
        store: Store,
        clock: Clock,
        presenter: Presenter,
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self._state = state
        self._store = store
        self._clock = clock
        self._presenter = presenter
        self._on_outbox = on_outbox
        self._forgot_at: datetime | None = None
        self._ended_here: set[str] = set()
        """Silences whose end another replica records, already told here."""
        self.relay: Relay | None = None
        """Passes actions on operations another replica polls to it (several replicas)."""

    @property
    def presenter(self) -> Presenter:
        """The renderer the bot was wired with, for start-up work that renders too (restore)."""
        return self._presenter

    @property
    def retention(self) -> timedelta:
        """How long the record is kept: as long as the call history."""
        return self._state.log.retention

    def _tz(self, operation: str | None) -> str:
        if operation and operation in self._state.operations:
            return self._state.operation(operation).settings.timezone.key
        first = next(iter(self._state.operations.values()), None)
        return first.settings.timezone.key if first else "UTC"

    def _away(self, alert: Alert) -> bool:
        """Whether another replica polls the alert's operation (and writes its alerts)."""
        return self.relay is not None and self.relay.elsewhere(alert.operation)

    def _relayed(self, batch: ActionBatch, about: Callable[[Alert], bool]) -> list[str]:
        """The operations polled elsewhere with a posted incident this action concerns:
        their holders will tell it in the incident's thread, so no channel note here."""
        away: dict[str, None] = {}
        for alert in batch.book:
            if self._away(alert) and alert.firing and alert.posted and about(alert):
                away[alert.operation] = None
                op = self._state.operations.get(alert.operation)
                spec = op.rule(alert.rule) if op is not None else None
                if op is not None and spec is not None:
                    batch.told.add(spec.channel or op.settings.channel)
        return list(away)

    async def _send(
        self, kind: RequestKind, operations: list[str], by: str, now: datetime, **about: Any
    ) -> None:
        if operations and self.relay is not None:
            await self.relay.send([ActionRequest(kind, op, by, now, **about) for op in operations])

    def _scope(self, operation: str | None) -> list[str]:
        return [operation] if operation else list(self._state.operations)

    def _targets(
        self, *, incident_id: str | None, rule: str | None, operation: str | None
    ) -> list[Alert]:
        alerts = self._state.alerts
        if incident_id is not None:
            found = alerts.find_incident(incident_id)
            return [found] if found is not None else []
        return [
            a for a in alerts if a.rule == rule and (operation is None or a.operation == operation)
        ]

    def _plan(
        self,
        batch: ActionBatch,
        previous: Alert,
        decision: Decision,
        view: ActionResultView,
        now: datetime,
    ) -> None:
        """The decision's rows (an edit and a thread note in the person's words)."""
        state = self._state
        alert = decision.alert
        batch.change(previous, alert)
        op = state.operations.get(alert.operation)
        spec = op.rule(alert.rule) if op else None
        if op is None or spec is None:
            return
        # An action never opens, joins or closes a digest; it only routes the
        # incident's news to its digest when it has one.
        rows = plan_notifications(
            [decision],
            state=state,
            alerts=batch.book,
            presenter=self._presenter,
            now=now,
            note=self._presenter.action_note(view),
        ).rows
        batch.rows += rows
        batch.told.update(row.channel for row in rows if row.action != OutboxAction.UPDATE)

    def _tell_channels(
        self,
        batch: ActionBatch,
        view: ActionResultView,
        operations: Iterable[str],
        rule: str,
        now: datetime,
    ) -> None:
        """A short note in each channel of the rule where no incident thread told it."""
        channels: dict[str, None] = {}
        for name in operations:
            op = self._state.operations.get(name)
            spec = op.rule(rule) if op is not None else None
            if op is not None and spec is not None:
                channels[spec.channel or op.settings.channel] = None
        stamp = now.strftime("%Y%m%dT%H%M%S%f")
        scope = view.operation or "*"
        for channel in [c for c in channels if c not in batch.told]:
            note_id = f"note:{view.kind.value}:{rule}:{scope}:{channel}:{stamp}"
            message = self._presenter.action_note(view)
            batch.rows.append(NewOutboxRow(channel, note_id, OutboxAction.POST, message, now))
            batch.told.add(channel)

    async def _store_batch(
        self,
        batch: ActionBatch,
        *,
        silences: dict[str, Silence] | None = None,
        forget: Iterable[str] = (),
        undo: SilenceBook | None = None,
        outcome: ActionKind | None = None,
    ) -> None:
        """Store `batch`, then swap it in; `outcome` answers the request being carried out
        (`CARRYING_OUT`), if any, in the same commit."""
        request_id = CARRYING_OUT.get()
        answers = () if request_id is None or outcome is None else ((request_id, outcome.value),)
        commit = batch.commit(silences=silences, forget=forget, answers=answers)
        try:
            await self._store.commit_action(commit)
        except BaseException:
            if undo is not None:
                self._state.silences = undo
            raise
        self._state.alerts = batch.book
        if batch.rows and self._on_outbox is not None:
            self._on_outbox()
