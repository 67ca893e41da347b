"""An alert storm end to end: the real monitor, SQLite store, outbox drainer, SlackChat
and Slack presenter against the fake Slack Web API, with a process "killed" between
posting the digest and recording it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.adapters.clock import ManualClock
from bot.adapters.slack.app import build_web_client
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.sqlite import SQLiteStore
from bot.domain.calls import CallRecord
from bot.services.delivery import OutboxDrainer
from bot.services.monitor import Monitor
from bot.services.ports.store import MessageRef
from bot.services.restore import restore_state
from bot.services.state import RuntimeState
from tests.adapters.slack.limits import assert_blocks_within_limits
from tests.fakes.slack_api import FakeSlackApi
from tests.services.fakes import Batch, FakeSource
from tests.support.config import make_settings, operation, rule
from tests.support.world import assembled

BOT_TOKEN = "xoxb-storm-bot-token-5e1f"
CHANNEL = "C0ALERTS1"
MENTION = "<!subteam^S0123>"
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
RULES = [
    rule(
        f"r{i}",
        match={"result": ["abandon"], "type": ["inbound"]},
        window=f"{i}m",
        warning=3,
        critical=6,
        mention=MENTION,
    )
    for i in range(2, 10)
]


class Killed(Exception):
    """The process died (kill -9) right after Slack accepted the digest."""


class DyingOutbox(SQLiteStore):
    """The SQLite store of a process that is killed before it records its first post."""

    async def complete(self, row_id: int, *, message: MessageRef | None) -> None:
        raise Killed


@dataclass
class Process:
    state: RuntimeState
    monitor: Monitor
    drainer: OutboxDrainer
    source: FakeSource

    async def poll(self, clock: ManualClock, abandons: int = 0) -> None:
        now = clock.now()
        records = [
            CallRecord(
                conn_id=f"{now:%H%M}-{i}",
                at=now - timedelta(seconds=30),
                call_type="inbound",
                result="abandon" if i < abandons else "answer",
            )
            for i in range(abandons + 20)
        ]
        self.source.queue("bogota", Batch(records=records))
        await self.monitor.poll("bogota")


@asynccontextmanager
async def process(
    slack: FakeSlackApi, path: Path, clock: ManualClock, *, dies: bool = False
) -> AsyncIterator[Process]:
    settings = make_settings(
        channel=CHANNEL,
        operations=[operation(token="t1")],
        rules=RULES,
        source="storm.yml",
    )
    store = (DyingOutbox if dies else SQLiteStore)(path=path)
    client = build_web_client(bot_token=BOT_TOKEN, api_url=slack.api_url)
    source = FakeSource()
    runtime = assembled(
        settings,
        clock=clock,
        store=store,
        source=source,
        chat=SlackChat(client=client),
        presenter=SlackPresenter(language="en", mask_personal_data=True),
    )
    async with store:
        await restore_state(runtime.state, store=store, source=source, now=clock.now())
        yield Process(runtime.state, runtime.monitor, runtime.drainer, source)


def top_level(slack: FakeSlackApi) -> list[dict[str, Any]]:
    return [m for m in slack.messages(CHANNEL) if "thread_ts" not in m]


def header(message: dict[str, Any]) -> str:
    text: str = message["blocks"][0]["text"]["text"]
    return text


async def test_a_storm_is_one_slack_message_even_when_the_bot_dies_after_posting_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "callbot.sqlite3"
    clock = ManualClock(T0)
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        async with process(slack, path, clock, dies=True) as first:
            await first.poll(clock)
            clock.advance(timedelta(minutes=1))
            await first.poll(clock, abandons=6)
            try:
                await first.drainer.drain_once()
            except Killed:
                pass
            else:
                raise AssertionError("the first process should have died")

        [post] = slack.calls_to("chat.postMessage")
        digest_id = post.params["metadata"]["event_payload"]["incident_id"]
        assert digest_id.startswith(f"digest:{CHANNEL}:")
        [digest] = top_level(slack)
        assert header(digest) == ":red_circle: 8 alerts firing in bogota"
        assert digest["text"].count(MENTION) == 1
        assert_blocks_within_limits(digest["blocks"], 50)

        clock.advance(timedelta(seconds=30))
        async with process(slack, path, clock) as second:
            await second.drainer.drain_once()
            assert len(slack.calls_to("chat.postMessage")) == 1
            assert slack.calls_to("conversations.history")

            for _ in range(3):  # the burst leaves the 2-minute window first
                clock.advance(timedelta(minutes=1))
                await second.poll(clock)
                await second.drainer.drain_once()

        [digest] = top_level(slack)
        assert header(digest).endswith("alerts still firing in bogota")
        assert "~r2 · bogota~ resolved after" in str(digest["blocks"])
        notes = [m["text"] for m in slack.thread(CHANNEL, digest["ts"])]
        assert notes and all(n.startswith("*r") and "Resolved after" in n for n in notes)
        assert notes[0].startswith("*r2* · bogota: ")
