"""The client behind an operation name, with errors the services understand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import WolkvoxClient
from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
from bot.adapters.wolkvox.source import WolkvoxCallSource
from bot.config.request_policy import RequestPolicy
from bot.services.ports import SourceError
from bot.settings import Settings
from tests.support.config import make_settings, operation

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _settings(base_url: str) -> Settings:
    return make_settings(operations=[operation(token="t-secret-1", licenses=2, base_url=base_url)])


async def _no_sleep(_: float) -> None:
    return None


@pytest.mark.parametrize(
    ("fault", "kind", "stops"),
    [
        (Fault.TOKEN_INVALID, "token_rejected", True),
        (Fault.BAD_API, "configuration", True),
        (Fault.HTTP_500, "server_error", False),
    ],
)
async def test_errors_say_whether_polling_must_stop(fault: Fault, kind: str, stops: bool) -> None:
    clock = ManualClock(NOW)
    async with WolkvoxSimulator(clock=clock) as sim:
        settings = _settings(sim.base_url)
        sim.set_fault(fault)
        async with WolkvoxClient(
            clock=clock, sleep=_no_sleep, policy=RequestPolicy(attempts=2)
        ) as client:
            source = WolkvoxCallSource(client=client, operations=settings.operations)
            with pytest.raises(SourceError) as caught:
                await source.calls_last_10("bogota")
    assert caught.value.kind == kind
    assert caught.value.stops_polling is stops
    assert "t-secret-1" not in str(caught.value)


async def test_calls_are_served_and_counted_against_the_budget_with_the_reserve() -> None:
    clock = ManualClock(NOW)
    async with WolkvoxSimulator(clock=clock) as sim:
        settings = _settings(sim.base_url)
        async with WolkvoxClient(clock=clock) as client:
            source = WolkvoxCallSource(client=client, operations=settings.operations)
            batch = await source.calls_last_10("bogota")
            use = source.budget("bogota", clock.now())
    assert len(batch.records) > 0
    assert use.used == 1
    assert use.limit == 1600  # 2 licences x 1000, less the 20% reserve
    assert use.day == date(2026, 11, 24)
