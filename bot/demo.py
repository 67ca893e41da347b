"""`callbot demo`: the whole bot in a minute, with no Slack and no Wolkvox credentials.

The simulator plays a scripted morning (by default an abandon surge, then a trunk
failure, then recovery) on a simulated clock that the bot shares, starting at 10:00 in
Bogota on a weekday so the traffic is a busy contact centre's. Everything else is the
real bot, as `bootstrap.assemble` builds it for `callbot run`: scheduler, Wolkvox
client, detection, a temporary SQLite store, the outbox and its drainer. Only the chat
differs: a terminal that prints each message as a person would read it, or, with
`--slack CHANNEL` and SLACK_BOT_TOKEN, a real Slack channel.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.adapters.clock import SimulatedClock
from bot.adapters.console import ConsoleChat, render_message
from bot.adapters.slack.app import build_web_client
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.ports import CommandRequest
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.slack.text import format_age
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.adapters.wolkvox.simulator_scenarios import SCENARIOS, validate_scenario
from bot.bootstrap import (
    EXIT_OK,
    EXIT_USAGE,
    SLACK_API_URL_ENV,
    CycleHooks,
    build_runtime,
    calls_frontend,
    configure_logs,
    wire_context,
)
from bot.config.model import LogFormat, Settings
from bot.domain.alerts import Alert, Reason
from bot.domain.durations import parse_duration
from bot.runtime import Runtime
from bot.services.commands import AllowAll
from bot.services.context import ContextService
from bot.services.monitor import CycleReport
from bot.services.ports.chat import Chat
from bot.settings import parse_settings

DEMO_TIMEZONE = ZoneInfo("America/Bogota")
DEMO_OPERATION = "bogota"
DEMO_TOKEN = "demo-token-bogota"  # noqa: S105 (the simulator's made-up token)
DEMO_CHANNEL = "C0CALLBOTDEMO"
DEMO_CHANNEL_NAME = "callbot-demo"
DEMO_VOLUME = 3.0
"""Traffic multiplier: a busy centre, so the rules' volume guards are met."""
POLL_EVERY = "30s"
TICK = timedelta(minutes=10)
HOUSEKEEPING = timedelta(seconds=30)

_CONFIG = """\
language: {language}
mask_personal_data: true
store:
  path: {store}
slack:
  default_channel: {channel}
operations:
  - name: {operation}
    server: "0001"
    token: {token}
    licenses: 10
    poll_every: {poll_every}
    timezone: {timezone}
    base_url: {base_url}
"""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    minutes: float = 60.0
    speed: float = 60.0
    scenario: str = "demo"
    language: str = "en"
    slack_channel: str | None = None
    seed: int = 1


def demo_start(now: datetime) -> datetime:
    """10:00 in Bogota today, or on the last weekday before today at a weekend."""
    day = now.astimezone(DEMO_TIMEZONE).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=DEMO_TIMEZONE).astimezone(UTC)


def demo_settings(*, base_url: str, store: Path, channel: str, language: str) -> Settings:
    """One operation on the simulator, the shipped rules, a 30-second poll."""
    text = _CONFIG.format(
        language=language,
        store=store,
        channel=channel,
        operation=DEMO_OPERATION,
        token=DEMO_TOKEN,
        poll_every=POLL_EVERY,
        timezone=DEMO_TIMEZONE.key,
        base_url=base_url,
    )
    return parse_settings(text, source="callbot demo", env={})


def describe_script(scenario: str, start: datetime, lang: str = "en") -> list[str]:
    """The scenario's incidents as local times, for the introduction."""
    tr = Translator(lang)
    lines = []
    for phase in SCENARIOS[scenario]:
        begin = (start + timedelta(minutes=phase.start)).astimezone(DEMO_TIMEZONE)
        end = (start + timedelta(minutes=phase.end)).astimezone(DEMO_TIMEZONE)
        incident = phase.incident.value
        lines.append(
            "  "
            + tr(
                "demo.phase",
                begin=f"{begin:%H:%M}",
                end=f"{end:%H:%M}",
                name=tr(f"demo.incident_name.{incident}"),
                text=tr(f"demo.incident.{incident}"),
            )
        )
    return lines or ["  " + tr("demo.normal")]


class DemoTally:
    """Counts what the audience should have seen, for the closing line."""

    def __init__(self) -> None:
        self.reasons: Counter[str] = Counter()

    def __call__(self, report: CycleReport) -> None:
        for decision in report.decisions:
            self.reasons[decision.reason.value] += 1

    @property
    def fired(self) -> int:
        return self.reasons[Reason.FIRST.value]

    @property
    def resolved(self) -> int:
        return sum(
            self.reasons[r.value]
            for r in (Reason.RESOLVED, Reason.RESOLVED_SILENCED, Reason.RESOLVED_MUTED)
        )

    @property
    def updated(self) -> int:
        return sum(
            self.reasons[r.value]
            for r in (Reason.UPDATED, Reason.ESCALATED, Reason.DEESCALATED, Reason.REMINDER)
        )


async def run_demo(
    options: DemoOptions, *, out: TextIO | None = None, env: Mapping[str, str] | None = None
) -> int:
    """Play `options.minutes` of simulated time, then stop cleanly and return 0."""
    environ = os.environ if env is None else env
    stream = out or sys.stdout
    try:
        validate_scenario(options.scenario)
    except ValueError as exc:
        print(f"callbot demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if options.minutes <= 0 or options.speed <= 0:
        print("callbot demo: --minutes and --speed must be positive", file=sys.stderr)
        return EXIT_USAGE
    bot_token = environ.get("SLACK_BOT_TOKEN", "")
    if options.slack_channel and not bot_token:
        print(
            "callbot demo: --slack needs SLACK_BOT_TOKEN (the bot token, xoxb-...) in the "
            "environment, and the bot invited to the channel",
            file=sys.stderr,
        )
        return EXIT_USAGE
    configure_logs(LogFormat.TEXT, secrets=[bot_token] if bot_token else [], level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    start = demo_start(datetime.now(UTC))
    clock = SimulatedClock(start, speed=options.speed)
    simulator = WolkvoxSimulator(
        scenario=options.scenario, seed=options.seed, clock=clock, volume=DEMO_VOLUME
    )
    await simulator.start()
    try:
        with tempfile.TemporaryDirectory(prefix="callbot-demo-") as tmp:
            channel = options.slack_channel or DEMO_CHANNEL
            settings = demo_settings(
                base_url=simulator.base_url,
                store=Path(tmp) / "callbot.sqlite3",
                channel=channel,
                language=options.language,
            )
            console = ConsoleChat(
                clock=clock,
                out=stream,
                timezone=DEMO_TIMEZONE.key,
                channel_names={DEMO_CHANNEL: DEMO_CHANNEL_NAME},
                language=settings.language.value,
            )
            chat: Chat = console
            if options.slack_channel:
                client = build_web_client(
                    bot_token=bot_token, api_url=environ.get(SLACK_API_URL_ENV) or None
                )
                chat = SlackChat(client=client)
            tally = DemoTally()
            presenter = SlackPresenter(
                language=settings.language.value, mask_personal_data=settings.mask_personal_data
            )
            hooks = CycleHooks(tally)
            runtime = build_runtime(
                settings,
                clock=clock,
                chat=chat,
                presenter=presenter,
                speed=options.speed,
                on_cycle=hooks,
            )
            # The local simulator answers at once: a context request fits in half a poll period.
            context, refresher = wire_context(
                runtime, presenter, hooks, request_limit=parse_duration(POLL_EVERY) / 2
            )
            # Housekeeping (the end of silences) every 30 s of bot time, as in a real run.
            runtime.housekeeping_every_s = HOUSEKEEPING.total_seconds() / options.speed
            _introduce(stream, options, start, channel, settings.language.value)
            try:
                await _play(runtime, console, clock, options, start, context)
            finally:
                await refresher.aclose()
            _conclude(stream, options, tally, settings.language.value)
    finally:
        await simulator.stop()
    return EXIT_OK


async def _play(
    runtime: Runtime,
    console: ConsoleChat,
    clock: SimulatedClock,
    options: DemoOptions,
    start: datetime,
    context: ContextService,
) -> None:
    commands = calls_frontend(runtime, authorizer=AllowAll(), context=context)
    end = start + timedelta(minutes=options.minutes)
    halfway = start + (end - start) / 2
    shown_halfway = False
    person = DemoPerson(commands, console, start, Translator(runtime.settings.language.value))
    try:
        await runtime.start()
        tick = start + TICK
        while clock.now() < end:
            await asyncio.sleep(
                min(0.1, max(0.0, (end - clock.now()).total_seconds()) / clock.speed)
            )
            if clock.now() >= tick and tick < end:
                console.print_time()
                tick += TICK
            if not shown_halfway and clock.now() >= halfway:
                shown_halfway = True
                await _ask(commands, console, person.say("demo.last10"))
            await person.react(runtime.state.alerts.firing(), clock.now())
        await _ask(commands, console, person.say("demo.history"))
    finally:
        await runtime.stop(cycle_grace_s=2.0, drain_grace_s=2.0)
    await _ask(commands, console, person.say("demo.last10"))


class DemoPerson:
    """A supervisor in the demo channel: acknowledges the first abandon alert, and silences
    the network alert for 10 minutes once the trunk failure starts (its end then edits the
    message), as a team would, so the record and `/calls history` have something to show."""

    def __init__(
        self, commands: CallsFrontend, console: ConsoleChat, start: datetime, tr: Translator
    ) -> None:
        self._commands, self._console, self._start, self._tr = commands, console, start, tr
        self._done: set[str] = set()

    def say(self, key: str) -> str:
        """What the person types, in the bot's language (`historial`, `últimos10`)."""
        return self._tr(key)

    async def react(self, firing: Sequence[Alert], now: datetime) -> None:
        rules = {alert.rule for alert in firing}
        if "abandon-rate" in rules and "ack" not in self._done:
            self._done.add("ack")
            await _ask(self._commands, self._console, self._tr("demo.ack", rule="abandon-rate"))
        late = now >= self._start + timedelta(minutes=30)
        if late and "network-failures" in rules and "silence" not in self._done:
            self._done.add("silence")
            text = self._tr("demo.silence", rule="network-failures", reason=self._tr("demo.reason"))
            await _ask(self._commands, self._console, text)


async def _ask(commands: CallsFrontend, console: ConsoleChat, text: str) -> None:
    request = CommandRequest(
        user_id="U0DEMO", channel_id="C0DEMO", team_id="T0DEMO", text=text, response_url=""
    )
    reply = await commands.on_command(request)
    console.print_block(
        f"/calls {text}", render_message({"text": reply.text, "blocks": reply.blocks})
    )


def _introduce(out: TextIO, options: DemoOptions, start: datetime, channel: str, lang: str) -> None:
    tr = Translator(lang)
    local = start.astimezone(DEMO_TIMEZONE)
    real = timedelta(seconds=round(options.minutes * 60 / options.speed))
    if options.slack_channel:
        where = tr("demo.where_slack", channel=channel)
    else:
        where = tr("demo.where_terminal", channel=DEMO_CHANNEL_NAME)
    lines = [
        tr(
            "demo.intro",
            span=format_age(timedelta(minutes=options.minutes), lang),
            speed=f"{options.speed:g}",
            real=format_age(real, lang),
            day=tr(f"weekday.{local.weekday()}"),
            time=f"{local:%H:%M}",
        ),
        tr(
            "demo.polled",
            operation=DEMO_OPERATION,
            every=format_age(parse_duration(POLL_EVERY), lang),
            scenario=options.scenario,
        ),
        *describe_script(options.scenario, start, lang),
        tr("demo.where", where=where),
    ]
    out.write("\n".join(lines) + "\n")
    out.flush()


def _conclude(out: TextIO, options: DemoOptions, tally: DemoTally, lang: str) -> None:
    tr = Translator(lang)
    summary = tr(
        "demo.over",
        span=format_age(timedelta(minutes=options.minutes), lang),
        fired=tr.n("demo.fired", tally.fired),
        updated=tr.n("demo.updated", tally.updated),
        resolved=tr.n("demo.resolved", tally.resolved),
    )
    out.write(f"\n{summary}\n")
    out.flush()
