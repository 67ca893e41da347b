"""HTTP mode and the health endpoints, on aiohttp.

HTTP mode serves Slack's requests (slash commands, interactivity, events) on POST
/slack/events next to GET /healthz and GET /metrics, all on one port, for deployments behind a
load balancer. In Socket Mode only the health endpoints are served, on a small port of their
own. Signature checks (401 for a bad signature or a timestamp more than 5 minutes off) are
Bolt's: the app must have been built with the signing secret. Each refused request writes
one audit line (why, and the peer's address; never the body or the signature). A
`CommandShortcut` (command_route.py) may answer validly signed `/calls last10` requests
first, without Bolt's dispatch; every other request, and every one it does not verify, goes
to Bolt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.command_route import CommandShortcut
from bot.logevents import audit

HealthCheck = Callable[[], tuple[bool, str]]
"""Returns (healthy, reason): the reason is shown to whoever probes /healthz."""
HealthDetail = Callable[[], str | None]
"""More lines for /healthz after the verdict (None: nothing to add)."""

MetricsSource = Callable[[], bytes]
"""Returns the Prometheus text exposition of the process's metrics."""

EVENTS_PATH = "/slack/events"
PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW_S = 300
"""Bolt's limit on a request's timestamp: older or newer than this is refused as a replay."""

_log = logging.getLogger("callbot.http")
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class HttpServer:
    """A running aiohttp server: ``port`` is the bound port (useful when asked for port 0)."""

    runner: web.AppRunner
    host: str
    port: int

    async def stop(self) -> None:
        """Stop accepting connections and close the ones open."""
        await self.runner.cleanup()


def build_web_app(
    app: AsyncApp | None,
    *,
    health: HealthCheck,
    metrics: MetricsSource,
    shortcut: CommandShortcut | None = None,
    detail: HealthDetail | None = None,
) -> web.Application:
    """The aiohttp application: /healthz, /livez and /metrics, plus /slack/events when
    ``app`` is given (``shortcut`` answers `/calls last10` there before Bolt sees it).

    /healthz is readiness: 503 while Wolkvox is down or the token is refused, which a restart
    cannot fix; /livez only says the process answers, for liveness probes that restart.
    `detail` adds lines after the verdict (several replicas: the leases this one holds).
    """
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_get("/healthz", _health_handler(health, detail))
    web_app.router.add_get("/livez", _live)
    web_app.router.add_get("/metrics", _metrics_handler(metrics))
    if app is not None:
        web_app.router.add_post(EVENTS_PATH, _slack_handler(app, shortcut))
    return web_app


async def _live(_request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def start_http(
    app: AsyncApp,
    *,
    host: str,
    port: int,
    health: HealthCheck,
    metrics: MetricsSource,
    shortcut: CommandShortcut | None = None,
    detail: HealthDetail | None = None,
) -> HttpServer:
    """Serve the Bolt app over HTTP with the health endpoints on the same port."""
    web_app = build_web_app(app, health=health, metrics=metrics, shortcut=shortcut, detail=detail)
    return await _serve(web_app, host=host, port=port)


async def start_health_server(
    port: int,
    *,
    host: str,
    health: HealthCheck,
    metrics: MetricsSource,
    detail: HealthDetail | None = None,
) -> HttpServer | None:
    """Serve only /healthz and /metrics (Socket Mode); ``port`` 0 turns the server off."""
    if port == 0:
        return None
    web_app = build_web_app(None, health=health, metrics=metrics, detail=detail)
    return await _serve(web_app, host=host, port=port)


async def _serve(web_app: web.Application, *, host: str, port: int) -> HttpServer:
    # No access log: it would add a line per Slack request and per health probe.
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host=host, port=port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = port
    if runner.addresses:
        bound_port = int(runner.addresses[0][1])
    _log.info("event=http_listening host=%s port=%d", host, bound_port)
    return HttpServer(runner=runner, host=host, port=bound_port)


def _slack_handler(app: AsyncApp, shortcut: CommandShortcut | None) -> _Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        if shortcut is not None:
            quick = shortcut.respond(request.headers, await request.read())
            if quick is not None:
                return quick
        try:
            bolt_request = await to_bolt_request(request)
        except UnicodeDecodeError:
            # Slack sends UTF-8 only, so this body is not Slack's; anyone can send it, before
            # any signature check, so it gets a 400 and no traceback in the logs.
            return web.Response(status=400, text="bad request\n")
        response = await app.async_dispatch(bolt_request)
        if response.status == 401:
            audit(
                "slack_request",
                actor="unknown",
                outcome="rejected",
                reason=rejection_reason(request.headers, now=time.time()),
                remote=request.remote,
            )
        return await to_aiohttp_response(response)

    return handle


def rejection_reason(headers: Mapping[str, str], *, now: float) -> str:
    """Why Bolt answered 401, in the audit trail's words: `missing_signature` (no Slack
    headers at all), `stale_timestamp` (more than 5 minutes off, a replay or a wrong
    clock) or `bad_signature` (a forged request, or the wrong signing secret)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp or not headers.get("X-Slack-Signature"):
        return "missing_signature"
    try:
        stale = abs(now - int(timestamp)) > MAX_CLOCK_SKEW_S
    except ValueError:
        return "stale_timestamp"
    return "stale_timestamp" if stale else "bad_signature"


def _health_handler(health: HealthCheck, detail: HealthDetail | None) -> _Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            healthy, reason = health()
            more = detail() if detail is not None else None
        except Exception as exc:
            _log.error("event=health_check_failed error_type=%s", type(exc).__name__)
            healthy, reason, more = False, "health check failed", None
        body = (reason or ("ok" if healthy else "unhealthy")) + "\n"
        if more:
            body += more + "\n"
        return web.Response(status=200 if healthy else 503, text=body)

    return handle


def _metrics_handler(metrics: MetricsSource) -> _Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            payload = metrics()
        except Exception as exc:
            _log.error("event=metrics_failed error_type=%s", type(exc).__name__)
            return web.Response(status=500, text="metrics unavailable\n")
        return web.Response(body=payload, headers={"Content-Type": PROMETHEUS_CONTENT_TYPE})

    return handle
