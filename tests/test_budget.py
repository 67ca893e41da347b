"""check-config's budget is the worst case: retries charged, shared tokens summed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.source import WolkvoxCallSource
from bot.config.budget import token_budgets
from bot.config.request_policy import DEFAULT_POLICY, RequestPolicy
from bot.settings import parse_settings

TOKEN = "tok-5e1f-SECRET-9c7d"
T0 = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)


def operations(*specs: tuple[str, str, str, int]) -> str:
    """(name, server, token, licences) at poll_every 2m each."""
    items = "".join(
        f"  - {{name: {name}, server: '{server}', token: {token}, licenses: {licenses}, "
        f"channel: C0123456789, poll_every: 2m}}\n"
        for name, server, token, licenses in specs
    )
    return f"defaults: false\noperations:\n{items}"


@pytest.mark.parametrize(
    ("licenses", "attempts", "text"),
    [
        (10, 4, "fits, using 36% of it at worst (720 x 4 attempts per poll = 2,880"),
        (2, 2, "720 x 2 attempts per poll, retries limited to fit the allowance = 1,440"),
        (1, 1, "720 x 1 attempt per poll, no retries left to fit the allowance = 720"),
    ],
)
def test_retries_are_charged_and_limited_to_what_fits(
    licenses: int, attempts: int, text: str
) -> None:
    settings = parse_settings(operations(("bogota", "0004", TOKEN, licenses)), source="t.yml")
    budget = token_budgets(settings.operations)["bogota"]
    assert budget.attempts == attempts <= DEFAULT_POLICY.attempts
    assert budget.worst_case == 720 * attempts <= budget.available
    assert text in budget.explain()
    assert TOKEN not in budget.explain()


def test_operations_sharing_server_and_token_are_summed_against_one_allowance() -> None:
    text = operations(("bogota", "0004", TOKEN, 10), ("medellin", "0004", TOKEN, 10))
    budgets = token_budgets(parse_settings(text, source="t.yml").operations)
    assert budgets["bogota"].cost == budgets["medellin"].cost == 1440
    assert budgets["bogota"].attempts == 4  # 1,440 x 4 = 5,760 <= 8,000
    assert "operations bogota and medellin share one token" in budgets["bogota"].explain()


@pytest.mark.parametrize(
    ("other_server", "other_token"),
    [("0068", TOKEN), ("0004", "tok-other-token")],
    ids=["another server", "another token"],
)
def test_operations_on_another_server_or_token_have_their_own_allowance(
    other_server: str, other_token: str
) -> None:
    text = operations(("bogota", "0004", TOKEN, 1), ("medellin", other_server, other_token, 1))
    budgets = token_budgets(parse_settings(text, source="t.yml").operations)
    assert budgets["bogota"].cost == budgets["medellin"].cost == 720
    assert "share" not in budgets["bogota"].explain()


async def test_the_client_is_given_the_attempts_the_budget_allows() -> None:
    text = operations(("bogota", "0004", TOKEN, 1), ("cali", "0005", "tok-cali-token", 10))
    settings = parse_settings(text, source="t.yml")
    async with WolkvoxClient(clock=ManualClock(T0)) as client:
        source = WolkvoxCallSource(client=client, operations=settings.operations)
        assert source._targets["bogota"].attempts == 1
        assert source._targets["cali"].attempts == 4


async def test_a_reloaded_configuration_recomputes_the_attempts() -> None:
    first = parse_settings(operations(("bogota", "0004", TOKEN, 10)), source="t.yml")
    async with WolkvoxClient(clock=ManualClock(T0)) as client:
        source = WolkvoxCallSource(client=client, operations=first.operations)
        assert source._targets["bogota"].attempts == 4
        fewer = parse_settings(operations(("bogota", "0004", TOKEN, 1)), source="t.yml")
        source.set_operations(fewer.operations)
        assert source._targets["bogota"].attempts == 1


async def test_the_budget_counts_the_attempts_of_the_clients_own_policy() -> None:
    """One policy object: a client allowed two attempts is budgeted at two, never four."""
    settings = parse_settings(operations(("cali", "0005", TOKEN, 10)), source="t.yml")
    policy = RequestPolicy(attempts=2)
    budget = token_budgets(settings.operations, policy=policy)["cali"]
    assert budget.worst_case == 720 * 2
    assert "(720 x 2 attempts per poll = 1,440: every retry is charged)" in budget.explain()
    async with WolkvoxClient(clock=ManualClock(T0), policy=policy) as client:
        source = WolkvoxCallSource(client=client, operations=settings.operations)
        assert source._targets["cali"].attempts == 2
