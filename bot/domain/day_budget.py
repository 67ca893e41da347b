"""The Wolkvox calls an operation's token has spent today, against what it may spend.

Wolkvox allows licences x 1000 calls a day per token and then refuses it until the next
local day, which would blind the bot for hours. One record says where a token stands: the
client counts with it and refuses a call that would overspend, a poll cycle stores it (so a
restart does not forget what was spent), the metrics export it and the queue context asks
it whether a reading can still be afforded. The worst-case plan a configuration is checked
against is the other budget type, `bot.config.budget.BudgetPlan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class DayBudget:
    """Calls `used` on the operation's local `day` against its daily `limit` (the licences'
    allowance minus the reserve kept for other integrations)."""

    day: date
    used: int
    limit: int

    @property
    def remaining(self) -> int:
        """Calls still allowed today (never negative)."""
        return max(0, self.limit - self.used)
