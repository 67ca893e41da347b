"""A local HTTP server that behaves like the Wolkvox real-time API.

The demo, the tests and the benchmarks run against it instead of a live
operation. It serves `GET /api/v2/real_time.php?api=calls_last_10` (plus small
`agents` and `skills` answers) with the `wolkvox-token` header, on 127.0.0.1
only. It enforces the rules the vendor documents in the way the vendor answers
them, so a client bug shows up as the real error: a missing token is a 401, an
unknown token (when `valid_tokens` is set) a 403, a token used by two requests
at once gets the concurrency 403, and a token past its daily quota gets TOKEN
LIMIT EXCEEDED. With `keeps_working=True` it behaves like Wolkvox's PHP backend:
a request the client gave up on is still worked on (and still holds its token)
until its answer is ready, instead of ending when the connection closes; `latency` is how
long every answer takes (a real one takes a fraction of a second, long enough for two
pollers on one token to overlap). Traffic
and incidents live in simulator_traffic.py and simulator_scenarios.py; the
injectable faults in simulator_faults.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.adapters.wolkvox import simulator_faults as faults
from bot.adapters.wolkvox import simulator_siblings as siblings
from bot.adapters.wolkvox.simulator_faults import Canned, Fault
from bot.adapters.wolkvox.simulator_scenarios import validate_scenario
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.services.ports import Clock

__all__ = ["Fault", "WolkvoxSimulator"]

PATH = "/api/v2/real_time.php"
VALID_QUERIES = ("api=calls_last_10", "api=agents", "api=skills&skill_id=all")
"""What the simulator serves under PATH; an unknown path is answered with this list."""


class _WallClock:
    """Real time, for a simulator given no clock (one serving a real bot)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class WolkvoxSimulator:
    """The simulated API; usable in-process (`async with`) or through `serve_forever`."""

    def __init__(
        self,
        *,
        scenario: str = "normal",
        seed: int = 1,
        clock: Clock | None = None,
        timezone: str = "America/Bogota",
        valid_tokens: Iterable[str] | None = None,
        daily_limit: int | None = None,
        slow_seconds: float = 65.0,
        over_limit_records: int = 60_000,
        volume: float = 1.0,
        max_in_flight_per_token: int = 1,
        keeps_working: bool = False,
        latency: float = 0.0,
    ) -> None:
        self._clock: Clock = clock if clock is not None else _WallClock()
        self._tz = ZoneInfo(timezone)
        self._seed = seed
        self._traffic = TrafficModel(seed=seed, timezone=self._tz, volume=volume)
        self._scenario = validate_scenario(scenario)
        self._traffic.set_script(scenario, anchor=self._clock.now())
        self.valid_tokens: set[str] | None = set(valid_tokens) if valid_tokens is not None else None
        self.daily_limit = daily_limit
        self.slow_seconds = slow_seconds
        self.over_limit_records = over_limit_records
        self.max_in_flight_per_token = max_in_flight_per_token
        self.keeps_working = keeps_working
        self.latency = latency
        self._working: set[asyncio.Task[web.StreamResponse]] = set()
        self._fault: Fault | None = None
        self._fault_left: int | None = None
        self._release = asyncio.Event()
        self._in_flight: Counter[str] = Counter()
        self._per_token: Counter[str] = Counter()
        self._daily: dict[str, tuple[str, int]] = {}
        self._bulk: tuple[tuple[str, int, int], bytes] | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.reset_counters()

    # -- lifecycle -------------------------------------------------------

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        middlewares: Iterable[Middleware] = (),
    ) -> None:
        """Listen on a loopback address; port 0 picks a free port. `middlewares` wrap every
        request (the CLI's `--verbose` request log)."""
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the simulator listens on loopback addresses only")
        app = web.Application(middlewares=list(middlewares))
        app.router.add_get(PATH, self._handle)
        app.router.add_route("*", "/{path:.*}", _unknown_path)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Release delayed answers and close the server."""
        self.release_slow()
        if self._working:
            await asyncio.gather(*self._working, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> WolkvoxSimulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, to use as an operation's base URL override."""
        if self._port is None:
            raise RuntimeError("the simulator is not started")
        return f"http://127.0.0.1:{self._port}"

    # -- control ---------------------------------------------------------

    @property
    def scenario(self) -> str:
        return self._scenario

    def set_scenario(self, name: str, *, elapsed: timedelta = timedelta(0)) -> None:
        """Play scenario `name` as if it had started `elapsed` ago (default: from now), so
        `elapsed=timedelta(minutes=10)` is in `abandon_surge`'s surge at once; calls of the
        minutes before this one do not change."""
        self._scenario = validate_scenario(name)
        now = self._clock.now()
        self._traffic.set_script(name, anchor=now - elapsed, now=now)

    @property
    def fault(self) -> Fault | None:
        return self._fault

    def set_fault(self, fault: Fault | str | None, *, times: int | None = None) -> None:
        """Inject `fault` into the next `times` requests (None: until cleared with None)."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for until cleared)")
        self._fault = Fault(fault) if fault is not None else None
        self._fault_left = times if fault is not None else None

    def release_slow(self) -> None:
        """Answer every request held by the `slow` fault now."""
        self._release.set()
        self._release = asyncio.Event()

    # -- counters --------------------------------------------------------

    def reset_counters(self) -> None:
        self.requests_total = 0
        self.concurrency_rejections = 0
        self.max_concurrent_per_token = 0
        self._per_token.clear()

    @property
    def requests_per_token(self) -> Mapping[str, int]:
        """Requests seen per token (tokens with a header only), a copy."""
        return dict(self._per_token)

    def requests_for(self, token: str) -> int:
        return self._per_token[token]

    def in_flight(self, token: str) -> int:
        """Requests on `token` being answered right now."""
        return self._in_flight[token]

    # -- serving ---------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests_total += 1
        token = request.headers.get("wolkvox-token", "").strip()
        if not token:
            return _response(faults.TOKEN_MISSING)
        self._per_token[token] += 1
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return _response(faults.TOKEN_INVALID)
        self._in_flight[token] += 1
        self.max_concurrent_per_token = max(self.max_concurrent_per_token, self._in_flight[token])
        if self._in_flight[token] > self.max_in_flight_per_token:
            self.concurrency_rejections += 1
            self._leave(token)
            return _response(faults.CONCURRENCY)
        if not self.keeps_working:
            try:
                return await self._serve(request, token)
            finally:
                self._leave(token)
        # Like PHP: the work goes on (holding the token) after the client hangs up.
        work = asyncio.get_running_loop().create_task(self._serve(request, token))
        self._working.add(work)
        work.add_done_callback(partial(self._work_done, token))
        return await asyncio.shield(work)

    def _leave(self, token: str) -> None:
        self._in_flight[token] -= 1
        if self._in_flight[token] <= 0:
            del self._in_flight[token]

    def _work_done(self, token: str, work: asyncio.Task[web.StreamResponse]) -> None:
        self._working.discard(work)
        self._leave(token)
        if not work.cancelled():
            work.exception()

    async def _serve(self, request: web.Request, token: str) -> web.StreamResponse:
        if self._over_daily_limit(token):
            return _response(faults.TOKEN_LIMIT)
        fault = self._take_fault()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if fault is Fault.SLOW:
            await self._hold()
        canned = faults.canned_error(fault)
        if canned is not None:
            return _response(canned)
        answer = self._answer(request.query, token, fault)
        if fault is Fault.CONNECTION_DROP and answer.status == 200:
            return await _drop_half_way(request, answer)
        return _response(answer)

    def _answer(self, query: Mapping[str, str], token: str, fault: Fault | None) -> Canned:
        api = query.get("api", "").strip()
        now = self._clock.now()
        minute = int(now.timestamp()) // 60
        if not api:
            return faults.MISSING_PARAMS
        if api == "calls_last_10":
            if fault is Fault.OVER_LIMIT:
                return Canned(200, self._over_limit_body(token, now))
            records = self._traffic.window(token, now)
            return faults.envelope(faults.bend_records(records, fault), fault)
        data: list[Any]
        if api == "agents":
            data = siblings.agents(
                seed=self._seed,
                token=token,
                profile=self._traffic.profile(token),
                minute=minute,
                incident=self._traffic.incident(minute),
                fault=fault,
            )
        elif api == "skills":
            skill_id = query.get("skill_id", "").strip()
            if not skill_id:
                return faults.MISSING_PARAMS
            data = siblings.skills(
                seed=self._seed,
                token=token,
                window=self._traffic.window(token, now),
                minute=minute,
                incident=self._traffic.incident(minute),
                skill_id=skill_id,
                fault=fault,
            )
        else:
            return faults.BAD_API
        return faults.envelope(data, fault)

    def _over_limit_body(self, token: str, now: datetime) -> bytes:
        key = (token, int(now.timestamp()) // 60, self.over_limit_records)
        if self._bulk is None or self._bulk[0] != key:
            records = self._traffic.bulk(token, now, self.over_limit_records)
            self._bulk = (key, faults.envelope(list(records)).body)
        return self._bulk[1]

    def _take_fault(self) -> Fault | None:
        fault = self._fault
        if fault is not None and self._fault_left is not None:
            self._fault_left -= 1
            if self._fault_left <= 0:
                self._fault, self._fault_left = None, None
        return fault

    async def _hold(self) -> None:
        release = self._release
        try:
            async with asyncio.timeout(self.slow_seconds):
                await release.wait()
        except TimeoutError:
            pass

    def _over_daily_limit(self, token: str) -> bool:
        if self.daily_limit is None:
            return False
        day = self._clock.now().astimezone(self._tz).date().isoformat()
        seen_day, count = self._daily.get(token, (day, 0))
        count = count + 1 if seen_day == day else 1
        self._daily[token] = (day, count)
        return count > self.daily_limit


async def _unknown_path(request: web.Request) -> web.Response:
    """404 naming what is served, so a mistyped URL or a bare `/` says where to go."""
    base = f"http://{request.host}{PATH}"
    valid = "\n".join(f"  GET {base}?{query}" for query in VALID_QUERIES)
    text = (
        f"404: this Wolkvox simulator serves no {request.method} {request.path}. Valid:\n"
        f"{valid}\nwith a `wolkvox-token` header (any value works).\n"
    )
    return web.Response(status=404, text=text)


def _response(canned: Canned) -> web.Response:
    return web.Response(
        status=canned.status, body=canned.body, headers={"Content-Type": canned.content_type}
    )


async def _drop_half_way(request: web.Request, answer: Canned) -> web.StreamResponse:
    """Announce the whole body, send half of it, then close the connection."""
    response = web.StreamResponse(status=200, headers={"Content-Type": answer.content_type})
    response.content_length = len(answer.body)
    await response.prepare(request)
    await response.write(answer.body[: len(answer.body) // 2])
    if request.transport is not None:
        request.transport.close()
    return response
