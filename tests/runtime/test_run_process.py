"""The real `callbot run --http` process between the Wolkvox simulator and a fake Slack
Web API: health and metrics answer, an incident fires and resolves in one message while
Slack fails for a while, nothing is posted twice, secrets stay out of the logs, and
SIGTERM ends the process cleanly."""

from __future__ import annotations

import json
import time

import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi, post_slash_command

from .bot_process import BOT_TOKEN, CHANNEL, SIGNING_SECRET, WOLKVOX_TOKEN, BotProcess, write_config

pytestmark = pytest.mark.runtime

UNAVAILABLE = "wolkvox-unavailable"


@pytest.fixture
async def world(tmp_path):
    simulator = WolkvoxSimulator(scenario="normal", valid_tokens=[WOLKVOX_TOKEN], volume=5)
    await simulator.start()
    slack = await FakeSlackApi(bot_token=BOT_TOKEN).start()
    bot = BotProcess(
        tmp_path,
        config=write_config(tmp_path, base_url=simulator.base_url),
        slack_api_url=slack.api_url,
    )
    try:
        yield simulator, slack, bot
    finally:
        bot.kill()
        await slack.stop()
        await simulator.stop()


OK_POLLS = 'callbot_polls_total{operation="bogota",outcome="ok"}'


def metric(text: str, series: str) -> float:
    """The value of one series in a Prometheus exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def top_level(slack: FakeSlackApi) -> list[dict]:
    return [m for m in slack.messages(CHANNEL) if m.get("thread_ts", m["ts"]) == m["ts"]]


def incident_messages(slack: FakeSlackApi) -> list[dict]:
    return [m for m in top_level(slack) if UNAVAILABLE in m["text"]]


async def test_an_incident_survives_slack_failures_and_sigterm_exits_0(world) -> None:
    simulator, slack, bot = world
    bot.start()
    await bot.wait_healthy()

    async def polled() -> bool:
        status, text = await bot.get("/metrics")
        return status == 200 and metric(text, OK_POLLS) > 0

    await bot.wait_until(polled)

    answer = await post_slash_command(f"{bot.url}/slack/events", SIGNING_SECRET, "status")
    assert answer.status == 200 and "bogota" in answer.text

    # Slack rate-limits, then fails with 500 longer than the client's own retries last.
    slack.fail_next("chat.postMessage", status=429, times=2, retry_after=1)
    slack.fail_next("chat.postMessage", status=500, times=3)
    simulator.set_fault("http_500")

    async def posted() -> bool:
        return len(incident_messages(slack)) == 1

    await bot.wait_until(posted, within_s=30)
    [message] = incident_messages(slack)
    assert ":red_circle:" in str(message["blocks"])
    failed = [c.status for c in slack.calls_to("chat.postMessage") if not c.ok]
    assert failed.count(429) == 2 and failed.count(500) == 3

    status, reason = await bot.get("/healthz")
    assert status == 503 and "operation bogota: no data for" in reason

    simulator.set_fault(None)

    async def resolved() -> bool:
        current = slack.message(CHANNEL, message["ts"]) or {}
        replies = [r["text"] for r in slack.thread(CHANNEL, message["ts"])]
        return "Resolved" in current.get("text", "") and any("Resolved" in r for r in replies)

    await bot.wait_until(resolved, within_s=20)
    await bot.wait_healthy()
    assert len(incident_messages(slack)) == 1  # edited in place, never posted twice
    posts = [c for c in slack.calls_to("chat.postMessage", ok_only=True)]
    assert len([c for c in posts if not c.params.get("thread_ts")]) == 1

    status, metrics = await bot.get("/metrics")
    assert status == 200
    for series in (
        'callbot_polls_total{operation="bogota",outcome="server_error"}',
        'callbot_slack_delivery_errors_total{kind="http_500"} 1.0',
        'callbot_wolkvox_request_seconds_count{api="calls_last_10",operation="bogota",outcome="ok"}',
        "callbot_outbox_depth ",
        'callbot_budget_limit{operation="bogota"}',
        'callbot_alerts{operation="bogota",rule="wolkvox-unavailable",severity=',
        "callbot_build_info{",
        "process_resident_memory_bytes ",
        "python_info{",
    ):
        assert series in metrics

    started = time.monotonic()
    assert await bot.stop() == 0
    assert time.monotonic() - started < 6
    logs = bot.logs()
    assert '"event": "stopped"' in logs
    # Machine-readable: every JSON line has an event, and numbers and flags keep their types.
    entries = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert entries and all("event" in e for e in entries)
    polls = [e for e in entries if e["event"] == "poll" and e["outcome"] == "ok"]
    assert polls and all(
        isinstance(e["records"], int) and type(e["truncated"]) is bool and e["seconds"] >= 0
        for e in polls
    )
    for secret in (BOT_TOKEN, SIGNING_SECRET, WOLKVOX_TOKEN):
        assert secret not in logs
    assert "Traceback" not in logs


async def test_missing_credentials_are_named_and_exit_2(world) -> None:
    _, _, bot = world
    del bot.env["SLACK_SIGNING_SECRET"]
    bot.start()
    assert bot.proc is not None
    assert bot.proc.wait(30) == 2
    assert "SLACK_SIGNING_SECRET is not set" in bot.logs()
