"""Where calls come from: the Wolkvox client, as the services see it.

Services know no HTTP types: a failed poll reaches them as a `SourceError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from bot.domain.calls import CallRecord
from bot.domain.day_budget import DayBudget


class FetchedCalls(Protocol):
    """One successful calls_last_10 answer, already mapped to domain records."""

    @property
    def records(self) -> Sequence[CallRecord]: ...

    @property
    def skipped(self) -> Mapping[str, int]: ...

    @property
    def possibly_truncated(self) -> bool: ...

    @property
    def sent_at(self) -> datetime | None:
        """When the request that got this answer was sent (None: unknown, use the arrival)."""
        ...


class SourceError(Exception):
    """A poll that failed, as the services see it.

    `kind` is a short stable label (metrics, logs); `message` is safe to show a
    person (no secrets); `transient` says whether trying again may help;
    `stops_polling` says the operation cannot be polled until a person fixes
    its configuration (token refused, API missing); `resumes_at` says when a
    spent daily quota comes back.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        transient: bool,
        stops_polling: bool = False,
        resumes_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.transient = transient
        self.stops_polling = stops_polling
        self.resumes_at = resumes_at


class CallSource(Protocol):
    """Where calls come from: the Wolkvox client behind an operation name."""

    async def calls_last_10(self, operation: str) -> FetchedCalls:
        """Raises SourceError on failure."""
        ...

    def budget(self, operation: str, now: datetime) -> DayBudget: ...

    def restore_budget(self, operation: str, day: date, used: int) -> None: ...
