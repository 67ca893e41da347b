"""Two `callbot run --http` processes on one PostgreSQL schema, between the Wolkvox
simulator and a fake Slack Web API: what a deployment of two replicas sees."""

from __future__ import annotations

import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import post_slash_command

from .bot_process import SIGNING_SECRET, WOLKVOX_TOKEN, deployment, metric

pytestmark = pytest.mark.runtime

OK_POLLS = 'callbot_polls_total{operation="bogota",outcome="ok"}'


@pytest.fixture
async def two_replicas(tmp_path, pg_url):
    simulator = WolkvoxSimulator(
        scenario="normal", valid_tokens=[WOLKVOX_TOKEN], volume=5, keeps_working=True
    )
    async with deployment(tmp_path, simulator, store_url=pg_url) as (slack, replicas):
        yield simulator, slack, replicas


async def test_two_replicas_start_together_on_one_schema_and_both_answer(two_replicas) -> None:
    _, _, replicas = two_replicas
    await replicas.start()  # both create and migrate the schema at the same moment

    async def polled() -> bool:
        for bot in replicas:
            if metric(await bot.metrics(), OK_POLLS) > 0:
                return True
        return False

    await replicas[0].wait_until(polled, within_s=30)
    for bot in replicas:
        answer = await post_slash_command(f"{bot.url}/slack/events", SIGNING_SECRET, "status")
        assert answer.status == 200 and "bogota" in answer.text, answer.text
    assert "Traceback" not in replicas.logs()
