"""The running bot (as `callbot run` assembles it) closes, at start, the living message of
an incident whose rule was taken out of the configuration."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.adapters.clock import ManualClock
from bot.bootstrap import build_runtime, store_for
from bot.settings import parse_settings
from tests.services.fakes import FakeChat, FakeSource, TextPresenter
from tests.services.test_removed_rules import T0, calls
from tests.support.config import config_text, operation, rule
from tests.support.world import assembled

from .bot_process import free_port


def config(store: Path, port: int, rule_name: str) -> str:
    return config_text(
        operations=[operation(base_url=f"http://127.0.0.1:{port}")],
        rules=[rule(rule_name, window="10m", warning=3, **{"for": 1})],
        store={"path": str(store)},
    )


async def test_runtime_start_closes_the_message_of_a_rule_no_longer_configured(tmp_path) -> None:
    def settings(rule: str):  # type: ignore[no-untyped-def]
        text = config(tmp_path / "s.sqlite3", free_port(), rule)
        return parse_settings(text, source="callbot.yml", env={})

    clock, chat = ManualClock(T0), FakeChat()
    before = settings("abandons")
    source = FakeSource()
    first = assembled(before, clock=clock, store=store_for(before), source=source, chat=chat)
    await first.open()
    source.queue("bogota", calls(clock.now(), abandons=4, prefix="a"))
    await first.monitor.poll("bogota")
    await first.drainer.drain_once()
    await first.store.close()
    [message] = chat.top_level()
    assert message.text.startswith("firing")

    clock.advance(timedelta(minutes=5))
    runtime = build_runtime(
        settings("abandoned-inbound"),
        clock=clock,
        chat=chat,
        presenter=TextPresenter(),
        first_poll_after=timedelta(hours=1),
    )
    await runtime.start()
    await runtime.stop()  # its drainer delivers what the start queued, at the latest when stopping

    [message] = chat.top_level()
    assert not message.text.startswith("firing")
    assert len(chat.thread(message.ts)) == 1
