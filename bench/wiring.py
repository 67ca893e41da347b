"""The bot's real services wired for a benchmark: configuration, state, store, sources.

Everything here is the production code except where the wire would add nothing but waiting:
`TrafficSource` serves the simulator's own traffic model through the real decode and mapping
(`map_calls_response` of the bytes the simulator would send), without HTTP.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bench.common import LOOPBACK
from bot.adapters.wolkvox.mapping import MappedBatch
from bot.adapters.wolkvox.response import map_calls_response
from bot.adapters.wolkvox.simulator_faults import envelope
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.domain.day_budget import DayBudget
from bot.services.ports import CallSource, Clock, Presenter
from bot.settings import Settings
from tests.support.config import make_settings, operation

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.services.ports.chat import Chat
    from bot.services.ports.store import Store

CHANNEL = "C0ALERTS1"
SIGNING_SECRET = "bench-signing-secret"  # a throwaway value for a local benchmark
BOT_TOKEN = "xoxb-bench"  # a throwaway value for a local fake Slack
ZONE = "America/Bogota"


def operation_names(count: int) -> list[str]:
    return [f"op{i:03d}" for i in range(count)]


def token_of(operation: str) -> str:
    return f"bench-token-{operation}"


def settings_for(
    count: int,
    *,
    poll_every: str = "5m",
    base_url: str | None = None,
    rules: Sequence[Mapping[str, Any]] = (),
    defaults: bool = True,
    store_path: Path | None = None,
) -> Settings:
    """Settings for `count` operations in Bogota, each with its own token and licences,
    written and parsed the way the tests' configurations are (tests/support/config)."""
    more: dict[str, Any] = {} if base_url is None else {"base_url": base_url}
    return make_settings(
        defaults=defaults,
        **({} if store_path is None else {"store": {"path": store_path}}),
        channel=CHANNEL,
        operations=[
            operation(name, token=token_of(name), poll_every=poll_every, timezone=ZONE, **more)
            for name in operation_names(count)
        ],
        rules=rules,
        source="bench.yml",
    )


def bench_runtime(
    settings: Settings,
    *,
    store: Store,
    source: CallSource,
    clock: Clock,
    chat: Chat | None = None,
    presenter: Presenter | None = None,
) -> Runtime:
    """The bot as `bootstrap.assemble` builds it, for a benchmark: the production Slack
    presenter (English, personal data masked) unless another is given, and a chat that
    only records (tests/services/fakes.FakeChat) unless the benchmark measures one."""
    from bot.adapters.slack.presenter import SlackPresenter
    from bot.bootstrap import assemble
    from tests.services.fakes import FakeChat

    return assemble(
        settings,
        store=store,
        source=source,
        chat=FakeChat() if chat is None else chat,
        presenter=(
            SlackPresenter(language="en", mask_personal_data=True)
            if presenter is None
            else presenter
        ),
        clock=clock,
    )


class TrafficSource:
    """A CallSource that answers from the simulator's traffic model at the clock's `now`.

    Each answer goes through the production decode and mapping, from the bytes the
    simulator would have sent, so the records are exactly what a real poll produces.
    `cache_minutes` bounds the generator's own memory (it must cover the 11 minutes of a
    window for every operation polled, so that overlapping polls see the same calls).
    """

    def __init__(
        self, *, clock: Clock, seed: int = 1, scenario: str = "normal", cache_minutes: int = 256
    ) -> None:
        self._clock = clock
        self._zone = ZoneInfo(ZONE)
        self._traffic = TrafficModel(seed=seed, timezone=self._zone, cache_minutes=cache_minutes)
        self._traffic.set_script(scenario, anchor=clock.now())
        self._used: dict[str, int] = {}
        self.records = 0

    def set_scenario(self, scenario: str) -> None:
        self._traffic.set_script(scenario, anchor=self._clock.now())

    async def calls_last_10(self, operation: str) -> MappedBatch:
        rows = self._traffic.window(token_of(operation), self._clock.now())
        self._used[operation] = self._used.get(operation, 0) + 1
        batch = map_calls_response(200, envelope(rows).body, self._zone)
        self.records += len(batch.records)
        return batch

    def budget(self, operation: str, now: datetime) -> DayBudget:
        return DayBudget(day=now.date(), used=self._used.get(operation, 0), limit=8000)

    def restore_budget(self, operation: str, day: date, used: int) -> None:
        self._used[operation] = used


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@contextmanager
def simulator_process(
    *, fault: str | None = None, seed: int = 1, speed: float = 1.0
) -> Iterator[str]:
    """`callbot simulate` in its own process (its memory and CPU are not the bot's); yields
    its URL. `speed` runs its clock that many times faster than real time."""
    port = free_port()
    command = [sys.executable, "-m", "bot", "simulate", "--port", str(port), "--seed", str(seed)]
    command += ["--speed", f"{speed:g}"]
    if fault is not None:
        command += ["--fault", fault]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"the simulator did not start: {error[-500:]}")
            try:
                socket.create_connection((LOOPBACK, port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the simulator did not listen within 30 s") from None
                time.sleep(0.05)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def store_directory() -> Iterator[Path]:
    """A throwaway directory for the SQLite store, in memory-backed /dev/shm when there is
    one, so the figures measure the bot and not a shared disk's fsync."""
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="callbot-bench-", dir=base) as path:
        yield Path(path)
