"""What people do to alerts: acknowledge, silence, unsilence; and what happens when a
silence runs out.

Each action changes the alert state and the silences under the state lock and is
stored before it is told, in one transaction with its record (who, when, scope,
reason, end: see bot.domain.history) and the notifications that announce it. The
team hears of it where the alert lives: a note in the incident's thread (the
renderer escapes the person's words), or, when no incident message is there to
carry it, a short note in the channel. The audit line of a person's action is
written by the command service that received it (bot.logevents: who, what, scope,
outcome; the person's free-text reason stays in the record, out of the logs); the
end of a silence, which nobody did, gets its own audit line here. Repeating an
action (a double click) changes nothing the second time.

A silence that ends, lifted early or run out, edits the living message of each
incident it muted, so no message keeps saying "Silenced until 12:20" after 12:20.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.domain.alerts import Alert, Decision, Reason, acknowledge, silence_applied, silence_lifted
from bot.domain.history import ActionRecord
from bot.domain.silences import Silence, SilenceBook, silence_id
from bot.logevents import audit
from bot.services.action_batch import ActionBatch
from bot.services.notification_plan import plan_notifications
from bot.services.ports import Clock, Presenter
from bot.services.ports.store import HistoryPage, NewOutboxRow, OutboxAction, Store
from bot.services.state import RuntimeState
from bot.services.views.alert import ActionKind, ActionResultView

FORGET_EVERY = timedelta(hours=1)
"""How often the record is trimmed to the history the bot keeps."""


class Controls:
    """The acknowledge / silence / unsilence use cases, shared by buttons and /calls, and
    the end of silences (`expire_silences`, called periodically)."""

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

    async def acknowledge(
        self,
        *,
        by: str,
        incident_id: str | None = None,
        rule: str | None = None,
        operation: str | None = None,
    ) -> ActionResultView:
        """Acknowledge one incident (from its button) or a rule's firing alerts (/calls ack)."""
        now = self._clock.now()
        async with self._state.lock:
            targets = self._targets(incident_id=incident_id, rule=rule, operation=operation)
            name = targets[0].rule if targets else (rule or _rule_of(incident_id))
            if not targets or not any(a.firing for a in targets):
                return ActionResultView(ActionKind.NOT_FIRING, by, name, operation, now)
            kind = ActionKind.ALREADY_ACKNOWLEDGED
            acked_by = by
            batch = ActionBatch(self._state.alerts)
            for alert in (a for a in targets if a.firing):
                decision = acknowledge(alert, by=by, now=now, incident=incident_id)
                if decision.reason is Reason.ACKNOWLEDGED:
                    kind = ActionKind.ACKNOWLEDGED
                    note = ActionResultView(
                        kind, by, alert.rule, alert.operation, now, tz=self._tz(alert.operation)
                    )
                    self._plan(batch, alert, decision, note, now)
                    batch.records.append(ActionRecord.acknowledged(decision.alert))
                    self._tell_channels(batch, note, [alert.operation], alert.rule, now)
                elif alert.acked_by:
                    acked_by = alert.acked_by
            view = ActionResultView(
                kind,
                by if kind is ActionKind.ACKNOWLEDGED else acked_by,
                name,
                targets[0].operation if len(targets) == 1 else operation,
                now,
                tz=self._tz(operation or targets[0].operation),
            )
            if batch.records:
                await self._store_batch(batch)
            return view

    async def silence(
        self,
        *,
        rule: str,
        operation: str | None,
        until: datetime,
        by: str,
        reason: str = "",
    ) -> ActionResultView:
        """Mute a rule (on one operation or all) until `until`; repeating it is a no-op."""
        now = self._clock.now()
        async with self._state.lock:
            state = self._state
            existing = [
                s
                for s in state.silences.active(now)
                if s.rule == rule and s.operation == operation and s.ends_at >= until
            ]
            if existing:
                return ActionResultView(
                    ActionKind.SILENCED,
                    existing[0].created_by,
                    rule,
                    operation,
                    now,
                    until=existing[0].ends_at,
                    reason=existing[0].reason,
                    tz=self._tz(operation),
                )
            silence = Silence(
                id=silence_id(rule, operation, now),
                rule=rule,
                operation=operation,
                starts_at=now,
                ends_at=until,
                created_by=by,
                reason=reason,
            )
            view = ActionResultView(
                ActionKind.SILENCED,
                by,
                rule,
                operation,
                now,
                until=until,
                reason=reason,
                tz=self._tz(operation),
            )
            previous = state.silences
            state.silences = previous.add(silence)
            batch = ActionBatch(state.alerts)
            batch.records.append(ActionRecord.silenced(silence))
            for alert in list(state.alerts):
                if silence.matches(alert.rule, alert.operation, now):
                    self._plan(batch, alert, silence_applied(alert, silence, now=now), view, now)
            self._tell_channels(batch, view, self._scope(operation), rule, now)
            await self._store_batch(batch, silences={silence.id: silence}, undo=previous)
            return view

    async def unsilence(self, *, rule: str, operation: str | None, by: str) -> ActionResultView:
        """Lift the silences of a rule; alerts still firing are heard again."""
        now = self._clock.now()
        async with self._state.lock:
            state = self._state
            book, removed = state.silences.remove(rule, operation, now=now, by=by)
            if not removed:
                return ActionResultView(ActionKind.NOT_SILENCED, by, rule, operation, now)
            view = ActionResultView(
                ActionKind.UNSILENCED, by, rule, operation, now, tz=self._tz(operation)
            )
            previous = state.silences
            state.silences = book
            batch = ActionBatch(state.alerts)
            batch.records += [ActionRecord.lifted(s, by=by, at=now) for s in removed]
            for alert in list(state.alerts):
                if alert.rule != rule or (operation and alert.operation != operation):
                    continue
                remaining = book.matching(alert.rule, alert.operation, now)
                decision = silence_lifted(alert, remaining=remaining, now=now)
                self._plan(batch, alert, decision, view, now)
            self._tell_channels(batch, view, self._scope(operation), rule, now)
            await self._store_batch(batch, forget=[s.id for s in removed], undo=previous)
            return view

    async def expire_silences(self) -> int:
        """Record the end of the silences that ran out, and edit the messages they muted.

        An incident that fired while a silence held it back and is still firing has its
        message edited and a note in its thread; the silence's end is recorded either way.
        Returns how many silences ended. Also trims the record to the history kept.
        """
        now = self._clock.now()
        async with self._state.lock:
            state = self._state
            ended = state.silences.ended(now)
            if ended:
                remaining = state.silences.without([s.id for s in ended])
                batch = ActionBatch(state.alerts)
                previous = state.silences
                state.silences = remaining
                for silence in ended:
                    batch.records.append(ActionRecord.expired(silence))
                    self._heard_again(batch, silence, remaining, now)
                await self._store_batch(batch, forget=[s.id for s in ended], undo=previous)
                for silence in ended:
                    audit(
                        "silence_expired",
                        actor="callbot",
                        outcome="expired",
                        rule=silence.rule,
                        operation=silence.operation or "*",
                        until=silence.ends_at.isoformat(),
                        silenced_by=silence.created_by,
                    )
        if self._forgot_at is None or now - self._forgot_at >= FORGET_EVERY:
            await self._store.forget_history(now - self.retention)
            self._forgot_at = now
        return len(ended)

    async def history(
        self, *, since: datetime, rule: str | None, operation: str | None, limit: int
    ) -> HistoryPage:
        """The record since `since` (see `Store.history`), for `/calls history`."""
        return await self._store.history(since=since, rule=rule, operation=operation, limit=limit)

    def _heard_again(
        self, batch: ActionBatch, silence: Silence, remaining: SilenceBook, now: datetime
    ) -> None:
        for alert in list(batch.book):
            if not (alert.firing and alert.posted and silence.covers(alert.rule, alert.operation)):
                continue
            if alert.fired_at is not None and alert.fired_at >= silence.ends_at:
                continue
            still = remaining.matching(alert.rule, alert.operation, now)
            decision = silence_lifted(alert, remaining=still, now=now)
            if decision.reason is Reason.UNSILENCED:
                view = self._expiry_view(silence, now, operation=alert.operation)
                self._plan(batch, alert, decision, view, now)

    def _expiry_view(
        self, silence: Silence, now: datetime, *, operation: str | None = None
    ) -> ActionResultView:
        where = operation or silence.operation
        return ActionResultView(
            ActionKind.SILENCE_EXPIRED,
            silence.created_by,
            silence.rule,
            silence.operation,
            now,
            until=silence.ends_at,
            reason=silence.reason,
            tz=self._tz(where),
        )

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
    ) -> None:
        try:
            await self._store.commit_action(batch.commit(silences=silences, forget=forget))
        except BaseException:
            if undo is not None:
                self._state.silences = undo
            raise
        self._state.alerts = batch.book
        if batch.rows and self._on_outbox is not None:
            self._on_outbox()


def _rule_of(incident_id: str | None) -> str:
    return (incident_id or "").split(":", 1)[0]
