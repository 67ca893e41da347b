"""What people do to alerts: acknowledge, silence, unsilence.

Each action changes the alert state and the silences under the state lock,
is stored before it is told, and is recorded in the incident's thread in the
person's own words (the renderer escapes them). Repeating an action (a double
click) changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.adapters.clock import Clock
from bot.adapters.store.base import NewOutboxRow, Store
from bot.adapters.store.codec import encode_alert, encode_silence
from bot.domain.alerts import Alert, Decision, Reason, acknowledge, silence_applied, silence_lifted
from bot.domain.silences import Silence, silence_id
from bot.services.ports import Presenter
from bot.services.state import RuntimeState
from bot.services.storm import plan_notifications
from bot.services.views import ActionKind, ActionResultView


class Controls:
    """The acknowledge / silence / unsilence use cases, shared by buttons and /calls."""

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

    @property
    def presenter(self) -> Presenter:
        """The renderer the bot was wired with, for start-up work that renders too (restore)."""
        return self._presenter

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
            for alert in (a for a in targets if a.firing):
                decision = acknowledge(alert, by=by, now=now, incident=incident_id)
                if decision.reason is Reason.ACKNOWLEDGED:
                    kind = ActionKind.ACKNOWLEDGED
                    await self._apply(decision, ActionKind.ACKNOWLEDGED, by, now)
                elif alert.acked_by:
                    acked_by = alert.acked_by
            return ActionResultView(
                kind,
                by if kind is ActionKind.ACKNOWLEDGED else acked_by,
                name,
                targets[0].operation if len(targets) == 1 else operation,
                now,
                tz=self._tz(operation or targets[0].operation),
            )

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
            await self._store.put_silence(silence.id, encode_silence(silence), silence.ends_at)
            state.silences = state.silences.add(silence)
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
            for alert in list(state.alerts):
                if silence.matches(alert.rule, alert.operation, now):
                    decision = silence_applied(alert, silence, now=now)
                    await self._apply(decision, ActionKind.SILENCED, by, now, view=view)
            return view

    async def unsilence(self, *, rule: str, operation: str | None, by: str) -> ActionResultView:
        """Lift the silences of a rule; alerts still firing are heard again."""
        now = self._clock.now()
        async with self._state.lock:
            state = self._state
            book, removed = state.silences.remove(rule, operation, now=now, by=by)
            if not removed:
                return ActionResultView(ActionKind.NOT_SILENCED, by, rule, operation, now)
            for silence in removed:
                await self._store.delete_silence(silence.id)
            state.silences = book
            view = ActionResultView(
                ActionKind.UNSILENCED, by, rule, operation, now, tz=self._tz(operation)
            )
            for alert in list(state.alerts):
                if alert.rule != rule or (operation and alert.operation != operation):
                    continue
                remaining = book.matching(alert.rule, alert.operation, now)
                decision = silence_lifted(alert, remaining=remaining, now=now)
                await self._apply(decision, ActionKind.UNSILENCED, by, now, view=view)
            return view

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

    async def _apply(
        self,
        decision: Decision,
        kind: ActionKind,
        by: str,
        now: datetime,
        *,
        view: ActionResultView | None = None,
    ) -> None:
        state = self._state
        alert = decision.alert
        op = state.operations.get(alert.operation)
        spec = op.rule(alert.rule) if op else None
        rows: tuple[NewOutboxRow, ...] = ()
        if op is not None and spec is not None:
            note_view = view or ActionResultView(
                kind, by, alert.rule, alert.operation, now, tz=op.settings.timezone.key
            )
            # An action never opens, joins or closes a digest; it only routes the
            # incident's news to its digest when it has one.
            rows = plan_notifications(
                [decision],
                state=state,
                alerts=state.alerts.with_alert(alert),
                presenter=self._presenter,
                now=now,
                note=self._presenter.action_note(note_view),
            ).rows
        await self._store.put_alert_with_outbox(
            alert.operation, alert.rule, encode_alert(alert), rows
        )
        state.alerts = state.alerts.with_alert(alert)
        if rows and self._on_outbox is not None:
            self._on_outbox()


def _rule_of(incident_id: str | None) -> str:
    return (incident_id or "").split(":", 1)[0]
