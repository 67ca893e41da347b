"""The `/calls` use cases and the alert buttons, answered from memory as view models.

Slack waits 3 seconds for a command's answer, and Wolkvox may take a minute: every
answer is built from the running state the last poll left (see views/replies_build.py),
never from a request made while Slack waits. Changing what the bot says in a
channel (silence, unsilence, acknowledge) is checked against the `Authorizer`
first, then done by the shared `Controls`, which record it in the incident's
thread. Nothing here knows Slack: the frontend in bot/adapters/slack parses the
text, renders what these methods return and caches replies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.logevents import audit
from bot.services import command_types as ct
from bot.services.authorization import AllowAll, AllowList, Authorizer
from bot.services.context import ContextService
from bot.services.context_commands import ContextReply, context_replies, home_queues
from bot.services.control import Controls
from bot.services.ports import CallSource, Clock
from bot.services.state import OperationRuntime, RuntimeState
from bot.services.views.alert import ActionKind, ActionResultView
from bot.services.views.history import HISTORY_LIMIT, HistoryView, history_view
from bot.services.views.replies import (
    AlertsView,
    HomeView,
    Last10View,
    NoticeKind,
    NoticeView,
    PollHealth,
    RulesView,
    StatusView,
)
from bot.services.views.replies_build import (
    alerts_view,
    home_view,
    last10_view,
    rules_view,
    stale_info,
    status_view,
)

__all__ = [
    "AllowAll",
    "AllowList",
    "Authorizer",
    "Button",
    "CommandService",
    "next_local_time",
]

SILENCE_BUTTON = timedelta(hours=1)
MORNING = time(8, 0)
""""Silence until tomorrow 08:00": the next 08:00 in the operation's timezone."""
_DOUBLE_CLICK = timedelta(minutes=2)

Scope = list[OperationRuntime]
"""The operations a command is about: the one it names, else all of them."""


class Button(StrEnum):
    """What an alert message's buttons ask for."""

    ACKNOWLEDGE = "acknowledge"
    SILENCE_1H = "silence_1h"
    SILENCE_UNTIL_MORNING = "silence_until_morning"


def next_local_time(now: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The next moment after `now` that reads `at` on the clocks of `tz`, in UTC."""
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), at, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=tz)
    return candidate.astimezone(UTC)


def _ceil_minute(moment: datetime) -> datetime:
    seconds = moment.timestamp()
    return datetime.fromtimestamp(math.ceil(seconds / 60) * 60, tz=UTC)


class CommandService:
    """Answers `/calls`, the alert buttons and the Home tab from memory, as view models."""

    def __init__(
        self,
        *,
        state: RuntimeState,
        controls: Controls,
        clock: Clock,
        source: CallSource,
        authorizer: Authorizer,
        context: ContextService | None = None,
    ) -> None:
        self.state = state
        self._controls = controls
        self._clock = clock
        self._source = source
        self._authorizer = authorizer
        self._context = context

    def now(self) -> datetime:
        return self._clock.now()

    @property
    def operations(self) -> tuple[str, ...]:
        """The configured operation names, which the parser recognises in a command."""
        return tuple(self.state.operations)

    # ---- reading -----------------------------------------------------------------------

    def scope(self, operation: str | None) -> Scope | NoticeView:
        """The operations a command is about: the named one, else all of them."""
        ops = self.state.operations
        if operation is None:
            return list(ops.values())
        found = ops.get(operation) or next(
            (op for key, op in ops.items() if key.casefold() == operation.casefold()), None
        )
        if found is None:
            return NoticeView(NoticeKind.UNKNOWN_OPERATION, operation, tuple(sorted(ops)))
        return [found]

    def data_version(self, scope: Sequence[OperationRuntime]) -> tuple[object, ...]:
        """What a last10 reply reads from memory, to be compared by identity.

        Every poll replaces the operation's frozen `PollState` in the same synchronous
        step that ingests its records into the log and replaces its recent calls, so a
        PollState object stands for one version of the operation's data (a failed poll
        replaces it too: the reply shows the error). A cache entry holds these objects,
        so an identity cannot be reused by a new object while it is compared.
        """
        state = self.state
        version: list[object] = [state.log]
        for op in scope:
            version += (op, op.poll, state.recent.get(op.name))
        return tuple(version)

    def health(self, scope: Sequence[OperationRuntime], now: datetime) -> list[PollHealth]:
        """Per operation, whether its data is stale or missing and the last poll's error."""
        return [
            PollHealth(
                operation=op.name,
                tz=op.tz.key,
                stale=stale_info(op, now),
                never_succeeded=op.poll.last_success_at is None,
                last_error=op.poll.last_error,
                last_error_kind=op.poll.last_error_kind,
            )
            for op in scope
        ]

    def last10(
        self, command: ct.Last10, scope: Sequence[OperationRuntime], now: datetime
    ) -> list[Last10View | NoticeView]:
        """One view per operation in `scope`, or the notice saying why it has none."""
        return [
            last10_view(self.state, op, window=command.window, call_type=command.call_type, now=now)
            for op in scope
        ]

    def status(self, scope: Sequence[OperationRuntime], now: datetime) -> StatusView:
        return status_view(self.state, scope, source=self._source, now=now)

    def alerts(self, scope: Sequence[OperationRuntime], now: datetime) -> AlertsView:
        return alerts_view(self.state, scope, now=now)

    def rules(self, scope: Sequence[OperationRuntime], now: datetime) -> RulesView:
        return rules_view(self.state, scope, now=now)

    def home(self, now: datetime) -> HomeView:
        return home_view(self.state, now=now)

    def home_queues(self, now: datetime) -> list[ContextReply]:
        """Each operation's latest queues for the Home tab (never fetched for it)."""
        return home_queues(self.state, self._context, now)

    async def context(
        self, command: ct.Queues | ct.Agents, scope: Sequence[OperationRuntime]
    ) -> list[ContextReply]:
        """`/calls queues` or `/calls agents`: each operation's latest (or refreshed) reading."""
        return await context_replies(command, scope, context=self._context, clock=self._clock)

    async def history(self, command: ct.History) -> HistoryView | NoticeView:
        """`/calls history`: read from the store's record (a local read, never Wolkvox)."""
        scope = self.scope(command.operation)
        if isinstance(scope, NoticeView):
            return scope
        rule = self._rule(command.rule, scope) if command.rule else None
        if isinstance(rule, NoticeView):
            return rule
        operation = scope[0].name if command.operation is not None else None
        now = self._clock.now()
        page = await self._controls.history(
            since=now - command.period, rule=rule, operation=operation, limit=HISTORY_LIMIT
        )
        return history_view(self.state, page, now=now, asked=command, operation=operation)

    def audit_backtest(self, command: ct.Backtest, *, actor: str) -> None:
        """The audit line of a `/calls backtest` (never the candidate values typed)."""
        audit(
            "backtest",
            actor=actor,
            rule=command.rule,
            operation=command.operation,
            window_s=int(command.window.total_seconds()),
            candidates=len(command.changes),
            via="command",
        )

    # ---- changing ----------------------------------------------------------------------

    async def press(
        self, button: Button, incident_id: str, *, user: str
    ) -> ActionResultView | NoticeView:
        """A click on an alert message's button, about the incident it carries."""
        target = self._incident(incident_id)
        if isinstance(target, NoticeView):
            return target
        rule, operation = target
        action = "ack" if button is Button.ACKNOWLEDGE else "silence"
        if not await self._authorizer.allowed(user):
            audit(
                action, actor=user, outcome="refused", rule=rule, operation=operation, via="button"
            )
            return ActionResultView(ActionKind.NOT_ALLOWED, user, rule, operation)
        if button is Button.ACKNOWLEDGE:
            result = await self._controls.acknowledge(by=user, incident_id=incident_id)
        else:
            now = self._clock.now()
            if button is Button.SILENCE_1H:
                until = self._double_click(rule, operation, _ceil_minute(now + SILENCE_BUTTON))
            else:
                until = next_local_time(now, MORNING, self.state.operation(operation).tz)
            result = await self._controls.silence(
                rule=rule, operation=operation, until=until, by=user
            )
        _audit_result(action, result, actor=user, via="button")
        return result

    async def control(
        self, command: ct.Silence | ct.Unsilence | ct.Ack, *, user: str
    ) -> ActionResultView | NoticeView:
        """`/calls silence|unsilence|ack`: what was done, or why nothing was."""
        action = _ACTIONS[type(command)]
        if not await self._authorizer.allowed(user):
            audit(
                action,
                actor=user,
                outcome="refused",
                rule=command.rule,
                operation=command.operation,
                via="command",
            )
            return NoticeView(NoticeKind.NOT_ALLOWED)
        scope = self.scope(command.operation)
        if isinstance(scope, NoticeView):
            return scope
        rule = self._rule(command.rule, scope)
        if isinstance(rule, NoticeView):
            return rule
        operation = scope[0].name if command.operation is not None else None
        if isinstance(command, ct.Ack):
            result = await self._controls.acknowledge(by=user, rule=rule, operation=operation)
        elif isinstance(command, ct.Unsilence):
            result = await self._controls.unsilence(rule=rule, operation=operation, by=user)
        else:
            result = await self._controls.silence(
                rule=rule,
                operation=operation,
                until=self._until(command, rule, scope),
                by=user,
                reason=command.reason,
            )
        _audit_result(action, result, actor=user, via="command")
        return result

    def _until(self, command: ct.Silence, rule: str, scope: Scope) -> datetime:
        now = self._clock.now()
        if command.until is None:
            return now + (command.duration or SILENCE_BUTTON)
        op = next((o for o in scope if o.rule(rule) is not None), scope[0])
        return next_local_time(now, command.until, op.tz)

    def _double_click(self, rule: str, operation: str, until: datetime) -> datetime:
        """A second click on "Silence 1 h" a moment later keeps the first silence."""
        for silence in self.state.silences.active(self._clock.now()):
            same = silence.rule == rule and silence.operation == operation
            if same and until - _DOUBLE_CLICK <= silence.ends_at <= until + _DOUBLE_CLICK:
                return silence.ends_at
        return until

    # ---- names -------------------------------------------------------------------------

    def _rule(self, rule: str, scope: Scope) -> str | NoticeView:
        names = list(dict.fromkeys(spec.name for op in scope for spec in op.rules))
        if rule in names:
            return rule
        folded = next((n for n in names if n.casefold() == rule.casefold()), None)
        if folded is not None:
            return folded
        return NoticeView(NoticeKind.UNKNOWN_RULE, rule, tuple(names))

    def _incident(self, incident_id: str) -> tuple[str, str] | NoticeView:
        """(rule, operation) of the incident a button carries."""
        alert = self.state.alerts.find_incident(incident_id)
        if alert is not None:
            rule, operation = alert.rule, alert.operation
        else:
            parts = incident_id.split(":")
            if len(parts) != 3:
                return NoticeView(NoticeKind.UNKNOWN_RULE, incident_id[:80])
            rule, operation = parts[0], parts[1]
        op = self.state.operations.get(operation)
        if op is None or op.rule(rule) is None:
            return NoticeView(NoticeKind.UNKNOWN_RULE, rule)
        return rule, operation


_ACTIONS: dict[type, str] = {ct.Ack: "ack", ct.Silence: "silence", ct.Unsilence: "unsilence"}
"""The audit trail's name for each command that changes what the bot says."""


def _audit_result(action: str, result: ActionResultView, *, actor: str, via: str) -> None:
    """One audit line per person's action, with its outcome (`silenced`, `not_firing`...).

    The reason a person typed is kept with the silence, not in the logs: it is free text.
    """
    audit(
        action,
        actor=actor,
        outcome=result.kind.value,
        rule=result.rule,
        operation=result.operation,
        until=result.until.isoformat() if result.until is not None else None,
        via=via,
    )
