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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.adapters.clock import SimulatedClock
from bot.adapters.console import ConsoleChat, render_message
from bot.adapters.logs import configure_logging
from bot.adapters.slack.app import build_web_client
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.ports import CommandRequest
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.wolkvox.simulator import WolkvoxSimulator
from bot.adapters.wolkvox.simulator_scenarios import INCIDENT_TEXT, SCENARIOS, validate_scenario
from bot.bootstrap import EXIT_OK, EXIT_USAGE, SLACK_API_URL_ENV, assemble
from bot.config.model import LogFormat, Settings
from bot.domain.alerts import Reason
from bot.runtime import Runtime
from bot.services.commands import AllowAll, CommandService
from bot.services.delivery import Chat
from bot.services.monitor import CycleReport
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


def describe_script(scenario: str, start: datetime) -> list[str]:
    """The scenario's incidents as local times, for the introduction."""
    lines = []
    for phase in SCENARIOS[scenario]:
        begin = (start + timedelta(minutes=phase.start)).astimezone(DEMO_TIMEZONE)
        end = (start + timedelta(minutes=phase.end)).astimezone(DEMO_TIMEZONE)
        lines.append(
            f"  {begin:%H:%M}-{end:%H:%M}  {phase.incident.value}: {INCIDENT_TEXT[phase.incident]}"
        )
    return lines or ["  normal traffic all along"]


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
    configure_logging(
        log_format=LogFormat.TEXT, secrets=[bot_token] if bot_token else [], level=logging.WARNING
    )
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
            runtime = assemble(
                settings,
                clock=clock,
                chat=chat,
                presenter=presenter,
                speed=options.speed,
                on_cycle=tally,
            )
            _introduce(stream, options, start, channel)
            await _play(runtime, console, clock, options, start)
            _conclude(stream, options, tally)
    finally:
        await simulator.stop()
    return EXIT_OK


async def _play(
    runtime: Runtime,
    console: ConsoleChat,
    clock: SimulatedClock,
    options: DemoOptions,
    start: datetime,
) -> None:
    commands = CommandService(
        state=runtime.state,
        controls=runtime.controls,
        clock=clock,
        source=runtime.source,
        language=runtime.settings.language.value,
        mask_personal_data=runtime.settings.mask_personal_data,
        authorizer=AllowAll(),
    )
    end = start + timedelta(minutes=options.minutes)
    halfway = start + (end - start) / 2
    shown_halfway = False
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
                await _show_last10(commands, console)
    finally:
        await runtime.stop(cycle_grace_s=2.0, drain_grace_s=2.0)
    await _show_last10(commands, console)


async def _show_last10(commands: CommandService, console: ConsoleChat) -> None:
    request = CommandRequest(
        user_id="U0DEMO", channel_id="C0DEMO", team_id="T0DEMO", text="last10", response_url=""
    )
    reply = await commands.on_command(request)
    console.print_block(
        "/calls last10", render_message({"text": reply.text, "blocks": reply.blocks})
    )


def _introduce(out: TextIO, options: DemoOptions, start: datetime, channel: str) -> None:
    real_s = options.minutes * 60 / options.speed
    where = (
        f"Slack channel {channel}"
        if options.slack_channel
        else f"#{DEMO_CHANNEL_NAME} (this terminal)"
    )
    lines = [
        f"callbot demo: {options.minutes:g} simulated minutes at {options.speed:g}x "
        f"(about {real_s:.0f} s), from {start.astimezone(DEMO_TIMEZONE):%A %H:%M} in Bogota.",
        f"A simulated Wolkvox operation '{DEMO_OPERATION}' is polled every {POLL_EVERY}; "
        f"scenario '{options.scenario}':",
        *describe_script(options.scenario, start),
        f"Alerts go to {where}. No credentials are used; the store is a temporary file.",
    ]
    out.write("\n".join(lines) + "\n")
    out.flush()


def _conclude(out: TextIO, options: DemoOptions, tally: DemoTally) -> None:
    out.write(
        f"\nDemo over after {options.minutes:g} simulated minutes: "
        f"{tally.fired} alert(s) fired, {tally.updated} update(s), "
        f"{tally.resolved} resolved.\n"
    )
    out.flush()
