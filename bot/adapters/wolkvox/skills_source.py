"""Wolkvox's `skills` and `agents` as the services' ContextSource.

Both go through the one shared WolkvoxClient, so they obey the same rules as
`calls_last_10`: one request in flight per token, callers of the same request
joined, every request charged to the token's daily budget before it is sent.
Errors become SourceErrors, as for calls, so services see no vendor types.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.envelope import Envelope
from bot.adapters.wolkvox.errors import QuotaExceededError, WolkvoxError
from bot.adapters.wolkvox.skills_mapping import SKILLS_PARAMS, map_agents, map_skills
from bot.adapters.wolkvox.source import target_of
from bot.config.model import OperationSettings
from bot.domain.queues import AgentSnapshot, QueueSnapshot
from bot.services.ports import SourceError


class WolkvoxContextSource:
    """Fetches an operation's queues (`skills&skill_id=all`) and agents (`agents`).

    `settings_of` looks the operation up when asked, so a reloaded configuration
    (new token, server) is used at once. Context is optional detail: one attempt,
    no retries, so a failing Wolkvox never costs more than one call per reading.
    """

    def __init__(
        self, *, client: WolkvoxClient, settings_of: Callable[[str], OperationSettings]
    ) -> None:
        self._client = client
        self._settings_of = settings_of

    async def queues(self, operation: str, now: datetime) -> QueueSnapshot:
        """Every queue of `operation` now; raises SourceError."""
        target = target_of(self._settings_of(operation), attempts=1)
        envelope = await _translated(self._client.fetch("skills", target, params=SKILLS_PARAMS))
        return map_skills(envelope, now)

    async def agents(self, operation: str, now: datetime) -> AgentSnapshot:
        """Every agent of `operation` now; raises SourceError."""
        target = target_of(self._settings_of(operation), attempts=1)
        envelope = await _translated(self._client.fetch("agents", target))
        return map_agents(envelope, now)


async def _translated(request: Awaitable[Envelope]) -> Envelope:
    try:
        return await request
    except WolkvoxError as exc:
        raise SourceError(
            str(exc),
            kind=exc.kind,
            transient=exc.transient,
            resumes_at=exc.resumes_at if isinstance(exc, QuotaExceededError) else None,
        ) from None
