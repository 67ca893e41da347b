"""The configuration the services read, as Protocols the typed settings satisfy.

Services do not import bot.config: they read the few values below, and the composition
root hands them the validated settings (bot.config.model), which match these shapes.
A service that needs another setting adds it here, where every such dependency is seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.specs import RuleSpec


class OperationConfig(Protocol):
    """One contact-center operation as configured."""

    @property
    def name(self) -> str: ...

    @property
    def timezone(self) -> ZoneInfo: ...

    @property
    def channel(self) -> str:
        """Where its alerts go unless a rule names another channel."""
        ...

    @property
    def poll_every(self) -> timedelta: ...

    @property
    def context(self) -> tuple[str, ...]:
        """What an alert on inbound calls shows from Wolkvox (`queues`, `agents`)."""
        ...

    @property
    def context_every(self) -> timedelta:
        """How old queue/agent context may get before it is fetched again."""
        ...

    @property
    def polls_skills(self) -> bool:
        """Whether a `queue` rule watches this operation, so `skills` is polled for it."""
        ...

    @property
    def skills_period(self) -> timedelta:
        """How often `skills` is polled when queue rules need it."""
        ...

    @property
    def skills_polled(self) -> timedelta | None:
        """The `skills` polling period, or None when no queue rule needs it (budget)."""
        ...


class BotConfig(Protocol):
    """The whole configuration, as far as the services read it."""

    @property
    def operations(self) -> Sequence[OperationConfig]: ...

    @property
    def storm_threshold(self) -> int: ...

    @property
    def storm_window(self) -> timedelta: ...

    @property
    def history_days(self) -> int: ...

    def rules_for(self, operation_name: str) -> tuple[RuleSpec, ...]:
        """Every rule that watches the operation, the built-in `wolkvox-unavailable` first."""
        ...
