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

from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.alerts import Alert, Reason, acknowledge, silence_applied, silence_lifted
from bot.domain.history import ActionRecord
from bot.domain.silences import Silence, SilenceBook, silence_id
from bot.logevents import audit
from bot.services.action_batch import ActionBatch
from bot.services.control_base import CARRYING_OUT, ControlsBase
from bot.services.ports.requests import ActionRequest, RequestKind
from bot.services.ports.store import HistoryPage
from bot.services.views.alert import ActionKind, ActionResultView

FORGET_EVERY = timedelta(hours=1)
"""How often the record is trimmed to the history the bot keeps."""


class Controls(ControlsBase):
    """The acknowledge / silence / unsilence use cases, shared by buttons and /calls, and
    the end of silences (`expire_silences`, called periodically)."""

    async def acknowledge(
        self,
        *,
        by: str,
        incident_id: str | None = None,
        rule: str | None = None,
        operation: str | None = None,
    ) -> ActionResultView:
        """Acknowledge one incident (from its button) or a rule's firing alerts (/calls ack).

        The alerts of operations another replica polls are acknowledged by it (`relay`):
        the answer waits briefly for it, and says QUEUED when it has not answered yet."""
        now = self._clock.now()
        async with self._state.lock:
            targets = self._targets(incident_id=incident_id, rule=rule, operation=operation)
            relayed = [
                ActionRequest(RequestKind.ACK, op, by, now, rule=a.rule, incident_id=incident_id)
                for op, a in {a.operation: a for a in targets if a.firing and self._away(a)}.items()
            ]
            here = [a for a in targets if not self._away(a)]
            view = await self._acknowledge_here(here, by, rule, incident_id, operation, now)
        if not relayed or self.relay is None:
            return view
        if not here:
            scope = relayed[0].operation if len(relayed) == 1 else operation
            view = replace(view, rule=relayed[0].rule or view.rule, operation=scope)
            view = replace(view, tz=self._tz(scope))
        return merged(view, await self.relay.ask(relayed), by=by)

    async def _acknowledge_here(
        self,
        targets: list[Alert],
        by: str,
        rule: str | None,
        incident_id: str | None,
        operation: str | None,
        now: datetime,
    ) -> ActionResultView:
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
            await self._store_batch(batch, outcome=ActionKind.ACKNOWLEDGED)
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
            away = self._relayed(batch, lambda a: silence.matches(a.rule, a.operation, now))
            for alert in list(state.alerts):
                if silence.matches(alert.rule, alert.operation, now) and not self._away(alert):
                    self._plan(batch, alert, silence_applied(alert, silence, now=now), view, now)
            self._tell_channels(batch, view, self._scope(operation), rule, now)
            await self._store_batch(batch, silences={silence.id: silence}, undo=previous)
            await self._send(RequestKind.SILENCE, away, by, now, rule=rule, silence=silence)
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
            away = self._relayed(
                batch,
                lambda a: (
                    a.rule == rule and a.silenced and (not operation or a.operation == operation)
                ),
            )
            for alert in list(state.alerts):
                if alert.rule != rule or (operation and alert.operation != operation):
                    continue
                if self._away(alert):
                    continue  # its holder writes it (asked through the relay)
                remaining = book.matching(alert.rule, alert.operation, now)
                decision = silence_lifted(alert, remaining=remaining, now=now)
                self._plan(batch, alert, decision, view, now)
            self._tell_channels(batch, view, self._scope(operation), rule, now)
            await self._store_batch(batch, forget=[s.id for s in removed], undo=previous)
            lifted = tuple(s.id for s in removed)
            await self._send(RequestKind.UNSILENCE, away, by, now, rule=rule, lifted=lifted)
            return view

    async def carry_out(self, request: ActionRequest, request_id: int | None = None) -> str:
        """Do what another replica was asked about an operation this replica polls (its
        alerts' single writer), as if asked here; the outcome (an ActionKind value). What it
        stores answers request `request_id` in the same transaction: a crash before the
        desk answers cannot have it carried out twice (a silence note posted twice)."""
        token = CARRYING_OUT.set(request_id)
        try:
            return await self._carry_out(request)
        finally:
            CARRYING_OUT.reset(token)

    async def _carry_out(self, request: ActionRequest) -> str:
        if request.kind is RequestKind.ACK:
            view = await self.acknowledge(
                by=request.by, incident_id=request.incident_id, rule=request.rule,
                operation=request.operation,
            )  # fmt: skip
            return view.kind.value
        now, name = self._clock.now(), request.operation
        async with self._state.lock:
            state = self._state
            previous, batch = state.silences, ActionBatch(state.alerts)
            silence = request.silence
            if silence is not None:  # the silence is stored: show it on the incidents
                state.silences = previous.add(silence)
                view = ActionResultView(
                    ActionKind.SILENCED, silence.created_by, silence.rule, silence.operation,
                    now, until=silence.ends_at, reason=silence.reason, tz=self._tz(name),
                )  # fmt: skip
            else:  # the silences are lifted: incidents still firing are heard again
                state.silences = previous.without(request.lifted)
                view = ActionResultView(
                    ActionKind.UNSILENCED, request.by, request.rule or "", name, now,
                    tz=self._tz(name),
                )  # fmt: skip
            for alert in [a for a in state.alerts if a.operation == name]:
                if silence is not None and silence.matches(alert.rule, name, now):
                    self._plan(batch, alert, silence_applied(alert, silence, now=now), view, now)
                elif silence is None and alert.rule == request.rule:
                    still = state.silences.matching(alert.rule, name, now)
                    decision = silence_lifted(alert, remaining=still, now=now)
                    self._plan(batch, alert, decision, view, now)
            if batch.changed:
                await self._store_batch(batch, undo=previous, outcome=view.kind)
            return view.kind.value

    async def expire_silences(self) -> int:
        """Record the end of the silences that ran out, and edit the messages they muted.

        An incident that fired while a silence held it back and is still firing has its
        message edited and a note in its thread; the silence's end is recorded either way.
        Returns how many silences ended. Also trims the record to the history kept.

        With several replicas each edits the messages of the operations it polls, and one
        records the end: the replica polling the silence's operation (the first configured
        one for a silence of every operation); the others leave the silence to it.
        """
        now = self._clock.now()
        async with self._state.lock:
            state = self._state
            ended = tuple(
                s
                for s in state.silences.ended(now)
                if s.id not in self._ended_here or self._records_end(s)
            )
            if ended:
                remaining = state.silences.without([s.id for s in ended])
                batch = ActionBatch(state.alerts)
                previous = state.silences
                state.silences = remaining
                mine = [s for s in ended if self._records_end(s)]
                batch.records += [ActionRecord.expired(s) for s in mine]
                for silence in ended:
                    self._heard_again(batch, silence, remaining, now)
                if batch.records or batch.changed:
                    await self._store_batch(batch, forget=[s.id for s in mine], undo=previous)
                self._ended_here.update(s.id for s in ended if s not in mine)
                for silence in mine:
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

    def _records_end(self, silence: Silence) -> bool:
        """Whether this replica records the end of `silence` (see expire_silences)."""
        operation = silence.operation or min(self._state.operations, default="")
        return self.relay is None or not self.relay.elsewhere(operation)

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
            if self._away(alert):
                continue  # its holder sees the silence run out too, and edits its message
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


def merged(view: ActionResultView, outcomes: list[str | None], *, by: str) -> ActionResultView:
    """What to tell the person who acknowledged, once the holders answered (or not yet)."""
    kinds = {ActionKind(outcome) for outcome in outcomes if outcome is not None}
    if view.kind is ActionKind.ACKNOWLEDGED or ActionKind.ACKNOWLEDGED in kinds:
        return replace(view, kind=ActionKind.ACKNOWLEDGED, actor=by)
    if None in outcomes:
        return replace(view, kind=ActionKind.QUEUED, actor=by)
    if ActionKind.ALREADY_ACKNOWLEDGED in kinds:
        return replace(view, kind=ActionKind.ALREADY_ACKNOWLEDGED)
    return view


def _rule_of(incident_id: str | None) -> str:
    return (incident_id or "").split(":", 1)[0]
