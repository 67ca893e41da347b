"""A real `callbot run --http` process for the runtime tests, between the Wolkvox
simulator and the fake Slack Web API, both served by the test on 127.0.0.1.

`Replicas` starts several of them on one store (a PostgreSQL schema of the test's own), as
a deployment behind a load balancer runs them: one configuration, one log file per process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.config.model import Settings
from tests.fakes.slack_api import FakeSlackApi
from tests.support import config as support_config
from tests.support.config import make_settings, operation

BOT_TOKEN = "xoxb-test-0000-bot-token-secret"
SIGNING_SECRET = "test-signing-secret-8c1e5f"
WOLKVOX_TOKEN = "wv-bogota-token-4d2a"
CHANNEL = "C0ALERTS1"
POLL_EVERY = "1s"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    directory: Path,
    *,
    base_url: str,
    token: str = WOLKVOX_TOKEN,
    store_url: str | None = None,
    lease_ttl: str | None = None,
    poll_every: str = POLL_EVERY,
    rules: Sequence[Mapping[str, Any]] = (),
    names: Sequence[str] = ("bogota",),
) -> Path:
    """callbot.yml in `directory`: an operation per name (one, bogota, unless told) on the
    simulator at `base_url`, all with the Wolkvox `token`, stored in SQLite beside it, or in
    PostgreSQL at `store_url` (with `lease_ttl` when given); `rules` are entries built with
    tests.support.config.rule."""
    store: dict[str, Any] = (
        {"path": directory / "callbot.sqlite3"} if store_url is None else {"url": store_url}
    )
    if store_url is not None and lease_ttl is not None:
        store["lease_ttl"] = lease_ttl
    return support_config.write_config(
        directory / "callbot.yml",
        log_format="json",
        store=store,
        channel=CHANNEL,
        operations=[
            operation(name, token=token, licenses=200, poll_every=poll_every, base_url=base_url)
            for name in names
        ],
        rules=rules,
    )


def run_settings(
    store: Path, base_url: str, *, env: Mapping[str, str], metrics_port: int = 0
) -> Settings:
    """The same operation as `write_config`'s, parsed for `run_bot` in the test's own
    process: stored in SQLite at `store`, metrics on `metrics_port` (0: none)."""
    return make_settings(
        store={"path": store},
        http={"metrics_port": metrics_port},
        channel=CHANNEL,
        operations=[
            operation(token=WOLKVOX_TOKEN, licenses=200, poll_every=POLL_EVERY, base_url=base_url)
        ],
        source="t.yml",
        env=env,
    )


@asynccontextmanager
async def deployment(
    directory: Path, simulator: WolkvoxSimulator, *, store_url: str, **config: Any
) -> AsyncIterator[tuple[FakeSlackApi, Replicas]]:
    """Two replicas, not yet started, on the configuration `write_config(directory, ...)`
    writes for `store_url` and `config`, between `simulator` and a fake Slack, both started
    here; on the way out the replicas are killed and both fakes stopped."""
    await simulator.start()
    slack = await FakeSlackApi(bot_token=BOT_TOKEN).start()
    try:
        path = write_config(directory, base_url=simulator.base_url, store_url=store_url, **config)
        replicas = Replicas(directory, config=path, slack_api_url=slack.api_url)
        try:
            yield slack, replicas
        finally:
            replicas.kill()
    finally:
        await slack.stop()
        await simulator.stop()


class BotProcess:
    """`python -m bot run --http --port N --config FILE`, logs kept in a file."""

    def __init__(self, directory: Path, *, config: Path, slack_api_url: str) -> None:
        self.directory = directory
        self.config = config
        self.port = free_port()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CALLBOT_"))},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api_url,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.directory / f"bot-{self.runs}.log"

    def start(self) -> None:
        self.runs += 1
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--http",
                    "--port",
                    str(self.port),
                    "--config",
                    str(self.config),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.directory,
            )

    def logs(self) -> str:
        return "\n".join(
            (self.directory / f"bot-{n}.log").read_text(encoding="utf-8", errors="replace")
            for n in range(1, self.runs + 1)
        )

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(self.url + path) as response:
            return response.status, await response.text()

    async def wait_until(self, check: Callable[[], object], within_s: float = 15.0) -> None:
        """Poll an async `check()` until it returns true; fail early if the process died."""
        async with asyncio.timeout(within_s):
            while True:
                assert self.proc is not None and self.proc.poll() is None, self.logs()
                try:
                    if await check():  # type: ignore[misc]
                        return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)

    async def answers(self) -> bool:
        """/healthz answers at all (200 or 503): the process serves HTTP."""
        status, _ = await self.get("/healthz")
        return status in (200, 503)

    async def metrics(self) -> str:
        status, text = await self.get("/metrics")
        assert status == 200, text
        return text

    async def wait_healthy(self) -> None:
        async def healthy() -> bool:
            status, _ = await self.get("/healthz")
            return status == 200

        await self.wait_until(healthy)

    async def stop(self, signum: int = signal.SIGTERM, within_s: float = 8.0) -> int:
        """Send `signum` and wait (in a thread, so the test's servers keep answering)."""
        assert self.proc is not None
        self.proc.send_signal(signum)
        return await asyncio.to_thread(self.proc.wait, within_s)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def metric(text: str, series: str) -> float:
    """The value of one series in a Prometheus exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


class Replicas:
    """`count` `callbot run --http` processes on one configuration (so one store), each
    with its own port and its own directory for logs (`replica-1`, `replica-2`, ...)."""

    def __init__(
        self, directory: Path, *, config: Path, slack_api_url: str, count: int = 2
    ) -> None:
        self.bots: list[BotProcess] = []
        for n in range(1, count + 1):
            home = directory / f"replica-{n}"
            home.mkdir()
            self.bots.append(BotProcess(home, config=config, slack_api_url=slack_api_url))

    def __iter__(self) -> Iterator[BotProcess]:
        return iter(self.bots)

    def __getitem__(self, index: int) -> BotProcess:
        return self.bots[index]

    async def start(self) -> None:
        """Start every replica at once (they race for the schema and the leases, as a
        deployment's do) and wait until each answers /healthz."""
        for bot in self.bots:
            bot.start()
        await asyncio.gather(*(bot.wait_until(bot.answers) for bot in self.bots))

    def logs(self) -> str:
        return "\n".join(f"--- {bot.directory.name}\n{bot.logs()}" for bot in self.bots)

    def kill(self) -> None:
        for bot in self.bots:
            bot.kill()
