"""The daily request budget: what polling costs against what the licences allow.

Wolkvox allows licences x 1000 API calls a day, shared with every other
integration of the operation, so the bot keeps a share (`budget_reserve`) free
and refuses a configuration whose polling would spend more than the rest.
The cost is a sum over every API the bot polls, so adding one (agents,
skills) is a new line here, not a new rule elsewhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from bot.domain.durations import format_duration

CALLS_PER_LICENSE = 1000
DAY_SECONDS = 86400
POLLED_APIS: tuple[str, ...] = ("calls_last_10",)
"""Every Wolkvox API the bot polls on each operation's period."""


def calls_per_day(every: timedelta) -> int:
    """Polls in a day at period `every` (rounded up: a partial period still polls)."""
    return math.ceil(DAY_SECONDS / every.total_seconds())


def _n(value: int) -> str:
    return f"{value:,}"


def _pct(share: float) -> str:
    return f"{float(Decimal(str(share)) * 100):g}%"


@dataclass(frozen=True, slots=True)
class BudgetLine:
    api: str
    every: timedelta
    calls: int


@dataclass(frozen=True, slots=True)
class Budget:
    """One operation's daily cost against its allowance."""

    operation: str
    lines: tuple[BudgetLine, ...]
    licenses: int
    reserve: float

    @property
    def cost(self) -> int:
        return sum(line.calls for line in self.lines)

    @property
    def allowance(self) -> int:
        """What Wolkvox allows a day: licences x 1000."""
        return self.licenses * CALLS_PER_LICENSE

    @property
    def available(self) -> int:
        """What the bot may spend a day: the allowance minus the reserve (rounded down)."""
        return int(self.allowance * (1 - Decimal(str(self.reserve))))

    @property
    def fits(self) -> bool:
        return self.cost <= self.available

    def _allowance_text(self) -> str:
        licences = "licence" if self.licenses == 1 else "licences"
        head = f"{self.licenses} {licences} x {_n(CALLS_PER_LICENSE)} calls"
        if not self.reserve:
            return f"{head} allows {_n(self.available)} (no reserve)"
        return f"{head} leaves {_n(self.available)} after the {_pct(self.reserve)} reserve"

    def _cost_text(self) -> str:
        if len(self.lines) == 1:
            line = self.lines[0]
            return f"polling every {format_duration(line.every)} costs {_n(line.calls)} calls a day"
        parts = ", ".join(
            f"{line.api} every {format_duration(line.every)} = {_n(line.calls)}"
            for line in self.lines
        )
        return f"polling costs {_n(self.cost)} calls a day ({parts})"

    def explain(self) -> str:
        """The arithmetic as one sentence, for check-config and for the rejection."""
        if self.fits:
            share = self.cost / self.available if self.available else 0.0
            return f"{self._cost_text()}; {self._allowance_text()}: fits, using {share:.0%} of it"
        return f"{self._cost_text()}, but {self._allowance_text()}; {self._advice()}"

    def _advice(self) -> str:
        per_api = self.available // max(len(self.lines), 1)
        lower = ", or lower budget_reserve" if self.reserve else ""
        if per_api <= 0:
            return f"nothing is left to poll with: add licences{lower}"
        seconds = math.ceil(DAY_SECONDS / per_api)
        if seconds >= 60:
            seconds = math.ceil(seconds / 60) * 60
        period = format_duration(timedelta(seconds=seconds))
        return f"poll every {period} or more, add licences{lower}"


def daily_budget(*, operation: str, poll_every: timedelta, licenses: int, reserve: float) -> Budget:
    """The cost of polling every API in POLLED_APIS at `poll_every`."""
    lines = tuple(BudgetLine(api, poll_every, calls_per_day(poll_every)) for api in POLLED_APIS)
    return Budget(operation=operation, lines=lines, licenses=licenses, reserve=reserve)
