"""An incident whose rule left the configuration is closed at the next start, once.

Fake Wolkvox answers in, a fake chat out; the real call log, rules, state machine,
memory store, outbox and restore in between. The bot restarts on the same tables
with a configuration that no longer has the rule (or the operation).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.memory import MemoryStore, MemoryTables
from bot.domain.calls import CallRecord
from bot.services.ports import Presenter, RenderedMessage
from bot.services.ports.store import ActionCommit
from bot.settings import parse_settings
from tests.support.config import config_text, operation, rule
from tests.support.world import assembled

from .fakes import Batch, FakeChat, FakeSource, TextPresenter


def config(language: str, operation_name: str, rule_name: str) -> str:
    return config_text(
        operations=[operation(operation_name)],
        rules=[rule(rule_name, window="10m", warning=3, **{"for": 1})],
        language=language,
    )


T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota
KEPT = {"operation": "bogota", "rule": "abandons"}
RULE_RENAMED = {"operation": "bogota", "rule": "abandoned-inbound"}
OPERATION_REMOVED = {"operation": "medellin", "rule": "abandons"}


def calls(now: datetime, abandons: int, prefix: str) -> Batch:
    return Batch(
        records=[
            CallRecord(
                conn_id=f"{prefix}{now:%H%M}-{i}",
                at=now - timedelta(minutes=1 + i % 5),
                call_type="inbound",
                result="abandon" if i < abandons else "answer",
            )
            for i in range(abandons + 20)
        ]
    )


class PayloadChat(FakeChat):
    """A FakeChat that also keeps every payload sent as a message or an edit."""

    def __init__(self) -> None:
        super().__init__()
        self.payloads: list[RenderedMessage] = []

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        self.payloads.append(message)
        return await super().post(channel, message, incident_id=incident_id)

    async def update(self, channel: str, ts: str, message: RenderedMessage) -> None:
        self.payloads.append(message)
        await super().update(channel, ts, message)


class Bot:
    """The services wired as bootstrap wires them, on tables that outlive a restart."""

    def __init__(
        self,
        names: dict[str, str],
        *,
        tables: MemoryTables,
        clock: ManualClock,
        chat: FakeChat,
        presenter: Presenter,
        language: str = "en",
    ) -> None:
        settings = parse_settings(
            config(language, names["operation"], names["rule"]), source="test.yml", env={}
        )
        self.operation = names["operation"]
        self.store = MemoryStore(tables=tables)
        self.clock = clock
        self.source = FakeSource()
        self.presenter = presenter
        self.runtime = assembled(
            settings,
            clock=clock,
            store=self.store,
            source=self.source,
            chat=chat,
            presenter=presenter,
        )
        self.state = self.runtime.state
        self.drainer = self.runtime.drainer
        self.monitor = self.runtime.monitor

    async def start(self) -> None:
        """Open the store and restore from it (closing removed rules' messages), as at start."""
        await self.runtime.open()

    async def cycle(self, abandons: int, prefix: str) -> None:
        self.source.queue(self.operation, calls(self.clock.now(), abandons, prefix))
        await self.monitor.poll(self.operation)
        await self.drainer.drain_once()
        self.clock.advance(timedelta(minutes=1))


async def fire(
    tables: MemoryTables, clock: ManualClock, chat: FakeChat, presenter: Presenter
) -> None:
    bot = Bot(KEPT, tables=tables, clock=clock, chat=chat, presenter=presenter)
    await bot.start()
    await bot.cycle(abandons=4, prefix="a")


async def restart(
    names: dict[str, str],
    tables: MemoryTables,
    clock: ManualClock,
    chat: FakeChat,
    presenter: Presenter,
) -> Bot:
    bot = Bot(names, tables=tables, clock=clock, chat=chat, presenter=presenter)
    await bot.start()
    await bot.drainer.drain_once()
    return bot


@pytest.mark.parametrize("names", [RULE_RENAMED, OPERATION_REMOVED], ids=["rule", "operation"])
async def test_a_firing_message_is_closed_once_when_its_rule_is_gone(
    names: dict[str, str],
) -> None:
    tables, clock, chat, presenter = MemoryTables(), ManualClock(T0), FakeChat(), TextPresenter()
    await fire(tables, clock, chat, presenter)
    [message] = chat.top_level()
    assert message.text.startswith("firing warning abandons bogota")

    clock.advance(timedelta(minutes=30))
    bot = await restart(names, tables, clock, chat, presenter)

    [message] = chat.top_level()
    assert message.text == "removed warning abandons bogota"
    assert chat.thread(message.ts) == ["rule_removed: abandons bogota"]
    assert [a.rule for a in bot.state.alerts if a.rule == "abandons"] == []
    assert await bot.store.outbox_depth() == 0

    clock.advance(timedelta(minutes=30))
    bot = await restart(names, tables, clock, chat, presenter)

    assert [m.text for m in chat.messages] == [
        "removed warning abandons bogota",
        "rule_removed: abandons bogota",
    ]
    assert message.edits == ["firing warning abandons bogota value=4.0"]
    assert await bot.store.outbox_depth() == 0


async def test_the_rule_coming_back_starts_fresh_without_touching_the_closed_message() -> None:
    tables, clock, chat, presenter = MemoryTables(), ManualClock(T0), FakeChat(), TextPresenter()
    await fire(tables, clock, chat, presenter)
    await restart(RULE_RENAMED, tables, clock, chat, presenter)
    closed = [m.text for m in chat.messages]

    bot = await restart(KEPT, tables, clock, chat, presenter)

    assert [m.text for m in chat.messages] == closed
    assert not any(a.firing for a in bot.state.alerts)


@pytest.mark.parametrize(
    ("abandons", "posted"), [(0, 0), (2, 0)], ids=["never fired", "below the threshold"]
)
async def test_alerts_without_a_living_message_are_dropped_quietly(
    abandons: int, posted: int
) -> None:
    tables, clock, chat, presenter = MemoryTables(), ManualClock(T0), FakeChat(), TextPresenter()
    bot = Bot(KEPT, tables=tables, clock=clock, chat=chat, presenter=presenter)
    await bot.start()
    await bot.cycle(abandons=abandons, prefix="q")

    bot = await restart(RULE_RENAMED, tables, clock, chat, presenter)

    assert len(chat.messages) == posted
    assert await bot.store.outbox_depth() == 0


@pytest.mark.parametrize(
    ("language", "header", "note"),
    [
        ("en", "Rule removed: abandons", "the rule was removed from the configuration"),
        ("es", "Regla eliminada: abandons", "la regla se eliminó de la configuración"),
    ],
)
async def test_the_slack_message_is_closed_without_buttons(
    language: str, header: str, note: str
) -> None:
    tables, clock, chat = MemoryTables(), ManualClock(T0), PayloadChat()
    presenter = SlackPresenter(language=language, mask_personal_data=True)
    await fire(tables, clock, chat, presenter)
    firing = chat.payloads[-1]
    assert any(block["type"] == "actions" for block in firing["blocks"])

    await restart(RULE_RENAMED, tables, clock, chat, presenter)

    closed = chat.payloads[-1]
    assert [b["type"] for b in closed["blocks"]].count("actions") == 0
    assert header in closed["blocks"][0]["text"]["text"]
    [message] = chat.top_level()
    [reply] = chat.thread(message.ts)
    assert note in reply


async def test_a_firing_alert_without_a_message_of_its_own_is_stored_ended_at_the_next_start() -> (
    None
):
    # Firing but never posted (muted, quiet hours, shown only in a storm digest): there is
    # no message to close, but the stored alert must end with its rule, or every later
    # start would find it firing again and rewrite its record.
    tables, clock, chat, presenter = MemoryTables(), ManualClock(T0), FakeChat(), TextPresenter()
    await fire(tables, clock, chat, presenter)
    store = MemoryStore(tables=tables)
    await store.open()
    alert = (await store.load(clock.now())).alerts[("bogota", "abandons")]
    await store.commit_action(ActionCommit(alerts=(replace(alert, posted=False),)))
    shown = [(m.text, list(m.edits)) for m in chat.messages]

    bot = await restart(RULE_RENAMED, tables, clock, chat, presenter)

    stored = (await bot.store.load(clock.now())).alerts[("bogota", "abandons")]
    assert not stored.firing
    assert stored.incident_id == alert.incident_id
    assert [(m.text, list(m.edits)) for m in chat.messages] == shown
    assert await bot.store.outbox_depth() == 0
