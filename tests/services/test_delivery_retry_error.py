"""A notification being retried still says why it waits (for /healthz's "last error").

Before a post or a thread reply the drainer counts the attempt in the store (so a crash
mid-send is followed by a look for what Slack may already have). That mark must not hide
the error the row is waiting on: a person reading /healthz while the retry is in flight
must still see `not_in_channel`, not `posting`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters.clock import ManualClock
from bot.adapters.store.memory import MemoryStore
from bot.services.delivery import OutboxDrainer
from bot.services.ports import RenderedMessage
from bot.services.ports.chat import ChatError, ChatErrorKind
from bot.services.ports.store import CycleCommit, NewOutboxRow, OutboxAction

from .fakes import FakeChat

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


class WatchedChat(FakeChat):
    """Records the row's stored error at the moment each post is sent."""

    def __init__(self, store: MemoryStore) -> None:
        super().__init__()
        self.store = store
        self.errors_while_posting: list[str | None] = []

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        [row] = await self.store.due_outbox(T0 + timedelta(days=1), 1)
        self.errors_while_posting.append(row.last_error)
        return await super().post(channel, message, incident_id=incident_id)


async def test_a_retried_post_keeps_its_last_error_until_it_is_delivered() -> None:
    clock = ManualClock(T0)
    async with MemoryStore() as store:
        chat = WatchedChat(store)
        drainer = OutboxDrainer(outbox=store, chat=chat, clock=clock)
        row = NewOutboxRow("C1", "i1", OutboxAction.POST, {"text": "firing", "blocks": []}, T0)
        await store.commit_cycle(CycleCommit("bogota", outbox=(row,)))

        chat.failures.append(ChatError(ChatErrorKind.NEEDS_PERSON, "not_in_channel"))
        assert await drainer.drain_once() == 0
        clock.advance(timedelta(minutes=10))
        assert await drainer.drain_once() == 1

    assert chat.errors_while_posting == ["posting", "not_in_channel"]
    assert [m.text for m in chat.messages] == ["firing"]
