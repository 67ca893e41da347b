"""The composition root: the one place that builds the adapters and wires them together.

`run_bot` is `callbot run`: one asyncio loop runs the store, the poll scheduler, the
outbox drainer, the Bolt app (Socket Mode, or HTTP with signed requests) and the health
and metrics endpoints, until SIGTERM or Ctrl-C; SIGHUP reloads the configuration
(bot.reload). `assemble` builds everything except the
Slack transport, so `callbot demo` runs the very same `Runtime` against the simulator and
a terminal chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from typing import TextIO

from slack_bolt.async_app import AsyncApp

from bot.adapters.clock import SystemClock
from bot.adapters.health import HealthCheck, all_healthy
from bot.adapters.logs import configure_logging
from bot.adapters.metrics import Metrics
from bot.adapters.scheduler import PollScheduler
from bot.adapters.slack.app import build_app, build_web_client
from bot.adapters.slack.authorizer import SlackAuthorizer
from bot.adapters.slack.checks import Outcome, SlackWatch, alert_channels
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.http_server import start_health_server, start_http
from bot.adapters.slack.i18n import t as translate
from bot.adapters.slack.log_safety import quiet_slack_libraries
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.slack.socket_mode import SocketModeDead, SocketModeRunner
from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.adapters.wolkvox.client import WOLKVOX_CALL_LIMIT_S, WolkvoxClient
from bot.adapters.wolkvox.skills_source import WolkvoxContextSource
from bot.adapters.wolkvox.source import WolkvoxCallSource
from bot.backtest.slack_reply import backtest_replier
from bot.config.model import LogFormat, OperationSettings, Settings
from bot.reload import ReloadOnSignal, poll_jobs
from bot.runtime import Runtime
from bot.services.commands import CommandService
from bot.services.context import ContextService
from bot.services.context_alerts import AlertContextRefresher
from bot.services.control import Controls
from bot.services.delivery import OutboxDrainer
from bot.services.monitor import CycleReport, Monitor
from bot.services.ports import Clock, Presenter
from bot.services.ports.chat import Chat
from bot.services.ports.store import Store, StoreError
from bot.services.queue_polling import QueuePolling
from bot.services.state import RuntimeState

log = logging.getLogger("callbot.bootstrap")

HTTP_HOST_ENV = "CALLBOT_HTTP_HOST"
DEFAULT_HTTP_HOST = "127.0.0.1"
"""Loopback unless told otherwise: the Docker image sets CALLBOT_HTTP_HOST=0.0.0.0."""
SLACK_API_URL_ENV = "SLACK_API_URL"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SLACK_REFUSED = 3
"""Slack refused the bot token at start: no restart will help until a person fixes it."""


def client_limits(settings: Settings, *, speed: float = 1.0) -> tuple[float, float]:
    """(request timeout, total deadline) in real seconds: retries fit in the shortest poll
    period, and no request waits longer than Wolkvox's 60 s."""
    shortest = min(op.poll_every for op in settings.operations).total_seconds() / speed
    deadline = min(240.0, max(1.0, 0.8 * shortest))
    return min(60.0, deadline), deadline


def store_for(settings: Settings) -> Store:
    """The store the configuration names: PostgreSQL when `store.url` is set (several
    replicas may share it), else the SQLite file at `store.path` (the default)."""
    if settings.store.url is not None:
        return PostgresStore(url=settings.store.url.reveal())
    return SQLiteStore(path=settings.store.path)


def assemble(
    settings: Settings,
    *,
    clock: Clock,
    chat: Chat,
    presenter: Presenter,
    speed: float = 1.0,
    first_poll_after: timedelta = timedelta(seconds=1),
    on_cycle: Callable[[CycleReport], None] | None = None,
) -> Runtime:
    """Build the runtime; nothing runs until `Runtime.start()`.

    `speed` is the clock's pace against real time (the demo's simulated clock): poll
    intervals and Wolkvox request deadlines, which run on real time, are divided by it.
    """
    metrics = Metrics()
    timeout_s, deadline_s = client_limits(settings, speed=speed)
    client = WolkvoxClient(
        clock=clock,
        timeout_s=timeout_s,
        deadline_s=deadline_s,
        on_request=metrics.observe_request,
        max_response_bytes=settings.max_response_mb * 1024 * 1024,
        token_hold_s=WOLKVOX_CALL_LIMIT_S / speed,
    )
    source = WolkvoxCallSource(client=client, operations=settings.operations)
    state = RuntimeState.from_settings(settings)
    store = store_for(settings)
    drainer = OutboxDrainer(
        outbox=store, chat=chat, clock=clock, on_result=metrics.observe_delivery
    )
    health = HealthCheck(clock=clock, operations=lambda: state.operations.values())
    hooks: list[Callable[[CycleReport], None]] = []

    def cycle_done(report: CycleReport) -> None:
        for hook in hooks:
            hook(report)

    monitor = Monitor(
        state=state,
        source=source,
        store=store,
        clock=clock,
        presenter=presenter,
        on_outbox=drainer.wake,
        on_cycle=cycle_done,
    )
    controls = Controls(
        state=state, store=store, clock=clock, presenter=presenter, on_outbox=drainer.wake
    )
    scheduler = PollScheduler(
        jobs=poll_jobs(settings.operations),
        poll=monitor.poll,
        speed=speed,
        first_run_after=first_poll_after,
    )
    runtime = Runtime(
        settings=settings,
        clock=clock,
        state=state,
        store=store,
        client=client,
        source=source,
        monitor=monitor,
        controls=controls,
        drainer=drainer,
        scheduler=scheduler,
        metrics=metrics,
        health=health,
    )
    hooks.append(runtime.on_cycle)
    if on_cycle is not None:
        hooks.append(on_cycle)
    return runtime


def configure_logs(
    log_format: LogFormat,
    *,
    secrets: Iterable[str] = (),
    level: int = logging.INFO,
    stream: TextIO | None = None,
) -> logging.Handler:
    """The process's log handler, the Slack libraries' client data filtered out of it."""
    return configure_logging(
        log_format=log_format,
        secrets=secrets,
        level=level,
        stream=stream,
        quiet_libraries=quiet_slack_libraries,
    )


def secrets_of(settings: Settings) -> list[str]:
    """Every token the configuration holds, for the log redactor."""
    slack = settings.slack
    found = [op.token.reveal() for op in settings.operations]
    found += [s.reveal() for s in (slack.bot_token, slack.app_token, slack.signing_secret) if s]
    return found


def missing_credentials(settings: Settings, *, http: bool) -> str | None:
    """What `callbot run` cannot start without, named by its environment variable."""
    slack = settings.slack
    if slack.bot_token is None:
        return (
            "SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) is needed to post alerts. "
            "Set it in the environment or as slack.bot_token in the configuration "
            "(try `callbot demo` to see the bot without any credentials)."
        )
    if http and slack.signing_secret is None:
        return (
            "SLACK_SIGNING_SECRET is not set: HTTP mode (--http) checks every request from "
            "Slack with it (Basic Information > App Credentials > Signing Secret)."
        )
    if not http and slack.app_token is None:
        return (
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-..., "
            "scope connections:write, under Basic Information > App-Level Tokens). "
            "Or run with --http and SLACK_SIGNING_SECRET."
        )
    return None


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop` instead of killing the loop (where signals can be had)."""
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue
        installed.append(signum)
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


async def run_bot(
    settings: Settings,
    *,
    http: bool,
    port: int | None,
    clock: Clock | None = None,
    stop: asyncio.Event | None = None,
    env: Mapping[str, str] | None = None,
    socket_mode: Callable[[AsyncApp, str], SocketModeRunner] = SocketModeRunner,
    slack_recheck_s: float = 60.0,
) -> int:
    """`callbot run`. Returns 0 after a clean stop (SIGTERM, Ctrl-C or `stop` set), 1 when
    the store, the port or the Socket Mode connection failed, 2 when credentials are missing,
    3 when Slack refuses the bot token. A Slack that cannot be reached at start is not a
    refusal: the bot starts, /healthz says so, and the check is repeated.

    `env` is read for SLACK_API_URL and CALLBOT_HTTP_HOST; `socket_mode` builds the Socket
    Mode runner (tests give one with a fast watchdog); `slack_recheck_s` is how often a
    Slack problem found at start (token unreachable, channel) is checked again.
    """
    environ = os.environ if env is None else env
    problem = missing_credentials(settings, http=http)
    if problem is not None:
        print(f"callbot: {problem}", file=sys.stderr)
        return EXIT_USAGE
    configure_logs(settings.log_format, secrets=secrets_of(settings))
    clock = clock or SystemClock()
    stop = stop or asyncio.Event()
    slack = settings.slack
    assert slack.bot_token is not None
    web_client = build_web_client(
        bot_token=slack.bot_token.reveal(), api_url=environ.get(SLACK_API_URL_ENV) or None
    )
    watch = SlackWatch(
        client=web_client, channels=alert_channels(settings), recheck_every_s=slack_recheck_s
    )
    if not await slack_ready_to_start(watch):
        return EXIT_SLACK_REFUSED
    presenter = SlackPresenter(
        language=settings.language.value, mask_personal_data=settings.mask_personal_data
    )
    context_hooks = CycleHooks()
    runtime = assemble(
        settings,
        clock=clock,
        chat=SlackChat(client=web_client),
        presenter=presenter,
        on_cycle=context_hooks,
    )
    context, refresher = wire_context(runtime, presenter, context_hooks)
    with stop_on_signals(stop):
        try:
            await runtime.start()
        except (StoreError, OSError) as exc:
            log.error("event=start_failed error=%s", type(exc).__name__)
            print(f"callbot: cannot start: {exc}", file=sys.stderr)
            await runtime.close_quietly()
            return EXIT_FAILED
        frontend = CallsFrontend(
            commands=CommandService(
                state=runtime.state,
                controls=runtime.controls,
                clock=clock,
                source=runtime.source,
                authorizer=SlackAuthorizer(
                    client=web_client, admins=slack.admins, admin_group=slack.admin_group
                ),
                context=context,
            ),
            language=settings.language.value,
            mask_personal_data=settings.mask_personal_data,
            backtest=backtest_replier(runtime.state),
        )
        app = build_app(
            frontend=frontend,
            bot_token=slack.bot_token.reveal(),
            signing_secret=slack.signing_secret.reveal() if slack.signing_secret else None,
            client=web_client,
            error_text=translate("reply.error", settings.language.value),
            working_text=translate("reply.working", settings.language.value),
        )
        host = environ.get(HTTP_HOST_ENV) or DEFAULT_HTTP_HOST
        runtime.health.slack = watch.health
        rechecking = asyncio.create_task(watch.run(), name="slack-recheck")

        async def recheck_slack(new: Settings) -> None:
            watch.channels = alert_channels(new)
            await watch.check()

        reloader = ReloadOnSignal(runtime, str(settings.source), on_applied=recheck_slack)
        reloader.install()
        try:
            if http:
                code = await _serve_http(app, runtime, host=host, port=port, stop=stop)
            else:
                assert slack.app_token is not None
                runner = socket_mode(app, slack.app_token.reveal())
                code = await _serve_socket_mode(runner, runtime, host=host, stop=stop)
        finally:
            await refresher.aclose()
            await reloader.close()
            rechecking.cancel()
            await asyncio.gather(rechecking, return_exceptions=True)
            await runtime.stop()
    return code


async def slack_ready_to_start(watch: SlackWatch) -> bool:
    """Check the bot token and the alert channels before anything starts.

    False (print why) only when Slack refuses the token; a channel the bot is not in is a
    loud warning, an unreachable Slack a warning: both stay on /healthz until fixed.
    """
    token = await watch.check()
    if token.outcome is Outcome.REFUSED:
        print(
            f"callbot: Slack refused the bot token ({token.detail}). Check SLACK_BOT_TOKEN: "
            "the Bot User OAuth Token (xoxb-...) under OAuth & Permissions; reinstall the app "
            "if it was revoked. `callbot doctor` checks every credential.",
            file=sys.stderr,
        )
        return False
    if token.outcome is Outcome.UNREACHABLE:
        print(
            f"callbot: warning: Slack could not be reached to check the bot token "
            f"({token.detail}); starting anyway, alerts wait in the outbox until it answers.",
            file=sys.stderr,
        )
    for reason in watch.problems.values():
        if token.outcome is Outcome.OK:
            print(f"callbot: WARNING: {reason}", file=sys.stderr)
    return True


async def _serve_http(
    app: AsyncApp, runtime: Runtime, *, host: str, port: int | None, stop: asyncio.Event
) -> int:
    bind = runtime.settings.http.port if port is None else port
    try:
        server = await start_http(
            app, host=host, port=bind, health=runtime.health, metrics=runtime.metrics.exposition
        )
    except OSError as exc:
        print(f"callbot: cannot listen on {host}:{bind}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    log.info("event=serving mode=http host=%s port=%d", host, server.port)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return EXIT_OK


async def _serve_socket_mode(
    runner: SocketModeRunner, runtime: Runtime, *, host: str, stop: asyncio.Event
) -> int:
    runtime.health.slack = all_healthy(runner.health, runtime.health.slack)
    metrics_port = runtime.settings.http.metrics_port
    try:
        server = await start_health_server(
            metrics_port, host=host, health=runtime.health, metrics=runtime.metrics.exposition
        )
    except OSError as exc:
        print(
            f"callbot: cannot listen on {host}:{metrics_port} for /healthz and /metrics "
            f"(http.metrics_port; 0 turns it off): {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        # Connecting retries for minutes when Slack is unreachable: a SIGTERM meanwhile
        # must still stop the bot within seconds, not after the orchestrator's SIGKILL.
        connecting = asyncio.ensure_future(runner.start())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
            log.info("event=stopped_while_connecting mode=socket")
            return EXIT_OK
        try:
            connecting.result()
        except SocketModeDead as exc:
            log.error("event=socket_mode_dead")
            print(f"callbot: {exc}; check SLACK_APP_TOKEN and the network", file=sys.stderr)
            return EXIT_FAILED
        log.info("event=serving mode=socket metrics_port=%d", server.port if server else 0)
        watch = asyncio.ensure_future(runner.wait())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({watch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (watch, stopped):
            waiter.cancel()
        dead, _ = await asyncio.gather(watch, stopped, return_exceptions=True)
        if isinstance(dead, SocketModeDead):
            log.error("event=socket_mode_dead")
            print(f"callbot: {dead}", file=sys.stderr)
            return EXIT_FAILED
        if not stop.is_set():
            log.error("event=socket_mode_stopped")
            return EXIT_FAILED
        return EXIT_OK
    finally:
        await runner.stop()
        if server is not None:
            await server.stop()


class CycleHooks:
    """Cycle hooks added after assembly (the context refresher needs the runtime)."""

    def __init__(self, *first: Callable[[CycleReport], None]) -> None:
        self.hooks: list[Callable[[CycleReport], None]] = list(first)

    def __call__(self, report: CycleReport) -> None:
        for hook in self.hooks:
            hook(report)


def wire_context(
    runtime: Runtime,
    presenter: SlackPresenter,
    hooks: CycleHooks,
    *,
    request_limit: timedelta | None = None,
) -> tuple[ContextService, AlertContextRefresher]:
    """Queue/agent context for commands and for the messages of firing alerts (issue 15).

    A refresh starts a request only when `request_limit` (default: the client's request
    timeout) is left before the next poll."""
    context = context_service(runtime)
    timeout_s, _deadline = client_limits(runtime.settings)
    refresher = AlertContextRefresher(
        state=runtime.state,
        context=context,
        store=runtime.store,
        presenter=presenter,
        clock=runtime.clock,
        on_outbox=runtime.drainer.wake,
        request_limit=request_limit or timedelta(seconds=timeout_s),
    )
    presenter.use_context(refresher.alert_context)
    hooks.hooks.append(refresher.after_cycle)
    runtime.monitor.use_queues(
        QueuePolling(
            context=context,
            clock=runtime.clock,
            request_limit=request_limit or timedelta(seconds=timeout_s),
        )
    )
    return context, refresher


def context_service(runtime: Runtime) -> ContextService:
    """Queue and agent context (issue 15) on the runtime's client, token rule and budget."""
    state = runtime.state

    def settings_of(name: str) -> OperationSettings:
        # The state's operations are the validated settings, reloads included.
        settings = state.operation(name).settings
        assert isinstance(settings, OperationSettings)
        return settings

    source = WolkvoxContextSource(client=runtime.client, settings_of=settings_of)
    return ContextService(state=state, source=source, budget=runtime.source, clock=runtime.clock)
