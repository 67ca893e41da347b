"""The `/calls` frontend: Slack's requests in, the command service's view models rendered out.

Implements `bot.adapters.slack.ports.SlackFrontend` over `bot.services.commands.
CommandService`. This is the one place that turns a command's text into a typed
command, the service's answer into Block Kit in the configured language, and
knows `Reply`: the service decides, this module words it. `/calls last10`
replies are cached here (`reply_cache`), rendered once per data version and
clock face.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from bot.adapters.slack.blocks import (
    ACK_ACTION,
    SILENCE_1H_ACTION,
    SILENCE_TOMORROW_ACTION,
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
from bot.adapters.slack.blocks_context import home_queue_blocks, render_agents, render_queues
from bot.adapters.slack.blocks_history import render_history
from bot.adapters.slack.blocks_kit import MAX_HOME_BLOCKS, divider
from bot.adapters.slack.blocks_staleness import (
    no_data_error,
    staleness_blocks,
    store_lost_blocks,
    with_blocks,
)
from bot.adapters.slack.i18n import language as supported_language
from bot.adapters.slack.ports import ActionRequest, CommandRequest, Reply
from bot.adapters.slack.reply_cache import CachedReply, ReplyCache, clock_face
from bot.services import command_types as ct
from bot.services.command_parser import parse_command
from bot.services.commands import Button, CommandService
from bot.services.context_commands import ContextReply
from bot.services.state import OperationRuntime
from bot.services.views.replies import Last10View, NoticeView, PollHealth

BUTTONS: Final = {
    ACK_ACTION: Button.ACKNOWLEDGE,
    SILENCE_1H_ACTION: Button.SILENCE_1H,
    SILENCE_TOMORROW_ACTION: Button.SILENCE_UNTIL_MORNING,
}
"""The alert message's buttons, by the action id Slack sends back."""

BacktestReplier = Callable[[ct.Backtest, datetime, str], Awaitable[Message]]
"""Answers `/calls backtest` (the command, now, the reader's language). The replay is the
backtest's own work (bot.backtest.slack_reply.backtest_replier), which the composition
root hands in: an adapter does not reach for the modules that assemble the bot."""


def _reply(message: Message, *, public: bool = False) -> Reply:
    payload = message.to_payload()
    return Reply(text=payload["text"], blocks=payload["blocks"], in_channel=public)


class CallsFrontend:
    """Answers `/calls`, the alert buttons and the Home tab in Slack's terms."""

    def __init__(
        self,
        *,
        commands: CommandService,
        language: str,
        mask_personal_data: bool,
        backtest: BacktestReplier | None = None,
    ) -> None:
        """Without `backtest`, `/calls backtest` is answered as an unknown command."""
        self._commands = commands
        self._lang = supported_language(language)
        self._mask = mask_personal_data
        self._backtest_reply = backtest
        self._cache = ReplyCache()

    # ---- SlackFrontend ---------------------------------------------------------------

    async def on_command(self, request: CommandRequest) -> Reply:
        command = parse_command(request.text, operations=self._commands.operations)
        if isinstance(command, ct.Usage):
            return _reply(render_usage(command, self._lang))
        if isinstance(command, ct.Help):
            return _reply(render_help(self._lang), public=command.public)
        if isinstance(command, ct.Last10):
            cached = self._last10(command)
            if isinstance(cached, Reply):
                return cached
            return _reply(cached.message, public=cached.public)  # the caller's own copy
        if isinstance(command, ct.Status | ct.Alerts | ct.Rules):
            return self._overview(command)
        if isinstance(command, ct.Backtest):  # issue 13: CPU work in a thread, see slack_reply
            if self._backtest_reply is None:
                unknown = ct.Usage(ct.UsageReason.UNKNOWN_COMMAND, "backtest")
                return _reply(render_usage(unknown, self._lang))
            self._commands.audit_backtest(command, actor=request.user_id)
            message = await self._backtest_reply(command, self._commands.now(), self._lang)
            return _reply(message, public=command.public)
        if isinstance(command, ct.History):
            return await self._history(command)
        if isinstance(command, ct.Queues | ct.Agents):
            return await self._queues_or_agents(command)
        result = await self._commands.control(command, user=request.user_id)
        if isinstance(result, NoticeView):
            return self._notice(result)
        return _reply(render_thread_note(result, self._lang), public=command.public)

    def quick_reply(self, request: CommandRequest) -> Reply | None:
        """`on_command`'s reply to a `/calls last10` (which needs no waiting: the reply
        cache, or a render from memory), or None for any other command: what HTTP mode
        answers without Bolt's dispatch (command_route.py)."""
        command = parse_command(request.text, operations=self._commands.operations)
        if not isinstance(command, ct.Last10):
            return None
        cached = self._last10(command)
        return cached if isinstance(cached, Reply) else cached.reply

    async def on_action(self, request: ActionRequest) -> Reply | None:
        button = BUTTONS.get(request.action_id)
        if button is None:
            return None
        result = await self._commands.press(button, request.value, user=request.user_id)
        if isinstance(result, NoticeView):
            return self._notice(result)
        return _reply(render_thread_note(result, self._lang))

    async def home_view(self, user_id: str) -> dict[str, Any]:
        now = self._commands.now()
        home = self._commands.home(now)
        view = render_home(home, self._lang)
        lost = store_lost_blocks(self._commands.state.store_lost_since, now, home.tz, self._lang)
        view["blocks"] = [*view["blocks"][:2], *lost, *view["blocks"][2:]]
        return self._with_home_queues(view, self._commands.home_queues(now))

    # ---- replies -----------------------------------------------------------------------

    def _notice(self, notice: NoticeView) -> Reply:
        return _reply(render_notice(notice, self._lang))

    def _notice_message(self, notice: NoticeView, health: PollHealth) -> Message:
        """A notice, with the last error when polls have been failing from the start."""
        message = render_notice(notice, self._lang)
        extra = no_data_error(notice, health, self._lang)
        return with_blocks(message, extra, at=len(message.blocks), lang=self._lang)

    def _last10(self, command: ct.Last10) -> Reply | CachedReply:
        """The cached reply to `command` (rendered now if need be), or a notice."""
        scope = self._commands.scope(command.operation)
        if isinstance(scope, NoticeView):
            return self._notice(scope)
        now = self._commands.now()
        if self._commands.state.store_lost_since is not None:  # marked, never cached
            message, public = self._render_last10(command, scope, now)
            return _reply(self._if_store_lost(message, scope, now), public=public)
        names = tuple(op.name for op in scope)
        key = (names, command.call_type, command.window, self._lang, command.public)
        data = self._commands.data_version(scope)
        face = clock_face(scope, now)
        cached = self._cache.get(key, data=data, face=face)
        if cached is None:
            message, public = self._render_last10(command, scope, now)
            cached = CachedReply(data, face, message, public, _reply(message, public=public))
            self._cache.put(key, cached)
        return cached

    def _if_store_lost(
        self, message: Message, scope: list[OperationRuntime], now: datetime
    ) -> Message:
        """`message` with the lost-database line while the store does not answer."""
        since = self._commands.state.store_lost_since
        tz = scope[0].tz.key if scope else "UTC"
        lost = store_lost_blocks(since, now, tz, self._lang)
        return with_blocks(message, lost, at=1, lang=self._lang)

    def _render_last10(
        self, command: ct.Last10, scope: list[OperationRuntime], now: datetime
    ) -> tuple[Message, bool]:
        results = self._commands.last10(command, scope, now)
        views = [r for r in results if isinstance(r, Last10View)]
        healths = self._commands.health(scope, now)
        notices = [
            self._notice_message(r, health)
            for health, r in zip(healths, results, strict=True)
            if isinstance(r, NoticeView)
        ]
        if not views:
            return notices[0], False
        message = render_last10(views, self._lang, mask_personal_data=self._mask)
        extra = [block for notice in notices for block in notice.blocks]
        return with_blocks(message, extra, at=len(message.blocks), lang=self._lang), command.public

    def _overview(self, command: ct.Status | ct.Alerts | ct.Rules) -> Reply:
        scope = self._commands.scope(command.operation)
        if isinstance(scope, NoticeView):
            return self._notice(scope)
        now = self._commands.now()
        if isinstance(command, ct.Status):
            status = render_status(self._commands.status(scope, now), self._lang)
            return _reply(self._if_store_lost(status, scope, now), public=command.public)
        if isinstance(command, ct.Alerts):
            message = render_alerts(self._commands.alerts(scope, now), self._lang)
        else:
            message = render_rules(self._commands.rules(scope, now), self._lang)
        stale = staleness_blocks(self._commands.health(scope, now), now, self._lang)
        message = with_blocks(message, stale, at=2, lang=self._lang)
        return _reply(self._if_store_lost(message, scope, now), public=command.public)

    async def _history(self, command: ct.History) -> Reply:
        view = await self._commands.history(command)
        if isinstance(view, NoticeView):
            return self._notice(view)
        return _reply(render_history(view, self._lang), public=command.public)

    async def _queues_or_agents(self, command: ct.Queues | ct.Agents) -> Reply:
        scope = self._commands.scope(command.operation)
        if isinstance(scope, NoticeView):
            return self._notice(scope)
        replies = await self._commands.context(command, scope)
        if isinstance(command, ct.Queues):
            message = render_queues(replies, self._lang)
        else:
            message = render_agents(replies, self._lang, show_names=not self._mask)
        return _reply(message, public=command.public)

    def _with_home_queues(
        self, view: dict[str, Any], replies: list[ContextReply]
    ) -> dict[str, Any]:
        """The Home tab with each operation's latest queues added (never fetched for it)."""
        extra = [block for reply in replies for block in home_queue_blocks(reply, self._lang)]
        room = MAX_HOME_BLOCKS - len(view["blocks"])
        if extra and room > 1:
            view["blocks"] = [*view["blocks"], divider(), *extra[: room - 1]]
        return view
