"""Silences and acknowledgements are a record visible to the team (issue 12): announced
where the alert lives, logged, stored with who/when/scope/reason/end, and a silence
that ends edits the message it muted. Real services, memory store, fake chat."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.memory import MemoryTables
from bot.domain.history import RecordKind
from bot.domain.specs import Severity

from .fakes import FakeChat, FakeSource
from .test_monitor import T0, Bot, calls


@pytest.fixture
def world() -> tuple[MemoryTables, ManualClock, FakeSource, FakeChat]:
    return MemoryTables(), ManualClock(T0), FakeSource(), FakeChat()


async def firing(bot: Bot) -> str:
    """Start the bot and make `abandons` fire; returns the ts of its message."""
    await bot.start()
    await bot.cycle(calls(bot.clock.now(), abandons=4))
    [message] = bot.chat.top_level()
    return message.ts


async def records(bot: Bot, hours: int = 24) -> list[tuple[str, str, str | None, str]]:
    page = await bot.store.history(since=bot.clock.now() - timedelta(hours=hours))
    return [(a.kind.value, a.by, a.operation, a.reason) for a in page.actions]


async def test_a_silence_of_a_firing_alert_is_told_in_its_thread_and_kept(world) -> None:
    bot = Bot(*world)
    ts = await firing(bot)
    until = bot.clock.now() + timedelta(minutes=30)
    await bot.controls.silence(
        rule="abandons", operation="bogota", until=until, by="U7", reason="lunch\nbreak"
    )
    await bot.drainer.drain_once()

    [message] = bot.chat.top_level()
    assert message.text.endswith("silenced"), "the living message shows the silence"
    assert bot.chat.thread(ts) == ["silenced by U7: abandons lunch\nbreak"]
    page = await bot.store.history(since=T0)
    [silence] = page.actions
    assert (silence.kind, silence.by, silence.rule, silence.operation) == (
        RecordKind.SILENCE,
        "U7",
        "abandons",
        "bogota",
    )
    assert (silence.at, silence.ends_at, silence.reason) == (
        T0 + timedelta(minutes=1),
        until,
        "lunch\nbreak",
    )


async def test_a_silence_with_nothing_firing_is_one_short_channel_note_once(world) -> None:
    bot = Bot(*world)
    await bot.start()
    until = bot.clock.now() + timedelta(hours=1)
    for _ in range(2):  # a double click
        await bot.controls.silence(rule="abandons", operation=None, until=until, by="U7")
        await bot.drainer.drain_once()
    [note] = bot.chat.top_level()
    assert (note.channel, note.text, note.thread_ts) == (
        "C0ALERTS1",
        "silenced by U7: abandons ",
        None,
    )
    assert await records(bot) == [("silence", "U7", None, "")]


async def test_an_acknowledgement_is_told_in_the_thread_and_kept_on_the_incident(world) -> None:
    bot = Bot(*world)
    ts = await firing(bot)
    await bot.controls.acknowledge(by="U9", rule="abandons", operation="bogota")
    await bot.drainer.drain_once()
    assert bot.chat.thread(ts) == ["acknowledged by U9: abandons "]
    assert await records(bot) == [("ack", "U9", "bogota", "")]
    [incident] = (await bot.store.history(since=T0)).incidents
    assert (incident.acked_by, incident.ended_at) == ("U9", None)


async def test_an_expired_silence_edits_the_message_and_its_end_is_kept(
    world, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="callbot")
    bot = Bot(*world)
    ts = await firing(bot)
    until = bot.clock.now() + timedelta(minutes=10)
    await bot.controls.silence(rule="abandons", operation="bogota", until=until, by="U7")
    await bot.drainer.drain_once()
    assert bot.chat.top_level()[0].text.endswith("silenced")

    bot.clock.advance(timedelta(minutes=9))
    assert await bot.controls.expire_silences() == 0, "not yet"
    bot.clock.advance(timedelta(minutes=1))
    assert await bot.controls.expire_silences() == 1
    await bot.drainer.drain_once()

    [message] = bot.chat.top_level()
    assert not message.text.endswith("silenced"), "the message no longer says silenced"
    assert bot.chat.thread(ts)[-1] == "silence_expired by U7: abandons "
    assert await records(bot) == [("expiry", "U7", "bogota", ""), ("silence", "U7", "bogota", "")]
    assert bot.store.tables.silences == {}, "the live row is gone, the record stays"
    assert await bot.controls.expire_silences() == 0, "told once"
    [line] = [r.getMessage() for r in caplog.records if "silence_expired" in r.getMessage()]
    for part in ("actor=callbot", "outcome=expired", "rule=abandons", "silenced_by=U7"):
        assert part in line


async def test_a_silence_that_ended_while_the_bot_was_down_is_told_after_the_restart(
    world,
) -> None:
    tables, clock, source, chat = world
    bot = Bot(*world)
    ts = await firing(bot)
    until = clock.now() + timedelta(minutes=10)
    await bot.controls.silence(rule="abandons", operation="bogota", until=until, by="U7")
    await bot.drainer.drain_once()
    await bot.store.close()

    clock.advance(timedelta(hours=2))
    again = Bot(tables, clock, source, chat)
    await again.start()
    assert await again.controls.expire_silences() == 1
    await again.drainer.drain_once()
    assert not chat.top_level()[0].text.endswith("silenced")
    assert chat.thread(ts)[-1] == "silence_expired by U7: abandons "
    assert [r[0] for r in await records(again, hours=3)] == ["expiry", "silence"]


async def test_an_unsilence_keeps_the_silence_in_the_record_and_says_who_lifted_it(
    world,
) -> None:
    bot = Bot(*world)
    ts = await firing(bot)
    until = bot.clock.now() + timedelta(hours=1)
    await bot.controls.silence(rule="abandons", operation=None, until=until, by="U7", reason="x")
    bot.clock.advance(timedelta(minutes=5))
    await bot.controls.unsilence(rule="abandons", operation="bogota", by="U8")
    await bot.drainer.drain_once()
    assert bot.chat.thread(ts)[-1] == "unsilenced by U8: abandons "
    assert not bot.chat.top_level()[0].text.endswith("silenced")
    page = await bot.store.history(since=T0)
    lifted, silenced = page.actions
    assert (lifted.kind, lifted.by, lifted.silenced_by, lifted.silence_id) == (
        RecordKind.UNSILENCE,
        "U8",
        "U7",
        silenced.silence_id,
    )
    assert lifted.ends_at == bot.clock.now(), "ended early, when it was lifted"


async def test_each_incident_is_recorded_as_it_opens_escalates_and_resolves(world) -> None:
    bot = Bot(*world)
    await firing(bot)
    [opened] = (await bot.store.history(since=T0)).incidents
    assert (opened.rule, opened.operation, opened.started_at, opened.ended_at) == (
        "abandons",
        "bogota",
        T0,
        None,
    )
    assert (opened.severity, opened.peak_value) == (Severity.WARNING, 4)
    await bot.cycle(calls(bot.clock.now(), abandons=4, prefix="b"))  # 8: critical
    for i in range(12):  # the abandons leave the window
        await bot.cycle(calls(bot.clock.now(), abandons=0, prefix=f"q{i}"))
    [closed] = (await bot.store.history(since=T0)).incidents
    assert closed.severity is Severity.CRITICAL
    assert closed.peak_value == 8
    assert closed.ended_at is not None and closed.ended_at > closed.started_at


async def test_an_incident_whose_rule_left_the_configuration_is_ended_in_the_record(
    world,
) -> None:
    from bot.services.restore import close_removed

    bot = Bot(*world)
    await firing(bot)
    [alert] = [a for a in bot.state.alerts if a.rule == "abandons" and a.firing]
    await close_removed(
        alert,
        state=bot.state,
        store=bot.store,
        presenter=bot.controls.presenter,
        now=bot.clock.now(),
    )
    [record] = (await bot.store.history(since=T0)).incidents
    assert record.ended_at == bot.clock.now()
