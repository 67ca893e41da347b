"""Two `callbot run --http` replicas on one PostgreSQL schema, two operations on one Wolkvox
token, the Wolkvox simulator counting the requests in flight on each token: both operations
are polled, by the one replica that holds the token's lease, and Wolkvox never sees two
requests at once on the token (issue 14: one poller per token)."""

from __future__ import annotations

import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator

from .bot_process import WOLKVOX_TOKEN, deployment, metric

pytestmark = pytest.mark.runtime

OPERATIONS = ("bogota", "medellin")
POLLS = 5
"""Successful polls of each operation, over both replicas, before the test looks."""


def ok_polls(operation: str) -> str:
    return f'callbot_polls_total{{operation="{operation}",outcome="ok"}}'


def lease(operation: str) -> str:
    return f'callbot_leases{{operation="{operation}"}}'


async def test_two_operations_on_one_token_are_polled_one_request_at_a_time(
    tmp_path, pg_url
) -> None:
    simulator = WolkvoxSimulator(
        valid_tokens=[WOLKVOX_TOKEN], volume=5, keeps_working=True, latency=0.2
    )
    async with deployment(
        tmp_path,
        simulator,
        store_url=pg_url,
        lease_ttl="3s",
        poll_every="2s",
        names=OPERATIONS,
    ) as (_, replicas):
        await replicas.start()  # both race for the one lease of the token
        scrapes: list[str] = []

        async def both_polled() -> bool:
            scrapes[:] = [await bot.metrics() for bot in replicas]
            return all(
                sum(metric(text, ok_polls(op)) for text in scrapes) >= POLLS for op in OPERATIONS
            )

        await replicas[0].wait_until(both_polled, within_s=90)

        held = [[metric(text, lease(op)) for op in OPERATIONS] for text in scrapes]
        assert sorted(held) == [[0.0, 0.0], [1.0, 1.0]]  # one replica polls the token
        assert simulator.max_concurrent_per_token == 1
        assert simulator.concurrency_rejections == 0
        logs = replicas.logs()
        assert "Traceback" not in logs and WOLKVOX_TOKEN not in logs
