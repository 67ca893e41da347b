"""The Wolkvox client as the services' CallSource: operations by name, errors translated.

Translating here keeps the services free of HTTP and vendor types: a
WolkvoxError becomes a SourceError that says whether to retry and whether
polling must stop until a person fixes the token or the configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.errors import (
    ConfigurationError,
    QuotaExceededError,
    TokenMissingError,
    TokenRejectedError,
    WolkvoxError,
)
from bot.adapters.wolkvox.mapping import MappedBatch
from bot.adapters.wolkvox.target import CALLS_PER_LICENSE, WolkvoxTarget
from bot.config.budget import token_budgets
from bot.config.model import OperationSettings
from bot.domain.day_budget import DayBudget
from bot.services.ports import SourceError

_STOPS_POLLING = (ConfigurationError, TokenMissingError, TokenRejectedError)


def target_of(operation: OperationSettings, *, attempts: int | None = None) -> WolkvoxTarget:
    """The client's view of a configured operation (the reserve becomes reserved calls;
    `attempts` per poll as the worst-case budget allows, see bot.config.budget)."""
    allowance = operation.licenses * CALLS_PER_LICENSE
    return WolkvoxTarget(
        name=operation.name,
        server=operation.server,
        token=operation.token.reveal(),
        timezone=operation.timezone.key,
        licenses=operation.licenses,
        base_url=operation.base_url,
        reserved_calls=min(allowance - 1, int(allowance * operation.budget_reserve)),
        attempts=attempts,
    )


class WolkvoxCallSource:
    """Serves `calls_last_10` by operation name through one shared WolkvoxClient."""

    def __init__(self, *, client: WolkvoxClient, operations: Iterable[OperationSettings]) -> None:
        self._client = client
        self._targets: dict[str, WolkvoxTarget] = {}
        self.set_operations(operations)

    def set_operations(self, operations: Iterable[OperationSettings]) -> None:
        """The operations of a reloaded configuration (new tokens, servers, reserves), each
        with the attempts per poll its worst-case budget allows (shared tokens summed), counted
        with the client's own policy so the budget and the retries agree."""
        operations = tuple(operations)
        budgets = token_budgets(operations, policy=self._client.policy)
        self._targets = {
            op.name: target_of(op, attempts=budgets[op.name].attempts) for op in operations
        }

    async def calls_last_10(self, operation: str) -> MappedBatch:
        try:
            return await self._client.calls_last_10(self._targets[operation])
        except WolkvoxError as exc:
            raise SourceError(
                str(exc),
                kind=exc.kind,
                transient=exc.transient,
                stops_polling=isinstance(exc, _STOPS_POLLING),
                resumes_at=exc.resumes_at if isinstance(exc, QuotaExceededError) else None,
            ) from None

    def budget(self, operation: str, now: datetime) -> DayBudget:
        return self._client.budget(self._targets[operation], now)

    def restore_budget(self, operation: str, day: date, used: int) -> None:
        target = self._targets.get(operation)
        if target is not None:
            self._client.restore_budget(
                {target.budget_key: DayBudget(day=day, used=used, limit=target.daily_limit)}
            )
