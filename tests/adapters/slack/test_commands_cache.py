"""`/calls last10` replies are rendered once per data version and clock face, and reused:
never stale after a poll, never with another request's visibility, never changed by a caller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.slack import frontend
from bot.adapters.slack.blocks import Message, render_last10
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.ports import Reply
from bot.services.ports import SourceError
from tests.support.frontend_world import World, call, make_world, mix, text_of, typed
from tests.support.slack_text import texts


@pytest.fixture
async def world() -> World:
    return await make_world()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the renders of last10 replies (the real renderer still does the work)."""
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Message:
        calls.append(1)
        return render_last10(*args, **kwargs)

    monkeypatch.setattr(frontend, "render_last10", counting)
    return calls


def fresh_service(world: World) -> CallsFrontend:
    """A frontend with nothing cached, over the same command service (state and clock)."""
    return CallsFrontend(commands=world.service._commands, language="en", mask_personal_data=True)


async def ask(service: CallsFrontend, text: str) -> Reply:
    request = typed(text)
    return await service.on_command(request)


async def test_a_burst_renders_once_and_everyone_gets_the_same_reply(
    world: World, renders: list[int]
) -> None:
    await world.poll(mix(world.clock.now()))

    replies = [await world.ask("last10", user=f"U{i}") for i in range(20)]

    assert len(renders) == 1
    assert all(r == replies[0] for r in replies)
    assert "*23* calls" in text_of(replies[0])


async def test_a_new_poll_is_shown_at_once(world: World, renders: list[int]) -> None:
    await world.poll(mix(world.clock.now(), tag="a"))
    assert "*23* calls" in text_of(await world.ask("last10"))

    now = world.clock.now()
    await world.poll(
        [call(100 + i, now - timedelta(minutes=2), "inbound", "answer") for i in range(7)]
    )
    shown = text_of(await world.ask("last10"))  # at the same moment, so only the data changed

    assert "*30* calls" in shown
    assert len(renders) == 2


async def test_failed_polls_turn_the_reply_stale_with_the_error(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    assert "Data is stale" not in text_of(await world.ask("last10"))

    for _ in range(3):
        world.clock.advance(timedelta(minutes=5))
        await world.poll(SourceError("Wolkvox had a 502", kind="server_error", transient=True))
    shown = text_of(await world.ask("last10"))

    assert "Data is stale" in shown
    assert "Wolkvox had a 502" in shown


async def test_the_age_of_the_poll_moves_on(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    world.clock.advance(timedelta(seconds=41))
    assert "polled 41 seconds ago" in text_of(await world.ask("last10"))

    world.clock.advance(timedelta(seconds=1))

    assert "polled 42 seconds ago" in text_of(await world.ask("last10"))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("last10", "last10 inbound", "*15* calls"),
        ("last10 inbound", "last10", "*23* calls"),
        ("last10 outbound", "last10 out_pre", "*5* calls"),
    ],
)
async def test_each_filter_has_its_own_reply(
    world: World, first: str, second: str, expected: str
) -> None:
    await world.poll(mix(world.clock.now()))
    await world.ask(first)

    assert expected in text_of(await world.ask(second))


async def test_each_scope_has_its_own_reply() -> None:
    world = await make_world(operations=("bogota", "lima"))
    await world.poll(mix(world.clock.now()), "bogota")
    await world.poll(mix(world.clock.now(), abandons=0), "lima")

    both = text_of(await world.ask("last10"))
    lima = text_of(await world.ask("last10 lima"))
    both_again = text_of(await world.ask("last10"))

    assert "*23* calls" in both and "*19* calls" in both
    assert "*19* calls" in lima and "*23* calls" not in lima
    assert both_again == both


@pytest.mark.parametrize(
    ("first", "second"), [("last10 public", "last10"), ("last10", "last10 public")]
)
async def test_a_reply_keeps_the_visibility_its_asker_chose(
    world: World, first: str, second: str
) -> None:
    await world.poll(mix(world.clock.now()))

    one, two = await world.ask(first), await world.ask(second)

    assert one.in_channel is ("public" in first)
    assert two.in_channel is ("public" in second)
    assert text_of(one) == text_of(two)


async def test_changing_a_reply_does_not_change_the_next_one(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    first = await world.ask("last10")
    expected = text_of(first)

    first.blocks[0]["text"]["text"] = "changed by whoever sent it"
    first.blocks.append({"type": "divider"})

    assert text_of(await world.ask("last10")) == expected


@pytest.mark.parametrize(
    "polled_at",
    [
        datetime(2026, 11, 24, 15, 0, 20, 300_000, tzinfo=UTC),  # 10:00 in Bogota
        datetime(2026, 11, 25, 4, 59, 40, 700_000, tzinfo=UTC),  # 23:59 in Bogota
    ],
)
async def test_a_reused_reply_is_what_a_fresh_render_would_say(
    world: World, polled_at: datetime
) -> None:
    """Across second, minute and (local) day boundaries, and the turn to stale data."""
    world.clock.set(polled_at)
    await world.poll(mix(polled_at))
    step = timedelta(milliseconds=370)
    for moment in [polled_at + i * step for i in range(400)] + [
        polled_at + timedelta(minutes=10, seconds=s) for s in range(-2, 3)
    ]:
        world.clock.set(moment)
        cached = await world.ask("last10")
        assert cached == await ask(fresh_service(world), "last10"), moment


async def test_the_quick_reply_over_http_is_the_commands_own_and_only_for_last10(
    world: World, renders: list[int]
) -> None:
    """`quick_reply` (what HTTP mode answers without Bolt's dispatch) says what `on_command`
    says, from the same cache, and leaves every other command to `on_command`."""
    await world.poll(mix(world.clock.now()))
    service = world.service

    for text in ("last10", "last10 public", "last10 inbound 30m", "last10 nowhere"):
        assert service.quick_reply(typed(text)) == await ask(service, text), text
    for text in ("status", "help", "silence abandon 1h", "", "alerts"):
        assert service.quick_reply(typed(text)) is None, text
    world.clock.set(world.clock.now() + timedelta(minutes=11))
    assert service.quick_reply(typed("last10")) == await ask(fresh_service(world), "last10")
    assert "Data is stale" in text_of(service.quick_reply(typed("last10")) or Reply(text=""))


@pytest.mark.parametrize(
    ("language", "mark"),
    [("en", "The database cannot be reached since"), ("es", "La base de datos no responde")],
)
async def test_a_lost_store_marks_every_reply_from_memory_until_it_answers(
    language: str, mark: str
) -> None:
    world = await make_world(language=language)
    await world.poll(mix(world.clock.now()))
    before = text_of(await world.ask("last10"))
    assert mark not in before

    world.service._commands.state.store_lost_since = world.clock.now()
    world.clock.advance(timedelta(minutes=3))
    replies = {text: text_of(await world.ask(text)) for text in ("last10", "status", "alerts")}
    home = texts(await world.service.home_view("U1"))

    for shown in (*replies.values(), home):
        assert mark in shown
    assert "*23*" in replies["last10"]  # the numbers memory holds are still given

    world.service._commands.state.store_lost_since = None
    assert mark not in text_of(await world.ask("last10"))
