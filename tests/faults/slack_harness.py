"""The whole bot in-process, between the Wolkvox simulator and the fake Slack Web API.

`running_bot` builds the runtime with `bootstrap.build_runtime` (scheduler, Wolkvox client,
SQLite store, outbox drainer, metrics, health) on a `SimulatedClock` shared with the
simulator, so minutes of contact-centre time pass in seconds; then puts the Slack side
around it as `run_bot` does in HTTP mode: the command service, the authorizer, the Bolt
app with the signing secret, /slack/events, /healthz and /metrics on one port. The
presenter is the real `SlackPresenter`, wrapped to remember every message it rendered,
so a test can compare what the bot meant to say with what the channel shows.

slack_sdk's own retries (429, 5xx) sleep in real time, which the simulated clock would
turn into many minutes per call; they are off here, so every wait of the bot is the
outbox drainer's backoff on the simulated clock (tests/adapters/slack cover the retries).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.adapters.clock import SimulatedClock
from bot.adapters.slack.app import build_app, build_web_client
from bot.adapters.slack.authorizer import SlackAuthorizer
from bot.adapters.slack.http_server import HttpServer, start_http
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.bootstrap import build_runtime, calls_frontend
from bot.demo import demo_start
from bot.runtime import Runtime
from bot.services.monitor import CycleReport
from bot.services.ports import RenderedMessage
from bot.services.views.alert import ActionResultView, AlertMessageView
from bot.settings import parse_settings
from tests.fakes.slack_api import FakeSlackApi
from tests.support.config import config_text, operation, rule

BOT_TOKEN = "xoxb-faults-0000-bot-token-5e1d"
NEW_BOT_TOKEN = "xoxb-faults-1111-reinstalled-77c2"
SIGNING_SECRET = "faults-signing-secret-0b9f4e"
WOLKVOX_TOKEN = "wv-faults-bogota-token-3c8a"
CHANNEL = "C0ALERTS1"
RULE = "inbound-seen"
SPEED = 120.0
"""Simulated seconds per real second: a 30 s poll every quarter of a real second."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message the presenter rendered: `kind` is `alert` (the living message) or
    `note:<event>` (a thread reply); `cycle` is the index of the poll cycle that did."""

    incident_id: str
    kind: str
    payload: RenderedMessage
    cycle: int


class RecordingPresenter:
    """The real presenter, remembering every message it rendered, in order.

    `cycles` is the list the runtime appends each finished cycle's report to: a message
    counts as meant only once its cycle committed rows (a cycle abandoned at shutdown
    rendered words that were never stored, so they were never going to be sent).
    """

    def __init__(self, inner: SlackPresenter, *, cycles: list[CycleReport]) -> None:
        self._inner = inner
        self._cycles = cycles
        self.rendered: list[Rendered] = []

    @property
    def language(self) -> str:
        return self._inner.language

    def alert_message(self, view: AlertMessageView) -> RenderedMessage:
        payload = self._inner.alert_message(view)
        self.rendered.append(Rendered(view.incident_id, "alert", payload, len(self._cycles)))
        return payload

    def thread_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        payload = self._inner.thread_note(view, event)
        self.rendered.append(
            Rendered(view.incident_id, f"note:{event}", payload, len(self._cycles))
        )
        return payload

    def action_note(self, view: ActionResultView) -> RenderedMessage:
        return self._inner.action_note(view)

    def __getattr__(self, name: str) -> Any:
        """Every other rendering (digests, removed rules) is the real presenter's, unrecorded."""
        return getattr(self._inner, name)

    def committed(self) -> list[Rendered]:
        """What the bot stored to send, in order."""
        cycles = self._cycles
        return [r for r in self.rendered if r.cycle < len(cycles) and cycles[r.cycle].outbox_ids]

    def events(self) -> list[str]:
        return [r.kind for r in self.committed()]


@dataclass
class Bot:
    slack: FakeSlackApi
    wolkvox: WolkvoxSimulator | WolkvoxStub
    runtime: Runtime
    server: HttpServer
    clock: SimulatedClock
    presenter: RecordingPresenter
    reports: list[CycleReport] = field(default_factory=list)

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"

    async def get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.server.port}{path}"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.text()

    async def wait_until(self, check: Callable[[], object], within_s: float = 20.0) -> None:
        """Wait (bounded, in real seconds) until `check()` is true."""
        async with asyncio.timeout(within_s):
            while True:  # the state changes in other tasks, with no event to wait on
                if check():
                    return
                await asyncio.sleep(0.05)

    async def wait_for_time(self, delta: timedelta, within_s: float = 20.0) -> None:
        """Let `delta` of simulated time pass."""
        until = self.clock.now() + delta
        await self.wait_until(lambda: self.clock.now() >= until, within_s)

    async def wait_for_polls(self, count: int, within_s: float = 20.0) -> None:
        """Let `count` more poll cycles finish."""
        target = len(self.reports) + count
        await self.wait_until(lambda: len(self.reports) >= target, within_s)

    async def wait_for_outbox_empty(self, within_s: float = 20.0) -> None:
        async with asyncio.timeout(within_s):
            while True:
                if not await self.runtime.store.outbox_depth():
                    return
                await asyncio.sleep(0.05)

    def top_level(self, channel: str = CHANNEL) -> list[dict[str, Any]]:
        return [m for m in self.slack.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]]


def incident_of(message: dict[str, Any]) -> str | None:
    """The incident a message belongs to, read from its metadata."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    value = payload.get("incident_id")
    return str(value) if value is not None else None


def shown(message: dict[str, Any]) -> tuple[str, str]:
    """What a person sees of a message: its text and its blocks, as JSON."""
    return str(message.get("text") or ""), json.dumps(message.get("blocks") or [], sort_keys=True)


def meant(payload: RenderedMessage) -> tuple[str, str]:
    """What the bot rendered, in the same shape as `shown`."""
    return str(payload.get("text") or ""), json.dumps(payload.get("blocks") or [], sort_keys=True)


def settings_text(
    *, store: Path, base_url: str, admins: Iterable[str] = (), reminders: bool = True
) -> str:
    """One busy operation on the simulator at `base_url` and one rule that fires on any
    inbound call at all, so that an incident starts at once; with `reminders`, a reminder
    in its thread every simulated minute while it fires."""
    listed = list(admins)
    return config_text(
        language="en",
        mask_personal_data=True,
        store={"path": store},
        channel=CHANNEL,
        slack={"admins": listed} if listed else None,
        operations=[
            operation(
                token=WOLKVOX_TOKEN,
                licenses=200,
                poll_every="30s",
                timezone="America/Bogota",
                base_url=base_url,
            )
        ],
        rules=[
            rule(
                RULE,
                description="Any inbound call at all, so that an incident starts at once",
                match={"type": ["inbound"]},
                window="2m",
                warning=1,
                **({"repeat": "1m"} if reminders else {}),
            )
        ],
    )


class WolkvoxStub:
    """A Wolkvox that answers every request with the same raw bytes (`body`), for values
    the simulator cannot send: any field, any JSON type, bytes that are not UTF-8."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self) -> WolkvoxStub:
        app = web.Application()
        app.router.add_get("/api/v2/real_time.php", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        return web.Response(body=self.body, content_type="application/json")


def simulated_clock(speed: float = SPEED) -> SimulatedClock:
    """10:00 on a weekday in Bogota (busy traffic), running `speed` times real time."""
    return SimulatedClock(demo_start(datetime.now(UTC)), speed=speed)


@asynccontextmanager
async def fakes(clock: SimulatedClock) -> AsyncIterator[tuple[FakeSlackApi, WolkvoxSimulator]]:
    """The fake Slack and a busy simulated operation on `clock`, to outlive one bot."""
    async with (
        FakeSlackApi(bot_token=BOT_TOKEN) as slack,
        WolkvoxSimulator(clock=clock, valid_tokens=[WOLKVOX_TOKEN], volume=2.0) as wolkvox,
    ):
        yield slack, wolkvox


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    slack: FakeSlackApi | None = None,
    wolkvox: WolkvoxSimulator | WolkvoxStub | None = None,
    clock: SimulatedClock | None = None,
    admins: Iterable[str] = (),
    reminders: bool = True,
    bot_token: str = BOT_TOKEN,
) -> AsyncIterator[Bot]:
    """The bot started, polling and delivering; stopped (as on SIGTERM) on the way out.

    Pass the `slack`, `wolkvox` and `clock` of a previous bot to start a second one on the
    same fakes (a restart); the store is `tmp_path/callbot.sqlite3` either way.
    """
    clock = clock or simulated_clock()
    async with contextlib.AsyncExitStack() as stack:
        if slack is None or wolkvox is None:
            own_slack, own_wolkvox = await stack.enter_async_context(fakes(clock))
            slack, wolkvox = slack or own_slack, wolkvox or own_wolkvox
        env = {"SLACK_BOT_TOKEN": bot_token, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
        text = settings_text(
            store=tmp_path / "callbot.sqlite3",
            base_url=wolkvox.base_url,
            admins=admins,
            reminders=reminders,
        )
        settings = parse_settings(text, source="faults.yml", env=env)
        reports: list[CycleReport] = []
        presenter = RecordingPresenter(
            SlackPresenter(language="en", mask_personal_data=True), cycles=reports
        )
        client = build_web_client(
            bot_token=bot_token, api_url=slack.api_url, rate_limit_retries=0, server_error_retries=0
        )
        runtime = build_runtime(
            settings,
            clock=clock,
            chat=SlackChat(client=client),
            presenter=presenter,
            speed=clock.speed,
            first_poll_after=timedelta(seconds=0.05),
            on_cycle=reports.append,
        )
        runtime.housekeeping_every_s = 0.1
        await runtime.start()
        # A generous grace: a cycle cut short after its commit would leave rows unreported.
        stack.push_async_callback(runtime.stop, cycle_grace_s=10.0, drain_grace_s=1.0)
        frontend = calls_frontend(
            runtime,
            authorizer=SlackAuthorizer(
                client=client, admins=settings.slack.admins, admin_group=settings.slack.admin_group
            ),
        )
        app = build_app(
            frontend=frontend, bot_token=bot_token, signing_secret=SIGNING_SECRET, client=client
        )
        server = await start_http(
            app,
            host="127.0.0.1",
            port=0,
            health=runtime.health,
            metrics=runtime.metrics.exposition,
        )
        stack.push_async_callback(server.stop)
        yield Bot(slack, wolkvox, runtime, server, clock, presenter, reports)


def log_text(records: Iterable[logging.LogRecord]) -> str:
    """Every log record as the bot would print it: message, then any traceback."""
    lines = []
    for record in records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


def assert_channel_shows_exactly(slack: FakeSlackApi, rendered: list[Rendered]) -> None:
    """Nothing lost, nothing duplicated, in order: each incident has one living message
    (in the order the incidents started) showing its last rendered state, its thread holds
    every note rendered for it once and in order, and the channel holds nothing else."""
    everything = slack.messages(CHANNEL)
    top = [m for m in everything if m.get("thread_ts", m["ts"]) == m["ts"]]
    assert [incident_of(m) for m in top] == list(dict.fromkeys(r.incident_id for r in rendered))
    replies = 0
    for message in top:
        mine = [r for r in rendered if r.incident_id == incident_of(message)]
        alerts = [meant(r.payload) for r in mine if r.kind == "alert"]
        notes = [meant(r.payload) for r in mine if r.kind != "alert"]
        thread = slack.thread(CHANNEL, message["ts"])
        assert shown(message) == alerts[-1]
        assert [shown(m) for m in thread] == notes
        replies += len(thread)
    assert len(everything) == len(top) + replies, "a reply outside every incident's thread"
