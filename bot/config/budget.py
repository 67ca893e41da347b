"""The daily request budget: what polling costs against what the licences allow.

Wolkvox allows licences x 1000 API calls a day, shared with every other
integration of the operation, so the bot keeps a share (`budget_reserve`) free
and refuses a configuration whose polling would spend more than the rest.
The cost is a sum over every API the bot polls, so adding one (agents,
skills) is a new line here, not a new rule elsewhere.

The arithmetic is the worst case. Every retry of a failed request is charged
like the first attempt, so a poll may cost up to the client's RequestPolicy
`attempts` calls (the same policy object the client retries by): the client
retries only as often as still fits the allowance (`BudgetPlan.attempts`, at least
the one first attempt). Operations that share a token (same server
and token) share one counter at Wolkvox, so their polling is summed against
one allowance (`token_budgets`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from bot.config.request_policy import DEFAULT_POLICY, RequestPolicy
from bot.domain.durations import format_duration
from bot.domain.polling import POLLED_APIS

CALLS_PER_LICENSE = 1000
DAY_SECONDS = 86400
SKILLS_API = "skills"
"""Polled every `skills_every` by an operation with `queue` rules (issue 15)."""


def calls_per_day(every: timedelta) -> int:
    """Polls in a day at period `every` (rounded up: a partial period still polls)."""
    return math.ceil(DAY_SECONDS / every.total_seconds())


def _n(value: int) -> str:
    return f"{value:,}"


def _pct(share: float) -> str:
    return f"{float(Decimal(str(share)) * 100):g}%"


@dataclass(frozen=True, slots=True)
class PolledApi:
    """One API an operation polls every `every`: `calls` a day, each charged."""

    api: str
    every: timedelta
    calls: int
    operation: str = ""


@dataclass(frozen=True, slots=True)
class BudgetPlan:
    """One token's daily cost (one operation's, or several sharing it) against its allowance:
    the worst-case plan a configuration is checked against before it runs. What the token
    has actually spent today is the domain's DayBudget.

    `cost` counts one request per poll; `worst_case` counts every retry the client may
    make (`attempts` per poll: the policy's, bounded so the worst case fits when the cost
    does).
    """

    operation: str
    lines: tuple[PolledApi, ...]
    licenses: int
    reserve: float
    policy: RequestPolicy = DEFAULT_POLICY

    @property
    def cost(self) -> int:
        return sum(line.calls for line in self.lines)

    @property
    def operations(self) -> tuple[str, ...]:
        """The operations sharing this budget's token, in configuration order."""
        return tuple(dict.fromkeys(line.operation or self.operation for line in self.lines))

    @property
    def attempts(self) -> int:
        """Requests a poll may make (the first and its retries) so the worst case still fits."""
        if self.cost <= 0:
            return self.policy.attempts
        return max(1, min(self.policy.attempts, self.available // self.cost))

    @property
    def worst_case(self) -> int:
        """Calls a day if every poll used all its attempts."""
        return self.cost * self.attempts

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
        if len(self.operations) > 1:
            names = " and ".join(self.operations)
            apis = len({line.api for line in self.lines}) > 1
            parts = " + ".join(
                f"{line.operation}{' ' + line.api if apis else ''} every "
                f"{format_duration(line.every)} = {_n(line.calls)}"
                for line in self.lines
            )
            return (
                f"operations {names} share one token (same server and token), so their polling "
                f"adds up: {parts} = {_n(self.cost)} calls a day"
            )
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
            share = self.worst_case / self.available if self.available else 0.0
            return (
                f"{self._cost_text()}; {self._allowance_text()}: fits, using {share:.0%} of it "
                f"at worst ({_n(self.cost)} x {self._attempts_text()} = "
                f"{_n(self.worst_case)}: every retry is charged)"
            )
        return f"{self._cost_text()}, but {self._allowance_text()}; {self._advice()}"

    def _attempts_text(self) -> str:
        if self.attempts == self.policy.attempts:
            return f"{self.attempts} attempts per poll"
        if self.attempts == 1:
            return "1 attempt per poll, no retries left to fit the allowance"
        return f"{self.attempts} attempts per poll, retries limited to fit the allowance"

    def _skills_advice(self) -> str:
        """For one operation whose calls fit but its `skills` polling does not: the
        slowest `skills_every` that fits, in whole polls."""
        calls = [line for line in self.lines if line.api != SKILLS_API]
        spare = self.available - sum(line.calls for line in calls)
        if len(self.operations) > 1 or len(calls) != 1 or spare <= 0:
            return ""
        poll = calls[0].every.total_seconds()
        polls = math.ceil(math.ceil(DAY_SECONDS / spare) / poll)
        return f"set skills_every to {format_duration(timedelta(seconds=polls * poll))} or more, "

    def _advice(self) -> str:
        per_api = self.available // max(len(self.lines), 1)
        lower = ", or lower budget_reserve" if self.reserve else ""
        if per_api <= 0:
            return f"nothing is left to poll with: add licences{lower}"
        seconds = math.ceil(DAY_SECONDS / per_api)
        if seconds >= 60:
            seconds = math.ceil(seconds / 60) * 60
        period = format_duration(timedelta(seconds=seconds))
        if len(self.operations) > 1:
            return (
                f"poll each every {period} or more, give each operation a token of its own, "
                f"add licences{lower}"
            )
        return f"{self._skills_advice()}poll every {period} or more, add licences{lower}"


def daily_budget(
    *,
    operation: str,
    poll_every: timedelta,
    licenses: int,
    reserve: float,
    skills_every: timedelta | None = None,
    policy: RequestPolicy = DEFAULT_POLICY,
) -> BudgetPlan:
    """The cost of polling every API in POLLED_APIS at `poll_every`, plus `skills` at
    `skills_every` for an operation with queue rules (None: it has none), with as many
    attempts per poll as `policy` allows."""
    lines = tuple(
        PolledApi(api, poll_every, calls_per_day(poll_every), operation) for api in POLLED_APIS
    )
    if skills_every is not None:
        lines += (PolledApi(SKILLS_API, skills_every, calls_per_day(skills_every), operation),)
    return BudgetPlan(
        operation=operation, lines=lines, licenses=licenses, reserve=reserve, policy=policy
    )


class Polled(Protocol):
    """What the budget needs of a configured operation."""

    @property
    def name(self) -> str: ...
    @property
    def server(self) -> str: ...
    @property
    def token_value(self) -> str: ...
    @property
    def poll_every(self) -> timedelta: ...
    @property
    def licenses(self) -> int: ...
    @property
    def budget_reserve(self) -> float: ...
    @property
    def skills_polled(self) -> timedelta | None: ...


def token_budgets(
    operations: Iterable[Polled], *, policy: RequestPolicy = DEFAULT_POLICY
) -> dict[str, BudgetPlan]:
    """Each operation's budget, summed with the operations that share its server and token,
    each poll counted at the attempts `policy` (the client's) allows.

    Wolkvox counts calls per token, so the allowance of a shared token is taken once:
    the smallest one left after its reserve among the sharing operations (the worst case).
    """
    groups: dict[tuple[str, str], list[Polled]] = {}
    for op in operations:
        groups.setdefault((op.server, op.token_value), []).append(op)
    budgets: dict[str, BudgetPlan] = {}
    for members in groups.values():
        own = [
            daily_budget(
                operation=op.name,
                poll_every=op.poll_every,
                licenses=op.licenses,
                reserve=op.budget_reserve,
                skills_every=op.skills_polled,
                policy=policy,
            )
            for op in members
        ]
        if len(own) == 1:
            budgets[members[0].name] = own[0]
            continue
        tightest = min(own, key=lambda b: b.available)
        lines = tuple(line for budget in own for line in budget.lines)
        for op in members:
            budgets[op.name] = BudgetPlan(
                operation=op.name,
                lines=lines,
                licenses=tightest.licenses,
                reserve=tightest.reserve,
                policy=policy,
            )
    return budgets
