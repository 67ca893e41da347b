"""Two `callbot run --http` replicas on one PostgreSQL schema, the Wolkvox simulator (it counts
the requests in flight on each token, and like Wolkvox's PHP backend keeps working on a
request whose client left) and a fake Slack Web API: an abandon incident fires and is posted
once; the replica polling the operation is killed with SIGKILL half-way through the
incident; the other takes the operation over, and the incident resolves on the message
first posted; Wolkvox never sees two requests at once on the token; `/calls last10` answers
the same totals on both replicas, and the replica that does not poll answers `/calls queues`
and `/calls agents` from the snapshots the other stored."""

from __future__ import annotations

import re
import signal
from datetime import timedelta

import pytest

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi, post_slash_command
from tests.support.config import rule

from .bot_process import (
    BOT_TOKEN,
    CHANNEL,
    SIGNING_SECRET,
    WOLKVOX_TOKEN,
    BotProcess,
    deployment,
    metric,
)

pytestmark = pytest.mark.runtime

RULE = "abandon-rate"
RULES = [
    rule(
        RULE,
        kind="rate",
        match={"result": ["abandon"]},
        among={"type": ["inbound"]},
        window="1m",
        min_calls=20,
        warning=0.12,
        recover=0.08,
        confidence=0.95,
        **{"for": 1},
    )
]
"""Abandons over the current minute, so the incident fires within seconds of the surge and
resolves within a minute or two of its end (the shipped rule reads 10 minutes)."""
LEASE = 'callbot_leases{operation="bogota"}'
EPOCH = 'callbot_lease_epoch{operation="bogota"}'
OK_POLLS = 'callbot_polls_total{operation="bogota",outcome="ok"}'
TOTAL = re.compile(r"bogota: ([\d,]+) calls? in the last")


@pytest.fixture
async def world(tmp_path, pg_url):
    simulator = WolkvoxSimulator(
        valid_tokens=[WOLKVOX_TOKEN], volume=20, keeps_working=True, latency=0.2
    )
    async with deployment(
        tmp_path, simulator, store_url=pg_url, lease_ttl="3s", poll_every="1s", rules=RULES
    ) as (slack, replicas):
        simulator.set_scenario("abandon_surge", elapsed=timedelta(minutes=12))  # in the surge now
        yield simulator, slack, replicas


def incident_messages(slack: FakeSlackApi) -> list[dict]:
    top_level = [m for m in slack.messages(CHANNEL) if m.get("thread_ts", m["ts"]) == m["ts"]]
    return [m for m in top_level if RULE in m["text"]]


async def holds_lease(bot: BotProcess) -> bool:
    return metric(await bot.metrics(), LEASE) == 1


async def last10_total(bot: BotProcess) -> int | None:
    """The total `/calls last10` answers on `bot` (None while it has no data yet)."""
    answer = await post_slash_command(f"{bot.url}/slack/events", SIGNING_SECRET, "last10")
    assert answer.status == 200, answer.text
    found = TOTAL.search(answer.text)
    return int(found.group(1).replace(",", "")) if found else None


async def test_failover_mid_incident_keeps_one_message_and_one_request_per_token(world) -> None:
    simulator, slack, replicas = world
    await replicas.start()
    first = replicas[0]

    async def posted() -> bool:
        return len(incident_messages(slack)) == 1

    await first.wait_until(posted, within_s=90)
    [message] = incident_messages(slack)

    holders: list[BotProcess] = []

    async def one_holder() -> bool:
        holders[:] = [bot for bot in replicas if await holds_lease(bot)]
        return len(holders) == 1

    await first.wait_until(one_holder, within_s=30)
    [holder] = holders
    [survivor] = [bot for bot in replicas if bot is not holder]

    # Any replica answers: the follower's totals catch up with the holder's.
    async def same_totals() -> bool:
        totals = {await last10_total(holder), await last10_total(survivor)}
        return len(totals) == 1 and None not in totals

    await survivor.wait_until(same_totals, within_s=30)

    # So do `/calls queues` and `/calls agents`: only the holder asks Wolkvox's `skills` and
    # `agents`; the survivor answers from the snapshots it stored, never refused.
    for command in ("queues", "agents"):
        await post_slash_command(f"{holder.url}/slack/events", SIGNING_SECRET, command)

    async def survivor_has_context() -> bool:
        shown = []
        for command in ("queues", "agents"):
            answer = await post_slash_command(
                f"{survivor.url}/slack/events", SIGNING_SECRET, command
            )
            assert answer.status == 200 and "lease" not in answer.text, answer.text
            shown.append(answer.text)
        return "waiting" in shown[0] and "logged in" in shown[1]

    await survivor.wait_until(survivor_has_context, within_s=30)

    # The holder dies mid-incident; the survivor takes the operation over and polls it.
    epoch_before = metric(await holder.metrics(), EPOCH)
    polls_before = metric(await survivor.metrics(), OK_POLLS)
    assert holder.proc is not None
    holder.proc.send_signal(signal.SIGKILL)
    holder.proc.wait(10)

    async def took_over() -> bool:
        text = await survivor.metrics()
        return metric(text, LEASE) == 1 and metric(text, OK_POLLS) > polls_before

    # poll_every + TTL, plus Wolkvox's 60 s when the dead holder's request may be in flight.
    await survivor.wait_until(took_over, within_s=120)
    assert metric(await survivor.metrics(), EPOCH) > epoch_before > 0
    assert len(incident_messages(slack)) == 1

    # The surge ends: the incident resolves on the message first posted.
    simulator.set_scenario("normal")

    async def resolved() -> bool:
        current = slack.message(CHANNEL, message["ts"]) or {}
        replies = [r["text"] for r in slack.thread(CHANNEL, message["ts"])]
        return "Resolved" in current.get("text", "") and any("Resolved" in r for r in replies)

    await survivor.wait_until(resolved, within_s=240)
    assert len(incident_messages(slack)) == 1
    posts = slack.calls_to("chat.postMessage", ok_only=True)
    assert len([c for c in posts if not c.params.get("thread_ts")]) == 1
    resolved_replies = [r for r in slack.thread(CHANNEL, message["ts"]) if "Resolved" in r["text"]]
    assert len(resolved_replies) == 1

    # The killed replica comes back as a follower: both answer the same totals.
    holder.start()
    await holder.wait_until(holder.answers, within_s=30)
    await holder.wait_until(same_totals, within_s=30)

    # One request at a time on the token, across both replicas and the crash.
    assert simulator.requests_for(WOLKVOX_TOKEN) > 0
    assert simulator.max_concurrent_per_token == 1
    assert simulator.concurrency_rejections == 0
    logs = replicas.logs()
    assert "Traceback" not in logs
    for secret in (BOT_TOKEN, SIGNING_SECRET, WOLKVOX_TOKEN):
        assert secret not in logs
