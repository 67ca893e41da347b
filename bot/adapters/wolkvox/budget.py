"""The daily call budget per token, counted by the client before anything is sent.

Wolkvox allows licences x 1000 calls a day and then refuses the token until
the next day, which would blind the bot for hours. Counting locally lets the
client refuse the call that would overspend, with the arithmetic, and lets the
store persist the counters so a restart does not forget what was spent. Each
counter is the domain's DayBudget of one token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.adapters.wolkvox.errors import QuotaExceededError
from bot.adapters.wolkvox.target import CALLS_PER_LICENSE, WolkvoxTarget
from bot.domain.day_budget import DayBudget


def local_day(target: WolkvoxTarget, now: datetime) -> date:
    return now.astimezone(target.zone).date()


def next_local_midnight(target: WolkvoxTarget, now: datetime) -> datetime:
    """When the operation's next local day starts, as aware UTC."""
    tomorrow = local_day(target, now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=target.zone).astimezone(UTC)


class CallBudget:
    """Counters of calls per token and local day; not thread-safe (one event loop).

    A counter's `limit` is the one it was last counted against; `status` always reads
    the target's own, so a reloaded configuration (more licences) applies at once.
    """

    def __init__(self) -> None:
        self._counts: dict[str, DayBudget] = {}

    def status(self, target: WolkvoxTarget, now: datetime) -> DayBudget:
        day = local_day(target, now)
        count = self._counts.get(target.budget_key)
        used = count.used if count is not None and count.day == day else 0
        return DayBudget(day=day, used=used, limit=target.daily_limit)

    def charge(self, target: WolkvoxTarget, now: datetime) -> DayBudget:
        """Count one call, or raise QuotaExceededError without counting if none is left."""
        current = self.status(target, now)
        if current.used >= current.limit:
            raise self._refusal(target, now, current)
        charged = replace(current, used=current.used + 1)
        self._counts[target.budget_key] = charged
        return charged

    def exhaust(self, target: WolkvoxTarget, now: datetime) -> None:
        """Wolkvox said the quota is spent: refuse locally for the rest of the day."""
        current = self.status(target, now)
        self._counts[target.budget_key] = replace(current, used=max(current.used, current.limit))

    def snapshot(self) -> dict[str, DayBudget]:
        return dict(self._counts)

    def restore(self, counts: Mapping[str, DayBudget]) -> None:
        """Load persisted counters; a counter of a past day is simply ignored when read."""
        for key, count in counts.items():
            known = self._counts.get(key)
            if known is None or (count.day, count.used) > (known.day, known.used):
                self._counts[key] = count

    @staticmethod
    def _refusal(target: WolkvoxTarget, now: datetime, current: DayBudget) -> QuotaExceededError:
        resumes_at = next_local_midnight(target, now)
        local_resume = resumes_at.astimezone(target.zone)
        reserved = (
            f" - {target.reserved_calls} reserved for other integrations"
            if target.reserved_calls
            else ""
        )
        return QuotaExceededError(
            f"the daily budget of Wolkvox calls is spent: {current.used} of {current.limit} "
            f"used on {current.day} ({target.licenses} licence(s) x {CALLS_PER_LICENSE}"
            f"{reserved}); the call was not sent. Polling resumes at "
            f"{local_resume:%Y-%m-%d %H:%M} {target.timezone}.",
            resumes_at=resumes_at,
        )
