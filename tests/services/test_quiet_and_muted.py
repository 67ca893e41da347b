"""Quiet is not resolved, and active hours mute: through the real poll cycle.

Fake Wolkvox answers in, a fake chat out; the real call log, rules, state machine,
memory store, outbox, drainer and the real Slack renderer in between, so the
assertions read what a supervisor would read in the channel (issue 12).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.blocks_alerts import render_alert_message, render_alert_note
from bot.adapters.store.memory import MemoryStore, MemoryTables
from bot.domain.calls import CallRecord
from bot.services.ports import RenderedMessage
from bot.services.restore import restore_state
from bot.services.views.alert import AlertEvent, AlertMessageView
from tests.support.config import make_settings, rule
from tests.support.slack_text import texts
from tests.support.world import assembled

from .fakes import Batch, FakeChat, FakeSource, TextPresenter

MENTION = "<!subteam^S0123>"
TUESDAY_10 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota
TUESDAY_1755 = datetime(2026, 11, 24, 22, 55, tzinfo=UTC)  # 17:55 in Bogota


def rules(**extra: str) -> list[dict[str, object]]:
    """The one rule, abandoned inbound calls among inbound; `extra` adds its keys."""
    return [
        rule(
            match={"result": ["abandon"], "type": ["inbound"]},
            among={"type": ["inbound"]},
            min_calls=10,
            window="10m",
            warning=3,
            critical=6,
            repeat="5m",
            mention=MENTION,
            **{"for": 1},
            **extra,
        )
    ]


class ReadablePresenter(TextPresenter):
    """The real Slack rendering, flattened to the words a person reads."""

    def alert_message(self, view: AlertMessageView) -> RenderedMessage:
        payload = render_alert_message(view, "en").to_payload()
        return {"text": texts(payload["blocks"]), "blocks": []}

    def thread_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        return {"text": render_alert_note(view, AlertEvent(event), "en").text, "blocks": []}


class Bot:
    def __init__(self, extra: dict[str, str], start: datetime) -> None:
        settings = make_settings(rules=rules(**extra))
        self.store = MemoryStore(tables=MemoryTables())
        self.clock = ManualClock(start)
        self.source = FakeSource()
        self.chat = FakeChat()
        runtime = assembled(
            settings,
            clock=self.clock,
            store=self.store,
            source=self.source,
            chat=self.chat,
            presenter=ReadablePresenter(),
        )
        self.state = runtime.state
        self.drainer = runtime.drainer
        self.monitor = runtime.monitor
        self._batch = 0

    async def start(self) -> None:
        await self.store.open()
        await restore_state(self.state, store=self.store, source=self.source, now=self.clock.now())

    async def cycle(self, abandons: int = 0, answers: int = 0) -> None:
        """One poll a minute that brings the calls of the last minute."""
        now = self.clock.now()
        self._batch += 1
        records = [
            CallRecord(
                conn_id=f"b{self._batch}-{i}",
                at=now - timedelta(seconds=30),
                call_type="inbound",
                result="abandon" if i < abandons else "answer",
            )
            for i in range(abandons + answers)
        ]
        self.source.queue("bogota", Batch(records=records))
        await self.monitor.poll("bogota")
        await self.drainer.drain_once()
        self.clock.advance(timedelta(minutes=1))

    def message(self) -> str:
        [message] = self.chat.top_level()
        return message.text

    def thread(self) -> list[str]:
        [message] = self.chat.top_level()
        return self.chat.thread(message.ts)


@pytest.fixture
async def thin() -> Bot:
    bot = Bot({}, TUESDAY_10)
    await bot.start()
    return bot


async def test_a_firing_alert_that_goes_quiet_stays_open_and_says_why(thin: Bot) -> None:
    bot = thin
    await bot.cycle(answers=5)
    await bot.cycle(abandons=7, answers=10)  # 7 of 22 in the window: critical
    assert bot.message().startswith(":red_circle: Critical: abandons · bogota")
    assert MENTION in bot.message()

    for i in range(10):  # traffic thins out: one answered call every other minute
        await bot.cycle(answers=1 - i % 2)
    assert bot.state.alerts.get("abandons", "bogota").firing
    text = bot.message()
    assert text.startswith(":red_circle: Critical")
    assert "Too few calls to judge: 5 of 10." in text
    assert "quiet is not resolved" in text
    [reminder] = bot.thread()  # 10:06, while it still breached; going quiet is no news
    assert reminder.startswith(":bell: Still firing since 10:01")

    for _ in range(30):  # nobody calls any more
        await bot.cycle()
    assert not bot.state.alerts.get("abandons", "bogota").firing
    text = bot.message()
    assert text.startswith(":white_check_mark: Resolved: abandons · bogota")
    assert "nothing to judge for 30 minutes" in text
    [_, resolved] = bot.thread()  # no reminders while nothing could be judged
    assert resolved == (
        ":white_check_mark: Resolved after 40 minutes: nothing to judge for 30 minutes."
    )


@pytest.fixture
async def closing() -> Bot:
    bot = Bot({"active": "mon-fri 08:00-18:00"}, TUESDAY_1755)
    await bot.start()
    return bot


async def test_active_hours_mute_a_firing_alert_and_it_resolves_quietly(closing: Bot) -> None:
    bot = closing
    await bot.cycle(answers=20)  # 17:55
    await bot.cycle(abandons=4, answers=20)  # 17:56: warning
    assert bot.message().startswith(":large_orange_circle: Warning: abandons · bogota")

    for _ in range(3):  # 17:57 - 17:59: still warning
        await bot.cycle(answers=5)
    for _ in range(10):  # 18:00 - 18:09: outside active hours, the abandons get worse
        await bot.cycle(abandons=1, answers=5)
    alert = bot.state.alerts.get("abandons", "bogota")
    assert alert.firing and alert.muted_since is not None
    text = bot.message()
    assert "Outside active hours since 18:00" in text
    assert text.startswith(":large_orange_circle: Warning")  # no escalation while muted
    assert bot.thread() == []  # no reminder (repeat 5m), no escalation note

    for _ in range(11):  # 18:10 - 18:20: the abandons age out of the window
        await bot.cycle(answers=5)
    assert not bot.state.alerts.get("abandons", "bogota").firing
    assert bot.message().startswith(":white_check_mark: Resolved: abandons · bogota")
    assert bot.thread() == []  # resolved quietly: an edit, no thread reply
