"""Which lease covers an operation: one per Wolkvox token, across replicas (issue 14).

Wolkvox serves one request at a time per token, so the operations that share a token
(same server and token: `token_budgets`) are polled under one lease, held by one replica.
The lease is named by the first of those operations by name, never by the token, so no
token reaches the lease table, the logs or the metrics. An operation alone on its token
is its own group, its lease named after it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.config.budget import Polled, token_budgets


def lease_groups(operations: Iterable[Polled]) -> dict[str, str]:
    """operation -> the key of the lease that covers it (its token group's first name)."""
    keys: dict[str, str] = {}
    for name, budget in token_budgets(operations).items():
        keys[name] = min(budget.operations)
    return keys


class LeaseGroups:
    """The lease keys of the running configuration, followed across reloads: `key` is the
    `group_of` callable the leadership and the store's fencing ask (the composition root
    hands it over, and `follow` is told of every reloaded configuration)."""

    def __init__(self, operations: Iterable[Polled]) -> None:
        self._keys = lease_groups(operations)

    def follow(self, operations: Iterable[Polled]) -> None:
        """A reloaded configuration: tokens may now be shared, or no longer."""
        self._keys = lease_groups(operations)

    def key(self, operation: str) -> str:
        """The lease key of `operation` (an unknown one, being removed, is its own)."""
        return self._keys.get(operation, operation)
