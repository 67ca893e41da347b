"""Quiet while stopped (issue 17): a stopped or failing operation is told once, then
reminded every few minutes, and its `wolkvox-unavailable` message is edited when the
cause, the state or the age in whole minutes changes, never on every poll."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.memory import MemoryStore, MemoryTables
from bot.services.ports import SourceError
from bot.services.quiet import PollLogQuieter
from bot.services.restore import restore_state
from bot.settings import parse_settings
from tests.support.config import config_text, operation
from tests.support.world import assembled

from .fakes import Batch, FakeChat, FakeSource

CONFIG = config_text(operations=[operation(licenses=20, poll_every="10s")])
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
EVERY = timedelta(seconds=10)
REFUSED = SourceError(
    "operation 'bogota': Wolkvox refused the token",
    kind="token_rejected",
    transient=False,
    stops_polling=True,
)
CONNECTION = SourceError("could not connect", kind="connection", transient=True)
TIMEOUT = SourceError("no answer within 60 s", kind="timeout", transient=True)


class Bot:
    def __init__(self) -> None:
        settings = parse_settings(CONFIG, source="test.yml", env={})
        self.store = MemoryStore(tables=MemoryTables())
        self.clock = ManualClock(T0)
        self.source = FakeSource()
        self.chat = FakeChat()
        runtime = assembled(
            settings, clock=self.clock, store=self.store, source=self.source, chat=self.chat
        )
        self.state = runtime.state
        self.drainer = runtime.drainer
        self.monitor = runtime.monitor

    async def start(self) -> None:
        await self.store.open()
        await restore_state(self.state, store=self.store, source=self.source, now=self.clock.now())

    async def cycles(self, count: int, answer: Batch | SourceError | None = None) -> None:
        for _ in range(count):
            if answer is not None:
                self.source.queue("bogota", answer)
            await self.monitor.poll("bogota")
            await self.drainer.drain_once()
            self.clock.advance(EVERY)

    def unavailable(self):
        [message] = [m for m in self.chat.top_level() if "wolkvox-unavailable" in m.text]
        return message


def poll_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and "event=poll " in r.getMessage()
    ]


async def test_a_stopped_operation_edits_its_message_once_a_minute_not_every_poll(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="callbot.monitor")
    bot = Bot()
    await bot.start()
    await bot.cycles(1, Batch(records=[]))
    await bot.cycles(1, REFUSED)
    await bot.cycles(5)  # stopped: no request, the alert fires
    message = bot.unavailable()
    edits_before = len(message.edits)

    await bot.cycles(60)  # ten minutes of polls, six a minute

    edits = len(message.edits) - edits_before
    assert 5 <= edits <= 11, f"{edits} edits in 10 minutes of 60 polls"
    warnings = poll_warnings(caplog)
    assert 2 <= len(warnings) <= 3, warnings  # the change, then a reminder every 5 minutes
    assert "outcome=token_rejected" in warnings[0]
    assert all("refused the token" in w for w in warnings)
    quiet = [
        r for r in caplog.records if r.levelno == logging.DEBUG and "event=poll " in r.getMessage()
    ]
    assert len(quiet) >= 60, "every poll is still logged, at DEBUG"


async def test_a_new_cause_is_told_and_shown_at_once_and_recovery_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    bot = Bot()
    await bot.start()
    await bot.cycles(1, Batch(records=[]))
    await bot.cycles(9, CONNECTION)
    message = bot.unavailable()
    assert "error=could not connect" in message.text
    assert len(poll_warnings(caplog)) == 1

    await bot.cycles(1, TIMEOUT)  # same minute, another cause

    assert "error=no answer within 60 s" in message.text
    assert len(poll_warnings(caplog)) == 2

    await bot.cycles(1, Batch(records=[]))
    recovered = [r.getMessage() for r in caplog.records if "event=poll_recovered" in r.getMessage()]
    assert recovered == ["event=poll_recovered operation=bogota failed_for_s=100"]


@pytest.mark.parametrize(
    ("steps", "levels"),
    [
        # (seconds after start, cause) -> level of that failed poll
        ([(0, "a"), (10, "a"), (290, "a"), (300, "a"), (310, "a")], ["W", "D", "D", "W", "D"]),
        ([(0, "a"), (10, "b"), (20, "b"), (30, "a")], ["W", "W", "D", "W"]),
        ([(0, "a"), (600, "a"), (601, "a"), (1200, "a")], ["W", "W", "D", "W"]),
    ],
)
def test_poll_log_levels(steps: list[tuple[int, str]], levels: list[str]) -> None:
    quieter = PollLogQuieter(reminder_every=timedelta(minutes=5))
    got = [
        "W" if quieter.failed("op", cause, T0 + timedelta(seconds=s)) == logging.WARNING else "D"
        for s, cause in steps
    ]
    assert got == levels


def test_recovery_forgets_the_failure() -> None:
    quieter = PollLogQuieter()
    assert quieter.succeeded("op", T0) is None
    quieter.failed("op", "a", T0)
    assert quieter.succeeded("op", T0 + timedelta(minutes=3)) == timedelta(minutes=3)
    assert quieter.failed("op", "a", T0 + timedelta(minutes=4)) == logging.WARNING
