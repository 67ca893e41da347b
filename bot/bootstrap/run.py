"""`callbot run`: the assembled bot with Slack around it, until SIGTERM or Ctrl-C.

`run_bot` checks the credentials and the bot token first, then builds the runtime
(`build_runtime`), the queue/agent context and the `/calls` frontend, and serves them
over Socket Mode or HTTP with signed requests (serving.py), the health and metrics
endpoints beside; SIGHUP reloads the configuration (bot.reload).
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
from bot.adapters.logs import configure_logging
from bot.adapters.slack.app import build_app, build_web_client
from bot.adapters.slack.authorizer import SlackAuthorizer
from bot.adapters.slack.checks import Outcome, SlackWatch, alert_channels
from bot.adapters.slack.command_route import CommandShortcut
from bot.adapters.slack.i18n import t as translate
from bot.adapters.slack.log_safety import quiet_slack_libraries
from bot.adapters.slack.notifier import SlackChat
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.slack.socket_mode import SocketModeRunner
from bot.bootstrap.adapters import build_runtime
from bot.bootstrap.assembly import CycleHooks, calls_frontend, wire_context
from bot.bootstrap.serving import EXIT_FAILED, serve_http, serve_socket_mode
from bot.config.model import LogFormat, Settings
from bot.config.request_policy import request_policy
from bot.config.store_url import url_passwords
from bot.reload import ReloadOnSignal
from bot.services.ports import Clock
from bot.services.ports.store import StoreError

log = logging.getLogger("callbot.bootstrap")

HTTP_HOST_ENV = "CALLBOT_HTTP_HOST"
DEFAULT_HTTP_HOST = "127.0.0.1"
"""Loopback unless told otherwise: the Docker image sets CALLBOT_HTTP_HOST=0.0.0.0."""
SLACK_API_URL_ENV = "SLACK_API_URL"
EXIT_USAGE = 2
EXIT_SLACK_REFUSED = 3
"""Slack refused the bot token at start: no restart will help until a person fixes it."""


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
    """Every token the configuration holds, for the log redactor: the store URL's password
    too (a psycopg log line or a traceback may carry the URL or the password alone)."""
    slack = settings.slack
    found = [op.token.reveal() for op in settings.operations]
    found += [s.reveal() for s in (slack.bot_token, slack.app_token, slack.signing_secret) if s]
    if settings.store.url is not None:
        found += url_passwords(settings.store.url.reveal())
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
    runtime = build_runtime(
        settings,
        clock=clock,
        chat=SlackChat(client=web_client),
        presenter=presenter,
        on_cycle=context_hooks,
    )
    request_limit = timedelta(seconds=request_policy(settings).timeout_s)
    context, refresher = wire_context(
        runtime, presenter, context_hooks, request_limit=request_limit
    )
    with stop_on_signals(stop):
        try:
            await runtime.start()
        except (StoreError, OSError) as exc:
            log.error("event=start_failed error=%s", type(exc).__name__)
            print(f"callbot: cannot start: {exc}", file=sys.stderr)
            await runtime.close_quietly()
            return EXIT_FAILED
        authorizer = SlackAuthorizer(
            client=web_client, admins=slack.admins, admin_group=slack.admin_group
        )
        frontend = calls_frontend(runtime, authorizer=authorizer, context=context)
        secret = slack.signing_secret.reveal() if slack.signing_secret else None
        app = build_app(
            frontend=frontend,
            bot_token=slack.bot_token.reveal(),
            signing_secret=secret,
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
                assert secret is not None  # HTTP mode refuses to start without one
                shortcut = CommandShortcut(signing_secret=secret, answer=frontend.quick_reply)
                code = await serve_http(
                    app, runtime, host=host, port=port, stop=stop, shortcut=shortcut
                )
            else:
                assert slack.app_token is not None
                runner = socket_mode(app, slack.app_token.reveal())
                code = await serve_socket_mode(runner, runtime, host=host, stop=stop)
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
