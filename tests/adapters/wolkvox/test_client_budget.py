"""The daily call budget as the client keeps it: counted per token, refused before sending."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import RequestOutcome, WolkvoxClient
from bot.adapters.wolkvox.errors import QuotaExceededError
from bot.domain.day_budget import DayBudget

from .conftest import NOW, TOKEN, FakeWolkvox, make_target, reply


def forbidden(msg: str) -> httpx.Response:
    return reply(403, {"code": 403, "error": "FORBIDDEN", "msg": msg})


async def test_the_call_that_would_exceed_the_budget_is_refused_before_sending(
    client: WolkvoxClient,
    wolkvox: FakeWolkvox,
    clock: ManualClock,
    outcomes: list[RequestOutcome],
) -> None:
    target = make_target(licenses=1, reserved_calls=998)
    await client.calls_last_10(target)
    await client.calls_last_10(target)

    with pytest.raises(QuotaExceededError) as caught:
        await client.calls_last_10(target)

    assert len(wolkvox.requests) == 2
    assert caught.value.transient is False
    assert caught.value.resumes_at == datetime(2026, 1, 20, 5, 0, tzinfo=UTC)
    message = str(caught.value)
    assert "2 of 2 used on 2026-01-19" in message
    assert "1 licence(s) x 1000 - 998 reserved for other integrations" in message
    assert "resumes at 2026-01-20 00:00 America/Bogota" in message
    assert outcomes[-1].kind == "quota_exceeded"

    clock.set(datetime(2026, 1, 20, 5, 0, tzinfo=UTC))
    await client.calls_last_10(target)
    assert len(wolkvox.requests) == 3
    assert client.budget(target, clock.now()).used == 1


async def test_retries_count_against_the_budget(
    client: WolkvoxClient, wolkvox: FakeWolkvox, clock: ManualClock
) -> None:
    target = make_target(licenses=1, reserved_calls=998)
    wolkvox.script(reply(500, b""))

    with pytest.raises(QuotaExceededError):
        await client.calls_last_10(target)

    assert len(wolkvox.requests) == 2
    assert client.budget(target, clock.now()).used == 2


async def test_the_server_quota_answer_stops_calls_until_local_midnight(
    client: WolkvoxClient, wolkvox: FakeWolkvox, clock: ManualClock
) -> None:
    target = make_target(licenses=2)
    wolkvox.script(forbidden("TOKEN LIMIT EXCEEDED"))

    with pytest.raises(QuotaExceededError) as caught:
        await client.calls_last_10(target)
    assert caught.value.resumes_at == datetime(2026, 1, 20, 5, 0, tzinfo=UTC)
    with pytest.raises(QuotaExceededError, match="was not sent"):
        await client.calls_last_10(target)

    assert len(wolkvox.requests) == 1
    status = client.budget(target, clock.now())
    assert (status.used, status.limit, status.remaining) == (2000, 2000, 0)


async def test_budget_counters_survive_a_restart(
    client: WolkvoxClient, clock: ManualClock, wolkvox: FakeWolkvox
) -> None:
    target = make_target(licenses=1)
    await client.calls_last_10(target)
    saved = client.budget_snapshot()
    assert saved == {target.budget_key: DayBudget(day=date(2026, 1, 19), used=1, limit=1000)}
    assert TOKEN not in repr(saved)

    async with WolkvoxClient(clock=clock, transport=wolkvox.transport) as restarted:
        restarted.restore_budget(saved)
        assert restarted.budget(target, clock.now()).used == 1
        clock.advance(timedelta(days=1))
        assert restarted.budget(target, clock.now()).used == 0


async def test_budget_of_an_unused_token_is_full(client: WolkvoxClient) -> None:
    status = client.budget(make_target(licenses=3, reserved_calls=500), NOW)

    assert (status.used, status.limit, status.remaining, status.day) == (
        0,
        2500,
        2500,
        date(2026, 1, 19),
    )
