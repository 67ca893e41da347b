"""Poll cycles end to end inside the process: fake Wolkvox answers in, a fake chat out,
the real call log, rules, state machine, store and outbox in between."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.memory import MemoryStore, MemoryTables
from bot.domain.calls import CallRecord
from bot.services.ports import RenderedMessage, SourceError
from bot.services.ports.chat import ChatError, ChatErrorKind
from bot.services.restore import restore_state
from bot.services.views.alert import ActionKind
from tests.support.config import make_settings, rule
from tests.support.world import assembled

from .fakes import Batch, FakeChat, FakeSource

SETTINGS = make_settings(
    rules=[
        rule(
            window="10m",
            warning=3,
            critical=6,
            recover=2,
            repeat="30m",
            mention="<!subteam^S0123>",
            **{"for": 1},
        )
    ]
)
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota


def calls(now: datetime, abandons: int, answers: int = 20, prefix: str = "c") -> Batch:
    """A calls_last_10 answer at `now`: calls spread over the last few minutes."""
    records = [
        CallRecord(
            conn_id=f"{prefix}{now:%H%M}-{i}",
            at=now - timedelta(minutes=1 + i % 5),
            call_type="inbound",
            result="abandon" if i < abandons else "answer",
        )
        for i in range(abandons + answers)
    ]
    return Batch(records=records)


class Bot:
    """The bot as bootstrap assembles it, around fakes."""

    def __init__(
        self, tables: MemoryTables, clock: ManualClock, source: FakeSource, chat: FakeChat
    ) -> None:
        self.settings = SETTINGS
        self.store = MemoryStore(tables=tables)
        self.clock = clock
        self.source = source
        self.chat = chat
        runtime = assembled(SETTINGS, clock=clock, store=self.store, source=source, chat=chat)
        self.state = runtime.state
        self.drainer = runtime.drainer
        self.monitor = runtime.monitor
        self.controls = runtime.controls

    async def start(self) -> None:
        await self.store.open()
        await restore_state(self.state, store=self.store, source=self.source, now=self.clock.now())

    async def cycle(self, batch: Batch | SourceError | None = None) -> None:
        if batch is not None:
            self.source.queue("bogota", batch)
        await self.monitor.poll("bogota")
        await self.drainer.drain_once()
        self.clock.advance(timedelta(minutes=1))


@pytest.fixture
def world() -> tuple[MemoryTables, ManualClock, FakeSource, FakeChat]:
    return MemoryTables(), ManualClock(T0), FakeSource(), FakeChat()


async def test_an_incident_fires_updates_escalates_and_resolves_in_one_message(world) -> None:
    bot = Bot(*world)
    chat = bot.chat
    await bot.start()
    await bot.cycle(calls(bot.clock.now(), abandons=0))
    assert chat.messages == []

    await bot.cycle(calls(bot.clock.now(), abandons=4, prefix="a"))
    [message] = chat.top_level()
    assert message.text.startswith("firing warning abandons bogota")
    assert "<!subteam^S0123>" not in message.text  # mentions only on critical

    await bot.cycle(calls(bot.clock.now(), abandons=4, prefix="b"))  # 8 in the window
    [message] = chat.top_level()
    assert "firing critical" in message.text
    assert chat.thread(message.ts) == ["escalated: abandons bogota"]

    for _ in range(12):  # the abandons age out of the 10-minute window
        await bot.cycle(calls(bot.clock.now(), abandons=0, prefix=f"n{_}"))
    [message] = chat.top_level()
    assert message.text.startswith("resolved")
    assert chat.thread(message.ts)[-1] == "resolved: abandons bogota"
    assert await bot.store.outbox_depth() == 0


async def test_wolkvox_failing_fires_unavailable_and_holds_the_other_rules(world) -> None:
    bot = Bot(*world)
    await bot.start()
    await bot.cycle(calls(bot.clock.now(), abandons=4))
    [abandons] = bot.chat.top_level()
    refused = SourceError(
        "connection refused; the firewall may need the bot's IP", kind="connection", transient=True
    )
    for _ in range(3):
        await bot.cycle(refused)
    texts = [m.text for m in bot.chat.top_level()]
    [unavailable] = [t for t in texts if t.startswith("firing critical wolkvox-unavailable")]
    assert f"failures=3 error={refused.message}" in unavailable  # names the error
    assert abandons.text.startswith("firing")  # held: not resolved while blind
    assert bot.state.operation("bogota").poll.last_error == refused.message


async def test_slack_failures_lose_nothing_and_post_nothing_twice(world) -> None:
    bot = Bot(*world)
    await bot.start()
    bot.chat.failures = [
        ChatError(ChatErrorKind.RATE_LIMITED, "ratelimited", retry_after=1),
        ChatError(ChatErrorKind.UNAVAILABLE, "http_500"),
    ]
    await bot.cycle(calls(bot.clock.now(), abandons=4))
    assert bot.chat.messages == []
    assert await bot.store.outbox_depth() == 1
    for _ in range(5):
        bot.clock.advance(timedelta(minutes=1))
        await bot.drainer.drain_once()
    assert len(bot.chat.top_level()) == 1
    assert await bot.store.outbox_depth() == 0


async def test_a_crash_between_posting_and_recording_does_not_post_twice(world) -> None:
    tables, clock, source, chat = world
    bot = Bot(tables, clock, source, chat)
    await bot.start()
    chat.crash_after_post = True
    source.queue("bogota", calls(clock.now(), abandons=4))
    await bot.monitor.poll("bogota")
    with pytest.raises(RuntimeError):
        await bot.drainer.drain_once()
    # The process dies here; a new one starts on the same store.
    clock.advance(timedelta(minutes=1))
    again = Bot(tables, clock, source, chat)
    await again.start()
    await again.drainer.drain_once()
    for i in range(12):
        await again.cycle(calls(clock.now(), abandons=0, prefix=f"r{i}"))
    [message] = chat.top_level()
    assert message.text.startswith("resolved")
    assert chat.thread(message.ts)[-1] == "resolved: abandons bogota"


async def test_a_crash_between_replying_and_recording_does_not_reply_twice(world) -> None:
    tables, clock, source, chat = world
    bot = Bot(tables, clock, source, chat)
    await bot.start()
    await bot.cycle(calls(clock.now(), abandons=4, prefix="a"))
    [message] = chat.top_level()
    chat.crash_after_reply = True
    source.queue("bogota", calls(clock.now(), abandons=4, prefix="b"))  # escalates
    await bot.monitor.poll("bogota")
    with pytest.raises(RuntimeError):
        await bot.drainer.drain_once()
    # The process dies after Slack stored the reply; a new one starts on the same store.
    clock.advance(timedelta(minutes=1))
    again = Bot(tables, clock, source, chat)
    await again.start()
    await again.drainer.drain_once()
    assert chat.thread(message.ts) == ["escalated: abandons bogota"]
    assert await again.store.outbox_depth() == 0


async def test_a_restart_keeps_incidents_silences_and_baseline(world) -> None:
    tables, clock, source, chat = world
    bot = Bot(tables, clock, source, chat)
    await bot.start()
    await bot.cycle(calls(clock.now(), abandons=4))
    until = clock.now() + timedelta(hours=1)
    await bot.controls.silence(rule="abandons", operation=None, until=until, by="U1", reason="x")
    again = Bot(tables, clock, source, chat)
    await again.start()
    [alert] = [a for a in again.state.alerts if a.rule == "abandons"]
    assert alert.firing and alert.posted
    assert again.state.silences.matching("abandons", "bogota", clock.now()) is not None
    stats = again.state.log.last("bogota", timedelta(minutes=10), now=clock.now())
    assert stats.count() == 24


async def test_a_message_deleted_by_a_person_is_posted_again_on_the_next_edit(world) -> None:
    bot = Bot(*world)
    await bot.start()
    await bot.cycle(calls(bot.clock.now(), abandons=4))
    [first] = bot.chat.top_level()
    bot.chat.delete(first.ts)
    await bot.cycle(calls(bot.clock.now(), abandons=4, prefix="more"))
    [second] = bot.chat.top_level()
    assert second.ts != first.ts and "critical" in second.text


async def test_acknowledging_twice_acks_once_and_stops_reminders(world) -> None:
    bot = Bot(*world)
    await bot.start()
    await bot.cycle(calls(bot.clock.now(), abandons=4))
    [message] = bot.chat.top_level()
    incident = bot.chat.top_level()[0].incident_id
    first = await bot.controls.acknowledge(by="U42", incident_id=incident)
    second = await bot.controls.acknowledge(by="U43", incident_id=incident)
    await bot.drainer.drain_once()
    assert first.kind is ActionKind.ACKNOWLEDGED
    assert second.kind is ActionKind.ALREADY_ACKNOWLEDGED and second.actor == "U42"
    assert "acked by U42" in message.text
    assert bot.chat.thread(message.ts) == ["acknowledged by U42: abandons "]
    for i in range(40):  # past the 30-minute repeat, abandons kept up
        await bot.cycle(calls(bot.clock.now(), abandons=4, answers=0, prefix=f"k{i}"))
    assert not any("reminder" in t for t in bot.chat.thread(message.ts))


async def test_a_silenced_rule_posts_nothing_until_the_silence_is_lifted(world) -> None:
    # Issue 12: the silence and its lifting are announced in the channel (short notes);
    # the alert itself still posts nothing until the silence is lifted.
    bot = Bot(*world)
    await bot.start()
    until = bot.clock.now() + timedelta(hours=1)
    await bot.controls.silence(rule="abandons", operation="bogota", until=until, by="U1")
    await bot.cycle(calls(bot.clock.now(), abandons=4))
    assert [m for m in bot.chat.messages if not m.incident_id.startswith("note:")] == []
    await bot.controls.unsilence(rule="abandons", operation="bogota", by="U1")
    await bot.cycle(calls(bot.clock.now(), abandons=4, prefix="x"))
    alerts = [m for m in bot.chat.top_level() if not m.incident_id.startswith("note:")]
    notes = [m.text for m in bot.chat.top_level() if m.incident_id.startswith("note:")]
    assert len(alerts) == 1
    assert notes == ["silenced by U1: abandons ", "unsilenced by U1: abandons "]


async def test_each_delivery_is_one_log_line_naming_channel_incident_and_action(
    world, caplog: pytest.LogCaptureFixture
) -> None:
    bot = Bot(*world)
    await bot.start()
    caplog.set_level("INFO", logger="callbot")
    await bot.cycle(calls(bot.clock.now(), abandons=4))

    [line] = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("event=delivery ")
    ]
    [alert] = [a for a in bot.state.alerts if a.rule == "abandons"]
    assert line == (
        f"event=delivery outcome=delivered channel=C0ALERTS1 incident={alert.incident_id} "
        "action=post"
    )


class SlowChat(FakeChat):
    """Takes a turn of the event loop to post, as a real network call does."""

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        await asyncio.sleep(0)
        return await super().post(channel, message, incident_id=incident_id)


async def test_two_drains_at_once_deliver_each_notification_once(world) -> None:
    tables, clock, source, _ = world
    bot = Bot(tables, clock, source, SlowChat())
    await bot.start()
    bot.source.queue("bogota", calls(bot.clock.now(), abandons=4))
    await bot.monitor.poll("bogota")

    await asyncio.gather(bot.drainer.drain_once(), bot.drainer.drain_once())

    assert len(bot.chat.top_level()) == 1
    assert await bot.store.outbox_depth() == 0
