"""The Bolt app: thin listeners that turn Slack payloads into port calls.

The same :class:`AsyncApp` serves Socket Mode (``socket_mode.py``) and HTTP mode
(``http_server.py``). Listeners only translate: every decision is the frontend's
(:class:`~bot.adapters.slack.ports.SlackFrontend`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.log_safety import (
    BOLT_LOGGER_NAME,
    WEB_CLIENT_LOGGER_NAME,
    quiet_logger,
    quiet_slack_libraries,
)
from bot.adapters.slack.ports import ActionRequest, CommandRequest, Reply, SlackFrontend

COMMAND = "/calls"
ACTION_ID_PATTERN = re.compile(r"^callbot_")
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_ERROR_TEXT = "Sorry, that did not work. Please try again in a moment."
DEFAULT_WORKING_TEXT = "Working on it: the answer will follow in a moment."

_log = logging.getLogger("callbot.slack.app")


def build_web_client(
    *,
    bot_token: str,
    api_url: str | None = None,
    rate_limit_retries: int = 3,
    server_error_retries: int = 2,
    server_error_backoff_s: float = 0.5,
    timeout_s: int = 30,
) -> AsyncWebClient:
    """A Web API client that retries connection errors, 429s (honouring Retry-After) and
    500/503 answers with slack_sdk's own retry handlers.

    The list replaces slack_sdk's default (connection errors only). Share one client between
    the Bolt app and the notifier so both behave the same. ``api_url`` (SLACK_API_URL) points
    it at staging or at a local fake.
    """
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        AsyncServerErrorRetryHandler(
            max_retry_count=server_error_retries,
            interval_calculator=BackoffRetryIntervalCalculator(
                backoff_factor=server_error_backoff_s
            ),
        ),
    ]
    return AsyncWebClient(
        token=bot_token,
        base_url=api_url or DEFAULT_API_URL,
        timeout=timeout_s,
        logger=quiet_logger(WEB_CLIENT_LOGGER_NAME),
        retry_handlers=handlers,
    )


def build_app(
    *,
    frontend: SlackFrontend,
    bot_token: str,
    signing_secret: str | None,
    api_url: str | None = None,
    logger: logging.Logger | None = None,
    client: AsyncWebClient | None = None,
    command_timeout_s: float = 2.5,
    error_text: str = DEFAULT_ERROR_TEXT,
    working_text: str = DEFAULT_WORKING_TEXT,
) -> AsyncApp:
    """The Bolt app with the `/calls` command, the ``callbot_*`` buttons and the Home tab.

    ``signing_secret`` is required for HTTP mode. In Socket Mode it may be None: requests
    arrive over the app-token-authenticated WebSocket and Bolt skips signature checks there;
    the app is then given a random secret, so that served over HTTP by mistake it rejects
    every request instead of trusting an empty key. Bolt's own logger is kept at WARNING and
    filtered (see ``log_safety``); ``logger`` is for this module's listeners. A command not
    answered within ``command_timeout_s`` is acknowledged with ``working_text`` and answered
    through its response_url when it completes.
    """
    log = logger or _log
    web_client = client or build_web_client(bot_token=bot_token, api_url=api_url)
    bolt_logger = quiet_logger(BOLT_LOGGER_NAME)
    with _errors_only(bolt_logger):
        app = AsyncApp(
            name=BOLT_LOGGER_NAME,
            client=web_client,
            signing_secret=signing_secret or os.urandom(32).hex(),
            logger=bolt_logger,
            # Bolt asks auth.test on the first request; when Slack's API is down it would
            # tell the user to reinstall the app. It is a moment's outage: say so.
            user_facing_authorize_error_message=error_text,
        )
    quiet_slack_libraries()
    texts = _Texts(error=error_text, working=working_text)
    _register_command(app, frontend, log, command_timeout_s, texts)
    _register_actions(app, frontend, log, error_text)
    _register_home(app, frontend, log)
    return app


@contextmanager
def _errors_only(logger: logging.Logger) -> Iterator[None]:
    """Silence Bolt's construction-time warnings, which are about choices made on purpose.

    Bolt reads SLACK_BOT_TOKEN itself and warns that it "will be unused" when a client is
    passed too: ours is, so that retries and SLACK_API_URL apply. A warning at every start
    that asks for no action would teach operators to ignore warnings.
    """
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True, slots=True)
class _Texts:
    error: str
    working: str


def _register_command(
    app: AsyncApp, frontend: SlackFrontend, log: logging.Logger, timeout_s: float, texts: _Texts
) -> None:
    # Unfinished commands, referenced until done: the event loop only keeps weak references.
    running: set[asyncio.Task[Reply]] = set()

    async def on_calls(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        request = CommandRequest(
            user_id=str(command.get("user_id", "")),
            channel_id=str(command.get("channel_id", "")),
            team_id=str(command.get("team_id", "")),
            text=str(command.get("text", "")),
            response_url=str(command.get("response_url", "")),
        )
        # A silence or an acknowledgement may wait for the state lock (a poll committing)
        # or for the admin-group lookup. Cancelling it at Slack's deadline could stop it
        # between the store write and the memory update and tell "Sorry" for a change that
        # was made: it is shielded, and its answer follows through the response_url.
        task = asyncio.ensure_future(frontend.on_command(request))
        running.add(task)
        task.add_done_callback(running.discard)
        try:
            reply = await asyncio.wait_for(asyncio.shield(task), timeout=timeout_s)
        except TimeoutError:
            log.warning("event=command_slow timeout_s=%.1f answer=later", timeout_s)
            await ack(text=texts.working, response_type="ephemeral")
            await _answer_later(task, request, respond, log, texts.error)
            return
        except Exception as exc:
            log.error("event=command_failed error_type=%s at=%s", type(exc).__name__, _where(exc))
            reply = Reply(text=texts.error)
        await ack(
            text=reply.text,
            blocks=reply.blocks or None,
            response_type="in_channel" if reply.in_channel else "ephemeral",
        )

    app.command(COMMAND)(on_calls)


async def _answer_later(
    task: asyncio.Future[Reply],
    request: CommandRequest,
    respond: AsyncRespond,
    log: logging.Logger,
    error_text: str,
) -> None:
    """Wait for a command already acknowledged and send its answer to the response_url."""
    try:
        reply = await task
    except Exception as exc:
        log.error("event=command_failed error_type=%s at=%s", type(exc).__name__, _where(exc))
        reply = Reply(text=error_text)
    if not request.response_url:
        return
    try:
        await respond(
            text=reply.text,
            blocks=reply.blocks or None,
            response_type="in_channel" if reply.in_channel else "ephemeral",
        )
    except Exception as exc:
        log.warning("event=late_answer_failed error_type=%s", type(exc).__name__)


def _register_actions(
    app: AsyncApp, frontend: SlackFrontend, log: logging.Logger, error_text: str
) -> None:
    async def on_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        action_id = str(action.get("action_id", ""))
        request = ActionRequest(
            user_id=str(body.get("user", {}).get("id", "")),
            channel_id=str((body.get("channel") or {}).get("id", "")),
            message_ts=_message_ts(body),
            action_id=action_id,
            value=str(action.get("value", "")),
            response_url=str(body.get("response_url", "")),
        )
        try:
            reply = await frontend.on_action(request)
        except Exception as exc:
            log.error(
                "event=button_failed action=%s error_type=%s at=%s",
                _safe_id(action_id),
                type(exc).__name__,
                _where(exc),
            )
            reply = Reply(text=error_text)
        if reply is None or not request.response_url:
            return
        try:
            await respond(
                text=reply.text,
                blocks=reply.blocks or None,
                response_type="ephemeral",
                replace_original=False,
            )
        except Exception as exc:
            log.warning("event=button_answer_failed error_type=%s", type(exc).__name__)

    app.action(ACTION_ID_PATTERN)(on_button)


def _register_home(app: AsyncApp, frontend: SlackFrontend, log: logging.Logger) -> None:
    async def on_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        user_id = str(event.get("user", ""))
        try:
            view = await frontend.home_view(user_id)
            await client.views_publish(user_id=user_id, view=view)
        except Exception as exc:
            log.error("event=home_failed error_type=%s at=%s", type(exc).__name__, _where(exc))

    app.event("app_home_opened")(on_home_opened)


def _message_ts(body: dict[str, Any]) -> str:
    container = body.get("container") or {}
    message = body.get("message") or {}
    return str(container.get("message_ts") or message.get("ts") or "")


def _safe_id(action_id: str) -> str:
    """Action ids match ``^callbot_`` but the rest came from the client: keep it short and plain."""
    return re.sub(r"[^a-z0-9_]", "?", action_id[:40])


def _where(exc: BaseException) -> str:
    """The innermost frame of a traceback (file:line), to find a bug without logging data."""
    tb = exc.__traceback__
    if tb is None:
        return "?"
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
