"""`apply_settings` on a running runtime (as `callbot run` assembles it), against the
Wolkvox simulator: an operation added starts polling, one removed stops, a changed token
is used from the next poll, and settings read only at start are kept and named."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from bot.adapters.clock import SystemClock
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.bootstrap import build_runtime
from bot.reload import apply_settings
from tests.services.fakes import FakeChat, TextPresenter
from tests.support.config import make_settings, operation

TOKEN_A, TOKEN_B, TOKEN_A2 = "wv-reload-a-1111", "wv-reload-b-2222", "wv-reload-a-3333"


async def until(check: Callable[[], bool], within_s: float = 15.0) -> None:
    async with asyncio.timeout(within_s):
        while True:
            if check():
                return
            await asyncio.sleep(0.05)


async def test_operations_added_removed_and_changed_without_a_restart(tmp_path) -> None:
    async with WolkvoxSimulator(valid_tokens=[TOKEN_A, TOKEN_B, TOKEN_A2]) as wolkvox:

        def settings(*operations: tuple[str, str], language: str = "en"):  # type: ignore[no-untyped-def]
            return make_settings(
                language=language,
                store={"path": tmp_path / "s.sqlite3"},
                operations=[
                    operation(
                        name, token=token, licenses=200, poll_every="1s", base_url=wolkvox.base_url
                    )
                    for name, token in operations
                ],
                source=tmp_path / "callbot.yml",
            )

        runtime = build_runtime(
            settings(("bogota", TOKEN_A)),
            clock=SystemClock(),
            chat=FakeChat(),
            presenter=TextPresenter(),
            first_poll_after=timedelta(seconds=0.05),
        )
        await runtime.start()
        try:
            await until(lambda: wolkvox.requests_for(TOKEN_A) >= 1)

            result = await apply_settings(
                runtime, settings(("bogota", TOKEN_A), ("medellin", TOKEN_B), language="es")
            )

            assert (result.added, result.removed) == (("medellin",), ())
            assert result.needs_restart == ("language",)
            assert runtime.settings.language.value == "en", "kept until a restart"
            await until(lambda: wolkvox.requests_for(TOKEN_B) >= 1)
            assert set(runtime.state.operations) == {"bogota", "medellin"}

            result = await apply_settings(runtime, settings(("medellin", TOKEN_A2)))

            assert (result.added, result.removed, result.changed) == (
                (),
                ("bogota",),
                ("medellin",),
            )
            await until(lambda: wolkvox.requests_for(TOKEN_A2) >= 1)
            stopped_at = wolkvox.requests_for(TOKEN_A)
            polled_b = wolkvox.requests_for(TOKEN_B)
            await until(lambda: wolkvox.requests_for(TOKEN_A2) >= 3)
            assert wolkvox.requests_for(TOKEN_A) == stopped_at, "bogota is no longer polled"
            assert wolkvox.requests_for(TOKEN_B) == polled_b, "medellin polls with its new token"
            assert list(runtime.state.operations) == ["medellin"]
            assert runtime.health()[0] in (True, False)  # /healthz still answers
        finally:
            await runtime.stop()
