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
from dataclasses import dataclass
from datetime import datetime

from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services import command_types as ct
from bot.services.context import ContextService, Reading
from bot.services.ports import Clock
from bot.services.state import OperationRuntime, RuntimeState


@dataclass(frozen=True, slots=True)
class ContextReply:
    """One operation's reading for a `/calls queues` or `/calls agents` answer (or for
    the Home tab's queues): `now` is the moment the answer describes, in `tz`."""

    operation: str
    tz: str
    now: datetime
    queues: Reading[QueueSnapshot] | None = None
    agents: Reading[AgentSnapshot] | None = None


async def context_replies(
    command: ct.Queues | ct.Agents,
    scope: Sequence[OperationRuntime],
    *,
    context: ContextService | None,
    clock: Clock,
) -> list[ContextReply]:
    """The readings that answer `/calls queues` or `/calls agents` for the operations in
    `scope`, one per operation, in order."""
    if isinstance(command, ct.Queues):
        queues = await asyncio.gather(*(_queues(context, op.name) for op in scope))
        now = clock.now()
        return [
            ContextReply(operation=op.name, tz=op.tz.key, now=now, queues=reading)
            for op, reading in zip(scope, queues, strict=True)
        ]
    agents = await asyncio.gather(*(_agents(context, op.name) for op in scope))
    now = clock.now()
    return [
        ContextReply(operation=op.name, tz=op.tz.key, now=now, agents=reading)
        for op, reading in zip(scope, agents, strict=True)
    ]


async def _queues(context: ContextService | None, operation: str) -> Reading[QueueSnapshot]:
    return Reading(None) if context is None else await context.queues(operation)


async def _agents(context: ContextService | None, operation: str) -> Reading[AgentSnapshot]:
    return Reading(None) if context is None else await context.agents(operation)


def home_queues(
    state: RuntimeState, context: ContextService | None, now: datetime
) -> list[ContextReply]:
    """Each operation's latest queues for the Home tab (never fetched for it); none at
    all without a context service."""
    if context is None:
        return []
    return [
        ContextReply(
            operation=op.name,
            tz=op.tz.key,
            now=now,
            queues=Reading(context.latest_queues(op.name)),
        )
        for op in state.operations.values()
    ]
