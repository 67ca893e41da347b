"""The running bot (as `callbot run` assembles it) tells, on its own, that a silence ended:
the housekeeping loop records the end and edits the message the silence muted."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.adapters.clock import ManualClock
from bot.adapters.store.sqlite import SQLiteStore
from bot.bootstrap import build_runtime
from bot.services.control import Controls
from bot.services.delivery import OutboxDrainer
from bot.services.monitor import Monitor
from bot.services.restore import restore_state
from bot.services.state import RuntimeState
from bot.settings import parse_settings
from tests.services.fakes import FakeChat, FakeSource, TextPresenter
from tests.services.test_removed_rules import T0, calls

from .bot_process import free_port

CONFIG = """
defaults: false
store: {{path: {store}}}
slack: {{default_channel: C0ALERTS1}}
operations:
  - {{name: bogota, server: "0004", token: t-secret, licenses: 10, poll_every: 1m,
      base_url: "http://127.0.0.1:{port}"}}
rules:
  - {{name: abandons, kind: count, match: {{result: [abandon], type: [inbound]}}, window: 10m,
      warning: 3, for: 1}}
"""


async def test_the_running_bot_edits_the_message_when_a_silence_runs_out(tmp_path) -> None:
    text = CONFIG.format(store=tmp_path / "s.sqlite3", port=free_port())
    settings = parse_settings(text, source="callbot.yml", env={})
    clock, chat = ManualClock(T0), FakeChat()
    store = SQLiteStore(path=settings.store.path)
    state = RuntimeState.from_settings(settings)
    source = FakeSource()
    await store.open()
    await restore_state(state, store=store, source=source, now=clock.now())
    monitor = Monitor(
        state=state, source=source, store=store, clock=clock, presenter=TextPresenter()
    )
    controls = Controls(state=state, store=store, clock=clock, presenter=TextPresenter())
    source.queue("bogota", calls(clock.now(), abandons=4, prefix="a"))
    await monitor.poll("bogota")
    until = clock.now() + timedelta(minutes=10)
    await controls.silence(rule="abandons", operation="bogota", until=until, by="U7")
    await OutboxDrainer(outbox=store, chat=chat, clock=clock).drain_once()
    await store.close()
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
