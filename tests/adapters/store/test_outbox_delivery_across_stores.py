"""Delivery through real stores: two replicas' drainers on one PostgreSQL schema send each
notification once and in order, and a drainer that dies mid-send is followed by one that
finds the message already posted instead of posting it again (memory, SQLite, PostgreSQL).
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.postgres import PostgresStore
from bot.services.delivery import DeliveryResult, OutboxDrainer
from bot.services.ports import RenderedMessage
from bot.services.ports.store import CycleCommit, MessageRef, NewOutboxRow, OutboxAction, Store
from tests.adapters.store.expiry import expire_claims
from tests.adapters.store.test_store_contract import minute

NOW = minute(10)


def note(channel: str, incident: str, action: OutboxAction, n: int = 0) -> NewOutboxRow:
    """A notification whose text names it alone, so the chat can count each row's sends."""
    text = f"{channel}/{incident}/{action}/{n}"
    return NewOutboxRow(channel, incident, action, {"text": text, "blocks": []}, minute(0))


class SlowChat:
    """A chat that takes a while to answer each send (the other replica's drainer runs
    meanwhile) and only then shows the message, as Slack does. Counts each text's sends."""

    def __init__(self, *, delay_s: float = 0.0, die_after_post: bool = False) -> None:
        self.delay_s = delay_s
        self.die_after_post = die_after_post
        self.while_sending: list[Callable[[], Awaitable[None]]] = []
        """Things that happen elsewhere while the next sends are in flight (one each)."""
        self.sends: Counter[str] = Counter()
        self.per_channel: dict[str, list[str]] = defaultdict(list)
        self.posted: dict[tuple[str, str], str] = {}
        self.replies: dict[tuple[str, str], str] = {}
        self._ts = 1000

    async def _send(self, channel: str, message: RenderedMessage) -> str:
        await asyncio.sleep(self.delay_s)
        if self.while_sending:
            await self.while_sending.pop(0)()
        self._ts += 1
        self.sends[message["text"]] += 1
        self.per_channel[channel].append(message["text"])
        return f"{self._ts}.000100"

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        ts = await self._send(channel, message)
        self.posted[(channel, incident_id)] = ts
        if self.die_after_post:
            self.die_after_post = False
            raise RuntimeError("process killed after posting")
        return ts

    async def update(self, channel: str, ts: str, message: RenderedMessage) -> None:
        await self._send(channel, message)

    async def reply(
        self, channel: str, thread_ts: str, message: RenderedMessage, *, key: str
    ) -> str:
        ts = await self._send(channel, message)
        self.replies[(thread_ts, key)] = ts
        return ts

    async def find_reply(self, channel: str, thread_ts: str, key: str) -> str | None:
        return self.replies.get((thread_ts, key))

    async def find(self, channel: str, incident_id: str, *, since: datetime) -> str | None:
        return self.posted.get((channel, incident_id))


async def drain_until_empty(drainer: OutboxDrainer, store: Store) -> None:
    while await store.outbox_depth():
        await drainer.drain_once()
        await asyncio.sleep(0.001)  # let the other replica's drainer have the loop


async def test_two_replicas_drainers_send_every_row_once_in_order_per_channel(
    pg_url: str,
) -> None:
    channels = [f"C{n}" for n in range(4)]
    rows = [
        note(channel, f"{channel}-i{i}", action, n)
        for channel in channels
        for i in range(3)
        for n, action in enumerate([OutboxAction.POST, OutboxAction.THREAD, OutboxAction.THREAD])
    ]
    chat = SlowChat(delay_s=0.02)
    delivered_by: dict[str, list[str]] = {"a": [], "b": []}

    def on_result(name: str) -> Callable[[DeliveryResult], None]:
        return lambda result: delivered_by[name].append(result.row.payload["text"])

    clock = ManualClock(NOW)
    async with PostgresStore(url=pg_url) as a, PostgresStore(url=pg_url) as b:
        await a.commit_cycle(CycleCommit("sales", outbox=rows))
        drainers = [
            OutboxDrainer(outbox=a, chat=chat, clock=clock, batch=4, on_result=on_result("a")),
            OutboxDrainer(outbox=b, chat=chat, clock=clock, batch=4, on_result=on_result("b")),
        ]
        await asyncio.gather(drain_until_empty(drainers[0], a), drain_until_empty(drainers[1], b))

    texts = [row.payload["text"] for row in rows]
    assert chat.sends == Counter(texts)  # every row sent, none twice
    for channel in channels:
        assert chat.per_channel[channel] == [t for t in texts if t.startswith(f"{channel}/")]
    assert sorted(delivered_by["a"] + delivered_by["b"]) == sorted(texts)
    assert delivered_by["a"] and delivered_by["b"]  # both replicas took part


async def test_a_drainer_that_dies_after_posting_is_followed_by_one_that_does_not_post_again(
    reopen: Callable[[], Store], request: pytest.FixtureRequest
) -> None:
    clock = ManualClock(NOW)
    chat = SlowChat(die_after_post=True)
    post = note("C1", "i1", OutboxAction.POST)
    reply = note("C1", "i1", OutboxAction.THREAD, 1)
    dead = reopen()
    await dead.open()
    await dead.commit_cycle(CycleCommit("sales", outbox=(post, reply)))
    with pytest.raises(RuntimeError):
        await OutboxDrainer(outbox=dead, chat=chat, clock=clock).drain_once()
    # The process dies here without closing its store; on PostgreSQL its claims run out.
    if isinstance(dead, PostgresStore):
        await expire_claims(request.getfixturevalue("pg_url"))
    clock.advance(timedelta(minutes=1))

    async with reopen() as alive:
        assert await OutboxDrainer(outbox=alive, chat=chat, clock=clock).drain_once() == 2
        assert await alive.outbox_depth() == 0
        first_ts = chat.posted[("C1", "i1")]
        assert await alive.message_ref("i1") == MessageRef("i1", "C1", first_ts)
    await dead.close()

    assert chat.sends == Counter([post.payload["text"], reply.payload["text"]])


async def test_a_replica_paused_past_its_claim_does_not_send_what_another_took_over(
    pg_url: str,
) -> None:
    clock = ManualClock(NOW)
    chat = SlowChat()
    rows = [note("C1", "i1", OutboxAction.POST), note("C1", "i2", OutboxAction.POST)]
    async with PostgresStore(url=pg_url) as a, PostgresStore(url=pg_url) as b:
        first, second = await a.commit_cycle(CycleCommit("sales", outbox=rows))
        taken: list[int] = []

        async def pause_a_past_its_claim() -> None:
            await expire_claims(pg_url)
            taken.extend(row.id for row in await b.due_outbox(NOW, 10))

        chat.while_sending.append(pause_a_past_its_claim)
        assert await OutboxDrainer(outbox=a, chat=chat, clock=clock).drain_once() == 1
        assert taken == [first, second]  # b took the channel while a was sending `first`
        assert await OutboxDrainer(outbox=b, chat=chat, clock=clock).drain_once() == 1

    assert chat.sends == Counter(row.payload["text"] for row in rows)
