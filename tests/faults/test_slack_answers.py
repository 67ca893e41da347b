"""Slack's answers are checked: an answer without the `ts` (or `channel`) the next step
needs is a failed delivery, retried, never logged as delivered nor followed by an edit of
message "" (issue 17)."""

from __future__ import annotations

import logging

import pytest

from .slack_harness import (
    CHANNEL,
    assert_channel_shows_exactly,
    fakes,
    running_bot,
    simulated_clock,
)

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("missing", ["ts", "channel"])
async def test_a_post_answered_without_its_ts_is_retried_not_delivered(
    tmp_path, caplog: pytest.LogCaptureFixture, missing: str
) -> None:
    caplog.set_level(logging.INFO)
    clock = simulated_clock()
    async with fakes(clock) as (slack, wolkvox):
        slack.strip_next("chat.postMessage", missing)  # the first alert's answer
        async with running_bot(tmp_path, slack=slack, wolkvox=wolkvox, clock=clock) as bot:
            await bot.wait_until(lambda: len(slack.calls_to("chat.update")) >= 1)
            await bot.wait_for_outbox_empty(within_s=30)

            lines = [r.getMessage() for r in caplog.records if r.name == "callbot.delivery"]
            posts = [line for line in lines if "event=delivery " in line and "action=post" in line]
            assert "outcome=deferred" in posts[0], posts
            assert any("error=incomplete_answer" in line for line in lines)
            updates = slack.calls_to("chat.update")
            posted = {m["ts"] for m in slack.messages(CHANNEL)}
            assert all(call.params.get("ts") in posted for call in updates), "edit of ts ''"
            assert len(bot.top_level()) == 1, "the retry found the message instead of reposting"
            assert_channel_shows_exactly(slack, bot.presenter.committed())
