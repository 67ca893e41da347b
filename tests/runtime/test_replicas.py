"""Two `callbot run --http` processes on one PostgreSQL schema, between the Wolkvox
simulator and a fake Slack Web API: what a deployment of two replicas sees."""

from __future__ import annotations

import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi, post_slash_command

from .bot_process import BOT_TOKEN, SIGNING_SECRET, WOLKVOX_TOKEN, Replicas, metric, write_config

pytestmark = pytest.mark.runtime

OK_POLLS = 'callbot_polls_total{operation="bogota",outcome="ok"}'


@pytest.fixture
async def two_replicas(tmp_path, pg_url):
    simulator = WolkvoxSimulator(
        scenario="normal", valid_tokens=[WOLKVOX_TOKEN], volume=5, keeps_working=True
    )
    await simulator.start()
    slack = await FakeSlackApi(bot_token=BOT_TOKEN).start()
    config = write_config(tmp_path, base_url=simulator.base_url, store_url=pg_url)
    replicas = Replicas(tmp_path, config=config, slack_api_url=slack.api_url)
    try:
        yield simulator, slack, replicas
    finally:
        replicas.kill()
        await slack.stop()
        await simulator.stop()


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
