"""How an operation's polling is going: one value, kept in memory and in the store alike.

The same object is shown by `/calls status` and `/healthz`, evaluated by the built-in
`wolkvox-unavailable` rule, and persisted by every poll cycle, so a restart remembers
why polling stopped, what the last error was and when the last attempt ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

POLLED_APIS: tuple[str, ...] = ("calls_last_10",)
"""Every Wolkvox API the bot polls on each operation's period (the budget charges each)."""


@dataclass(frozen=True, slots=True)
class PollState:
    """One operation's polling status.

    `stopped` holds the reason polling is paused until a person acts (a refused
    token); restarting the bot is such an act, so a restored state polls again.
    `last_skipped` counts unusable rows of the last successful poll.
    """

    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    consecutive_failures: int = 0
    last_duration: timedelta | None = None
    last_records: int = 0
    last_skipped: int = 0
    possibly_truncated: bool = False
    stopped: str | None = None

    def stale(self, now: datetime, poll_every: timedelta) -> bool:
        """Data older than two poll periods cannot be trusted as "now"."""
        return self.last_success_at is None or now - self.last_success_at > 2 * poll_every
