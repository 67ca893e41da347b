"""`/calls queues` and `/calls agents`: answered from the latest snapshot, refreshed sparingly.

A snapshot younger than the context period is answered at once. An older one
is refreshed when the budget allows; that request may take longer than the 3 s
Slack waits, in which case the Slack adapter answers through the response_url
(bot/adapters/slack/app.py shields every command). Operations are read side by
side; operations sharing a token still queue on it inside the client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.adapters.slack.blocks import Message
from bot.adapters.slack.blocks_context import (
    ContextReply,
    home_queue_blocks,
    render_agents,
    render_queues,
)
from bot.adapters.slack.blocks_kit import MAX_HOME_BLOCKS, divider
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services import command_parser as cp
from bot.services.context import ContextService, Reading
from bot.services.ports import Clock
from bot.services.state import OperationRuntime, RuntimeState


async def answer_context(
    command: cp.Queues | cp.Agents,
    scope: Sequence[OperationRuntime],
    *,
    context: ContextService | None,
    clock: Clock,
    lang: str,
    show_names: bool,
) -> Message:
    """The reply to `/calls queues` or `/calls agents` for the operations in `scope`."""
    if isinstance(command, cp.Queues):
        queues = await asyncio.gather(*(_queues(context, op.name) for op in scope))
        now = clock.now()
        replies = [
            ContextReply(operation=op.name, tz=op.tz.key, now=now, queues=reading)
            for op, reading in zip(scope, queues, strict=True)
        ]
        return render_queues(replies, lang)
    agents = await asyncio.gather(*(_agents(context, op.name) for op in scope))
    now = clock.now()
    replies = [
        ContextReply(operation=op.name, tz=op.tz.key, now=now, agents=reading)
        for op, reading in zip(scope, agents, strict=True)
    ]
    return render_agents(replies, lang, show_names=show_names)


async def _queues(context: ContextService | None, operation: str) -> Reading[QueueSnapshot]:
    return Reading(None) if context is None else await context.queues(operation)


async def _agents(context: ContextService | None, operation: str) -> Reading[AgentSnapshot]:
    return Reading(None) if context is None else await context.agents(operation)


def with_home_queues(
    view: dict[str, Any],
    state: RuntimeState,
    context: ContextService | None,
    now: datetime,
    lang: str,
) -> dict[str, Any]:
    """The Home tab with each operation's latest queues added (never fetched for it)."""
    if context is None:
        return view
    extra: list[dict[str, Any]] = []
    for op in state.operations.values():
        extra += home_queue_blocks(op.name, context.latest_queues(op.name), op.tz.key, now, lang)
    room = MAX_HOME_BLOCKS - len(view["blocks"])
    if extra and room > 1:
        view["blocks"] = [*view["blocks"], divider(), *extra[: room - 1]]
    return view
