"""The running bot (as `callbot run` assembles it) tells, on its own, that a silence ended:
the housekeeping loop records the end and edits the message the silence muted."""

from __future__ import annotations

import asyncio
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


def config(store: Path, port: int) -> str:
    return config_text(
        operations=[operation(base_url=f"http://127.0.0.1:{port}")],
        rules=[rule(window="10m", warning=3, **{"for": 1})],
        store={"path": str(store)},
    )


async def test_the_running_bot_edits_the_message_when_a_silence_runs_out(tmp_path) -> None:
    text = config(tmp_path / "s.sqlite3", free_port())
    settings = parse_settings(text, source="callbot.yml", env={})
    clock, chat = ManualClock(T0), FakeChat()
    source = FakeSource()
    first = assembled(settings, clock=clock, store=store_for(settings), source=source, chat=chat)
    await first.open()
    source.queue("bogota", calls(clock.now(), abandons=4, prefix="a"))
    await first.monitor.poll("bogota")
    until = clock.now() + timedelta(minutes=10)
    await first.controls.silence(rule="abandons", operation="bogota", until=until, by="U7")
    await first.drainer.drain_once()
    await first.store.close()
    [message] = chat.top_level()
    assert message.text.endswith("silenced")

    clock.advance(timedelta(minutes=11))
    runtime = build_runtime(
        settings,
        clock=clock,
        chat=chat,
        presenter=TextPresenter(),
        first_poll_after=timedelta(hours=1),
    )
    runtime.housekeeping_every_s = 0.02
    await runtime.start()
    for _ in range(200):
        if not chat.top_level()[0].text.endswith("silenced"):
            break
        await asyncio.sleep(0.02)
    page = await runtime.store.history(since=T0)
    await runtime.stop()

    [message] = chat.top_level()
    assert not message.text.endswith("silenced")
    assert chat.thread(message.ts) == [
        "silenced by U7: abandons ",
        "silence_expired by U7: abandons ",
    ]
    assert [a.kind.value for a in page.actions] == ["expiry", "silence"]
