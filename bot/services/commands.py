"""The `/calls` use cases, the alert buttons and the Home tab, behind the Slack listeners.

Implements `bot.adapters.slack.ports.SlackFrontend`. Slack waits 3 seconds for
a command's answer, and Wolkvox may take a minute: every answer is built from
the running state the last poll left (see commands_views), never from a
request made while Slack waits. Changing what the bot says in a channel
(silence, unsilence, acknowledge) is checked against the `Authorizer` first,
then done by the shared `Controls`, which record it in the incident's thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.adapters.slack.blocks import (
    ACK_ACTION,
    SILENCE_1H_ACTION,
    SILENCE_TOMORROW_ACTION,
    Block,
    Message,
    render_alerts,
    render_help,
    render_home,
    render_last10,
    render_notice,
    render_rules,
    render_status,
    render_thread_note,
    render_usage,
)
from bot.adapters.slack.blocks_history import render_history
from bot.adapters.slack.blocks_kit import MAX_BLOCKS, cap, context, local_time, more_text, name
from bot.adapters.slack.blocks_parts import error_text
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.i18n import language as supported_language
from bot.adapters.slack.ports import ActionRequest, CommandRequest, Reply
from bot.adapters.slack.text import format_age
from bot.logevents import audit
from bot.services import command_parser as cp
from bot.services.authorization import AllowAll, AllowList, Authorizer
from bot.services.command_backtest import Backtest
from bot.services.commands_views import (
    alerts_view,
    home_view,
    last10_view,
    rules_view,
    stale_info,
    status_view,
)
from bot.services.context import ContextService
from bot.services.context_commands import answer_context, with_home_queues
from bot.services.control import Controls
from bot.services.history_views import HISTORY_LIMIT, history_view
from bot.services.ports import CallSource, Clock
from bot.services.state import OperationRuntime, RuntimeState
from bot.services.views import ActionKind, ActionResultView, Last10View, NoticeKind, NoticeView

__all__ = ["AllowAll", "AllowList", "Authorizer", "CommandService", "next_local_time"]

SILENCE_BUTTON = timedelta(hours=1)
MORNING = time(8, 0)
""""Silence until tomorrow 08:00": the next 08:00 in the operation's timezone."""
_DOUBLE_CLICK = timedelta(minutes=2)
REPLY_CACHE_SIZE = 64
"""Rendered `/calls last10` replies kept (one per scope, filter, window and visibility)."""


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


def _reply(message: Message, *, public: bool = False) -> Reply:
    payload = message.to_payload()
    return Reply(text=payload["text"], blocks=payload["blocks"], in_channel=public)


@dataclass(frozen=True, slots=True)
class _CachedReply:
    """A rendered `/calls last10` reply and what it was rendered from."""

    data: tuple[object, ...]
    face: tuple[object, ...]
    message: Message
    public: bool


def _data_version(state: RuntimeState, scope: list[OperationRuntime]) -> tuple[object, ...]:
    """What a last10 reply reads from memory, to be compared by identity (`_same`).

    Every poll replaces the operation's frozen `PollState` in the same synchronous
    step that ingests its records into the log and replaces its recent calls, so a
    PollState object stands for one version of the operation's data (a failed poll
    replaces it too: the reply shows the error). The cache entry holds these
    objects, so an identity cannot be reused by a new object while it is compared.
    """
    version: list[object] = [state.log]
    for op in scope:
        version += (op, op.poll, state.recent.get(op.name))
    return tuple(version)


def _same(cached: tuple[object, ...], current: tuple[object, ...]) -> bool:
    return len(cached) == len(current) and all(a is b for a, b in zip(cached, current, strict=True))


def _clock_face(scope: list[OperationRuntime], now: datetime) -> tuple[object, ...]:
    """Everything a last10 reply shows of `now`, per operation: the local minute and
    day (the "as of" time, and whether a call time needs its date), the poll's age as
    written, and whether the data is stale. Two moments with the same face get the
    same reply, so a burst of requests renders once."""
    face: list[object] = []
    for op in scope:
        local = now.astimezone(op.tz)
        end = op.poll.last_success_at
        age = format_age(now - end) if end is not None else None
        stale = stale_info(op, now) is not None
        face += (local.date(), local.hour, local.minute, local.utcoffset(), age, stale)
    return tuple(face)


class CommandService:
    """Answers `/calls`, the alert buttons and the Home tab from memory.

    A `/calls last10` reply is the same for everyone who asks about the same scope,
    filter and window until the next poll (it shows no one's own data), so it is
    rendered once and reused while the data version and what the reply shows of the
    clock are unchanged: a burst of requests in a busy channel costs one render.
    The other replies read silences, acknowledgements and the budget counter, which
    change between polls, and are rendered every time.
    """

    def __init__(
        self,
        *,
        state: RuntimeState,
        controls: Controls,
        clock: Clock,
        source: CallSource,
        language: str,
        mask_personal_data: bool,
        authorizer: Authorizer,
        context: ContextService | None = None,
    ) -> None:
        self._context = context
        self._state = state
        self._controls = controls
        self._clock = clock
        self._source = source
        self._lang = supported_language(language)
        self._mask = mask_personal_data
        self._authorizer = authorizer
        self._replies: dict[tuple[object, ...], _CachedReply] = {}

    # ---- SlackFrontend ---------------------------------------------------------------

    async def on_command(self, request: CommandRequest) -> Reply:
        command = cp.parse_command(request.text, operations=tuple(self._state.operations))
        if isinstance(command, cp.Usage):
            return _reply(render_usage(command, self._lang))
        if isinstance(command, cp.Help):
            return _reply(render_help(self._lang), public=command.public)
        if isinstance(command, cp.Last10):
            return self._last10(command)
        if isinstance(command, cp.Status | cp.Alerts | cp.Rules):
            return self._overview(command)
        if isinstance(command, Backtest):  # issue 13: CPU work in a thread, see slack_reply
            audit(
                "backtest",
                actor=request.user_id,
                rule=command.rule,
                operation=command.operation,
                window_s=int(command.window.total_seconds()),
                candidates=len(command.changes),
                via="command",
            )
            return _reply(await self._backtest(command), public=command.public)
        if isinstance(command, cp.History):
            return await self._history(command)
        if isinstance(command, cp.Queues | cp.Agents):
            return await self._queues_or_agents(command)
        return await self._control(command, request.user_id)

    async def on_action(self, request: ActionRequest) -> Reply | None:
        if request.action_id not in {ACK_ACTION, SILENCE_1H_ACTION, SILENCE_TOMORROW_ACTION}:
            return None
        target = self._incident(request.value)
        if isinstance(target, NoticeView):
            return _reply(render_notice(target, self._lang))
        rule, operation = target
        user = request.user_id
        action = "ack" if request.action_id == ACK_ACTION else "silence"
        if not await self._authorizer.allowed(user):
            audit(
                action, actor=user, outcome="refused", rule=rule, operation=operation, via="button"
            )
            view = ActionResultView(ActionKind.NOT_ALLOWED, user, rule, operation)
            return _reply(render_thread_note(view, self._lang))
        if request.action_id == ACK_ACTION:
            result = await self._controls.acknowledge(by=user, incident_id=request.value)
        else:
            now = self._clock.now()
            if request.action_id == SILENCE_1H_ACTION:
                until = self._double_click(rule, operation, _ceil_minute(now + SILENCE_BUTTON))
            else:
                until = next_local_time(now, MORNING, self._state.operation(operation).tz)
            result = await self._controls.silence(
                rule=rule, operation=operation, until=until, by=user
            )
        _audit_result(action, result, actor=user, via="button")
        return _reply(render_thread_note(result, self._lang))

    async def home_view(self, user_id: str) -> dict[str, Any]:
        now = self._clock.now()
        view = render_home(home_view(self._state, now=now), self._lang)
        return with_home_queues(view, self._state, self._context, now, self._lang)

    async def _queues_or_agents(self, command: cp.Queues | cp.Agents) -> Reply:
        scope = self._scope(command.operation)
        if isinstance(scope, NoticeView):
            return _reply(render_notice(scope, self._lang))
        message = await answer_context(
            command,
            scope,
            context=self._context,
            clock=self._clock,
            lang=self._lang,
            show_names=not self._mask,
        )
        return _reply(message, public=command.public)

    # ---- reading -----------------------------------------------------------------------

    def _last10(self, command: cp.Last10) -> Reply:
        scope = self._scope(command.operation)
        if isinstance(scope, NoticeView):
            return _reply(render_notice(scope, self._lang))
        now = self._clock.now()
        names = tuple(op.name for op in scope)
        key = (names, command.call_type, command.window, self._lang, command.public)
        data = _data_version(self._state, scope)
        face = _clock_face(scope, now)
        cached = self._replies.get(key)
        if cached is not None and cached.face == face and _same(cached.data, data):
            message, public = cached.message, cached.public
        else:
            message, public = self._render_last10(command, scope, now)
            self._replies.pop(key, None)
            self._replies[key] = _CachedReply(data, face, message, public)
            while len(self._replies) > REPLY_CACHE_SIZE:
                del self._replies[next(iter(self._replies))]
        return _reply(message, public=public)

    def _render_last10(
        self, command: cp.Last10, scope: list[OperationRuntime], now: datetime
    ) -> tuple[Message, bool]:
        results = [
            last10_view(
                self._state, op, window=command.window, call_type=command.call_type, now=now
            )
            for op in scope
        ]
        views = [r for r in results if isinstance(r, Last10View)]
        notices = [
            (op, r) for op, r in zip(scope, results, strict=True) if isinstance(r, NoticeView)
        ]
        if not views:
            op, notice = notices[0]
            return self._notice(notice, op), False
        message = render_last10(views, self._lang, mask_personal_data=self._mask)
        extra = [b for op, n in notices for b in self._notice(n, op).blocks]
        return self._with(message, extra, at=len(message.blocks)), command.public

    def _overview(self, command: cp.Status | cp.Alerts | cp.Rules) -> Reply:
        scope = self._scope(command.operation)
        if isinstance(scope, NoticeView):
            return _reply(render_notice(scope, self._lang))
        now = self._clock.now()
        if isinstance(command, cp.Status):
            view = status_view(self._state, scope, source=self._source, now=now)
            return _reply(render_status(view, self._lang), public=command.public)
        if isinstance(command, cp.Alerts):
            message = render_alerts(alerts_view(self._state, scope, now=now), self._lang)
        else:
            message = render_rules(rules_view(self._state, scope, now=now), self._lang)
        message = self._with(message, self._staleness(scope, now), at=2)
        return _reply(message, public=command.public)

    async def _history(self, command: cp.History) -> Reply:
        """`/calls history`: read from the store's record (a local read, never Wolkvox)."""
        scope = self._scope(command.operation)
        if isinstance(scope, NoticeView):
            return _reply(render_notice(scope, self._lang))
        rule = self._rule(command.rule, scope) if command.rule else None
        if isinstance(rule, NoticeView):
            return _reply(render_notice(rule, self._lang))
        operation = scope[0].name if command.operation is not None else None
        now = self._clock.now()
        page = await self._controls.history(
            since=now - command.period, rule=rule, operation=operation, limit=HISTORY_LIMIT
        )
        view = history_view(self._state, page, now=now, asked=command, operation=operation)
        return _reply(render_history(view, self._lang), public=command.public)

    def _notice(self, notice: NoticeView, op: OperationRuntime) -> Message:
        """A notice, with the last error when polls have been failing from the start."""
        message = render_notice(notice, self._lang)
        error = op.poll.last_error
        if notice.kind is not NoticeKind.NO_DATA_YET or not error:
            return message
        tr = Translator(self._lang)
        line = tr("stale_error", error=error_text(tr, op.poll.last_error_kind, error))
        return self._with(message, [context(line)], at=len(message.blocks))

    def _staleness(self, ops: list[OperationRuntime], now: datetime) -> list[Block]:
        """One line per operation whose data is stale, saying since when and why."""
        tr = Translator(self._lang)
        blocks: list[Block] = []
        for op in ops:
            stale = stale_info(op, now)
            if stale is not None:
                text = tr(
                    "stale",
                    since=local_time(stale.since, op.tz.key, now),
                    age=format_age(now - stale.since, tr.lang),
                )
            elif op.poll.last_success_at is None and op.poll.last_error:
                text = tr("notice.no_data_yet", subject=name(op.name))
            else:
                continue
            if len(ops) > 1:
                text = f"*{name(op.name)}*: {text}"
            if op.poll.last_error:
                error = error_text(tr, op.poll.last_error_kind, op.poll.last_error)
                text += "\n" + tr("stale_error", error=error)
            blocks.append(context(text))
        return blocks

    def _with(self, message: Message, extra: list[Block], *, at: int) -> Message:
        if not extra:
            return message
        blocks = [*message.blocks[:at], *extra, *message.blocks[at:]]
        capped = cap(blocks, max_blocks=MAX_BLOCKS, more=more_text(Translator(self._lang)))
        return Message(text=message.text, blocks=tuple(capped))

    async def _backtest(self, command: Backtest) -> Message:
        from bot.backtest.slack_reply import backtest_reply  # issue 13: replays, seconds

        return await backtest_reply(self._state, command, now=self._clock.now(), lang=self._lang)

    # ---- changing ----------------------------------------------------------------------

    async def _control(self, command: cp.Silence | cp.Unsilence | cp.Ack, user: str) -> Reply:
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
            return _reply(render_notice(NoticeView(NoticeKind.NOT_ALLOWED), self._lang))
        scope = self._scope(command.operation)
        if isinstance(scope, NoticeView):
            return _reply(render_notice(scope, self._lang))
        rule = self._rule(command.rule, scope)
        if isinstance(rule, NoticeView):
            return _reply(render_notice(rule, self._lang))
        operation = scope[0].name if command.operation is not None else None
        if isinstance(command, cp.Ack):
            result = await self._controls.acknowledge(by=user, rule=rule, operation=operation)
        elif isinstance(command, cp.Unsilence):
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
        return _reply(render_thread_note(result, self._lang), public=command.public)

    def _until(self, command: cp.Silence, rule: str, scope: list[OperationRuntime]) -> datetime:
        now = self._clock.now()
        if command.until is None:
            return now + (command.duration or SILENCE_BUTTON)
        op = next((o for o in scope if o.rule(rule) is not None), scope[0])
        return next_local_time(now, command.until, op.tz)

    def _double_click(self, rule: str, operation: str, until: datetime) -> datetime:
        """A second click on "Silence 1 h" a moment later keeps the first silence."""
        for silence in self._state.silences.active(self._clock.now()):
            same = silence.rule == rule and silence.operation == operation
            if same and until - _DOUBLE_CLICK <= silence.ends_at <= until + _DOUBLE_CLICK:
                return silence.ends_at
        return until

    # ---- names -------------------------------------------------------------------------

    def _scope(self, operation: str | None) -> list[OperationRuntime] | NoticeView:
        """The operations a command is about: the named one, else all of them."""
        ops = self._state.operations
        if operation is None:
            return list(ops.values())
        found = ops.get(operation) or next(
            (op for key, op in ops.items() if key.casefold() == operation.casefold()), None
        )
        if found is None:
            return NoticeView(NoticeKind.UNKNOWN_OPERATION, operation, tuple(sorted(ops)))
        return [found]

    def _rule(self, rule: str, scope: list[OperationRuntime]) -> str | NoticeView:
        names = list(dict.fromkeys(spec.name for op in scope for spec in op.rules))
        if rule in names:
            return rule
        folded = next((n for n in names if n.casefold() == rule.casefold()), None)
        if folded is not None:
            return folded
        return NoticeView(NoticeKind.UNKNOWN_RULE, rule, tuple(names))

    def _incident(self, incident_id: str) -> tuple[str, str] | NoticeView:
        """(rule, operation) of the incident a button carries."""
        alert = self._state.alerts.find_incident(incident_id)
        if alert is not None:
            rule, operation = alert.rule, alert.operation
        else:
            parts = incident_id.split(":")
            if len(parts) != 3:
                return NoticeView(NoticeKind.UNKNOWN_RULE, incident_id[:80])
            rule, operation = parts[0], parts[1]
        op = self._state.operations.get(operation)
        if op is None or op.rule(rule) is None:
            return NoticeView(NoticeKind.UNKNOWN_RULE, rule)
        return rule, operation


_ACTIONS: dict[type, str] = {cp.Ack: "ack", cp.Silence: "silence", cp.Unsilence: "unsilence"}
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
