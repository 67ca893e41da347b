"""The async client of Wolkvox's real-time API family (`real_time.php?api=...`).

One instance is shared by the whole process, because the vendor's rules are per
token, not per caller: never two requests in flight on a token (an asyncio.Lock
per token), callers wanting the same data join the request in flight
(single-flight), and every request counts against the token's daily budget,
which is checked before anything is sent. Each request is bounded in time and
size; transient failures are retried with backoff and jitter within a total
deadline so a poll never overruns its period. The time and the attempts come
from one RequestPolicy (bot.config.request_policy), the one the daily budget's
worst case counts.

A request the client gives up on keeps its token busy for the policy's
`token_hold_s` (Wolkvox's 60 s) after it was sent: see token_hold.py.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from types import TracebackType

import httpx

from bot.adapters.wolkvox.budget import CallBudget, next_local_midnight
from bot.adapters.wolkvox.envelope import Envelope
from bot.adapters.wolkvox.errors import (
    ConfigurationError,
    PayloadError,
    QuotaExceededError,
    ResponseTooLargeError,
    TokenBusyError,
    WolkvoxConnectionError,
    WolkvoxError,
    WolkvoxTimeout,
)
from bot.adapters.wolkvox.guard import ask_before, tell_ended
from bot.adapters.wolkvox.mapping import MappedBatch, map_calls
from bot.adapters.wolkvox.php_noise import NoiseLog
from bot.adapters.wolkvox.response import decode_response
from bot.adapters.wolkvox.target import WolkvoxTarget
from bot.adapters.wolkvox.token_hold import AbandonedRequests
from bot.config.request_policy import DEFAULT_POLICY, RequestPolicy
from bot.domain.day_budget import DayBudget
from bot.services.heap import collector_paused
from bot.services.ports import Clock
from bot.services.ports.leases import RequestGuard

logger = logging.getLogger("callbot.wolkvox.client")

REAL_TIME_PATH = "/api/v2/real_time.php"
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""The vendor's stated maximum size of a result."""

_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_FlightKey = tuple[str, str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    """What one HTTP request (or one refusal before sending) came to, for metrics.

    `kind` is "ok" or the error's `kind`; `seconds` is wall time of the request.
    """

    operation: str
    api: str
    kind: str
    seconds: float
    attempt: int
    status: int | None = None
    noise: tuple[str, ...] = ()
    """What PHP printed before the JSON and was skipped (php_noise.NOISE_KINDS)."""


class WolkvoxClient:
    """Shared async client; see the module docstring for the rules it keeps."""

    def __init__(
        self,
        *,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RequestPolicy = DEFAULT_POLICY,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_request: Callable[[RequestOutcome], None] | None = None,
        user_agent: str = "callbot",
    ) -> None:
        if not 0 < max_response_bytes <= MAX_RESPONSE_BYTES:
            raise ValueError(f"max_response_bytes must be between 1 and {MAX_RESPONSE_BYTES}")
        self._clock = clock
        self._policy = policy
        self._max_bytes = max_response_bytes
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._monotonic = monotonic
        self._on_request = on_request
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(policy.timeout_s),
            follow_redirects=False,
            headers={"user-agent": user_agent, "accept": "application/json"},
        )
        self._noise_log = NoiseLog()
        self._abandoned = AbandonedRequests(
            hold_s=policy.token_hold_s, monotonic=monotonic, sleep=sleep
        )
        self._budget = CallBudget()
        self._locks: dict[str, asyncio.Lock] = {}
        self._inflight: dict[_FlightKey, asyncio.Task[Envelope]] = {}
        self.guard: RequestGuard | None = None  # set by bot.bootstrap: see guard.py

    @property
    def policy(self) -> RequestPolicy:
        """The time and attempts each call may use; the budget's worst case counts its attempts."""
        return self._policy

    async def __aenter__(self) -> WolkvoxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel requests still in flight and close the connections."""
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._http.aclose()

    async def calls_last_10(self, target: WolkvoxTarget) -> MappedBatch:
        """The calls of the last 10 minutes of one operation, mapped to CallRecords."""
        envelope = await self.fetch("calls_last_10", target)
        with collector_paused():
            return map_calls(envelope, target.zone)

    async def fetch(
        self,
        api: str,
        target: WolkvoxTarget,
        *,
        params: Mapping[str, str] | None = None,
    ) -> Envelope:
        """Call `real_time.php?api=<api>` (plus `params`) and return the checked envelope.

        A caller arriving while the same request (API, parameters, host and
        token) is in flight awaits that request instead of sending another.
        Raises a WolkvoxError subclass; its `transient` flag is already spent
        on retries, so callers just report it.
        """
        query = _query(api, params)
        key: _FlightKey = (target.budget_key, target.root_url, api, query)
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._with_retries(api, target, query))
            self._inflight[key] = task
            task.add_done_callback(partial(self._forget, key))
        return await asyncio.shield(task)

    def budget(self, target: WolkvoxTarget, now: datetime) -> DayBudget:
        """Today's (in the operation's timezone) spent and allowed calls of the target's token."""
        return self._budget.status(target, now)

    def budget_snapshot(self) -> dict[str, DayBudget]:
        """Counters by `WolkvoxTarget.budget_key`, for the store to persist."""
        return self._budget.snapshot()

    def restore_budget(self, counts: Mapping[str, DayBudget]) -> None:
        """Load persisted counters (the higher count of a day wins)."""
        self._budget.restore(counts)

    def _forget(self, key: _FlightKey, task: asyncio.Task[Envelope]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()

    async def _with_retries(
        self, api: str, target: WolkvoxTarget, query: tuple[tuple[str, str], ...]
    ) -> Envelope:
        deadline_at = self._monotonic() + self._policy.deadline_s
        attempts = min(self._policy.attempts, target.attempts or self._policy.attempts)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(api, target, query, deadline_at, attempt)
            except WolkvoxError as exc:
                exc.operation, exc.api, exc.attempts = target.name, api, attempt
                exc.redact(target.token)
                delay = self._backoff(attempt)
                out_of_time = self._monotonic() + delay >= deadline_at
                busy = isinstance(exc, TokenBusyError)
                if not exc.transient or busy or attempt >= attempts or out_of_time:
                    raise
                logger.warning(
                    "event=wolkvox_retry api=%s operation=%s error=%s attempt=%d retry_in_s=%.1f",
                    api,
                    target.name,
                    exc.kind,
                    attempt,
                    delay,
                )
                await self._sleep(delay)

    async def _attempt(
        self,
        api: str,
        target: WolkvoxTarget,
        query: tuple[tuple[str, str], ...],
        deadline_at: float,
        attempt: int,
    ) -> Envelope:
        lock = self._locks.setdefault(target.budget_key, asyncio.Lock())
        try:
            async with asyncio.timeout(max(0.0, deadline_at - self._monotonic())):
                await lock.acquire()
        except TimeoutError:
            raise WolkvoxTimeout(
                "another request on the same token was still running when this call ran out "
                f"of time ({self._policy.deadline_s:g} s allowed); the token is used one "
                "request at a time."
            ) from None
        try:
            try:
                await self._abandoned.wait_or_refuse(
                    target.budget_key,
                    api=api,
                    operation=target.name,
                    deadline_at=deadline_at,
                    needed_s=min(self._policy.timeout_s, self._policy.deadline_s) / 2,
                )
                await ask_before(self.guard, target.name)
            except WolkvoxError as exc:  # TokenBusyError, NotLeaseHolderError: nothing sent
                self._report(target, api, exc.kind, 0.0, attempt, None)
                raise
            now = self._clock.now()
            try:
                self._budget.charge(target, now)
            except QuotaExceededError as exc:
                await tell_ended(self.guard, target.name)  # marked started, never sent
                self._report(target, api, exc.kind, 0.0, attempt, None)
                raise
            started = self._monotonic()
            status: int | None = None
            try:
                timeout = min(self._policy.timeout_s, max(0.001, deadline_at - started))
                status, body = await self._get(api, target, query, timeout)
                with collector_paused():
                    envelope = decode_response(
                        status,
                        body,
                        api=api,
                        resumes_at=next_local_midnight(target, now).astimezone(target.zone),
                    )
            except WolkvoxError as exc:
                if isinstance(exc, QuotaExceededError):
                    self._budget.exhaust(target, now)
                if isinstance(exc, WolkvoxTimeout):
                    self._abandoned.hold(target.budget_key, started)
                await tell_ended(self.guard, target.name, exc)
                self._report(target, api, exc.kind, self._monotonic() - started, attempt, status)
                raise
            except asyncio.CancelledError:
                self._abandoned.hold(target.budget_key, started)
                raise
            await tell_ended(self.guard, target.name)
            if envelope.noise:
                self._noise_log.noticed(target.name, api, envelope.noise)
            seconds = self._monotonic() - started
            self._report(target, api, "ok", seconds, attempt, status, envelope.noise)
            return replace(envelope, sent_at=now)
        finally:
            lock.release()

    async def _get(
        self,
        api: str,
        target: WolkvoxTarget,
        query: tuple[tuple[str, str], ...],
        limit_s: float,
    ) -> tuple[int, bytearray]:
        url = target.root_url + REAL_TIME_PATH
        headers = {"wolkvox-token": target.token}
        try:
            async with (
                asyncio.timeout(limit_s),
                self._http.stream("GET", url, params=query, headers=headers) as response,
            ):
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self._max_bytes:
                    raise self._too_large(api, response.status_code)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self._max_bytes:
                        raise self._too_large(api, response.status_code)
                return response.status_code, body
        except (TimeoutError, httpx.TimeoutException):
            raise WolkvoxTimeout(
                f"Wolkvox did not answer {api} completely within {limit_s:g} s."
            ) from None
        except httpx.ConnectError as exc:
            raise WolkvoxConnectionError(
                f"could not connect to {target.root_url} ({_reason(exc)}); the operation's "
                "firewall may need to allow the bot's outbound IP address, or the server code "
                "may be wrong."
            ) from None
        except httpx.RemoteProtocolError:
            raise PayloadError(
                f"Wolkvox closed the connection before the {api} answer was complete."
            ) from None
        except httpx.DecodingError:
            raise PayloadError(
                f"the {api} answer could not be decompressed; it may have been cut off in transit."
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise ConfigurationError(
                f"the Wolkvox URL {target.root_url} is not usable ({_reason(exc)}); check the "
                "operation's base_url."
            ) from None
        except httpx.HTTPError as exc:
            raise WolkvoxConnectionError(
                f"the connection to {target.root_url} failed ({_reason(exc)}); if it keeps "
                "failing, the operation's firewall may need to allow the bot's outbound IP address."
            ) from None

    def _too_large(self, api: str, status: int) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"the {api} answer is larger than the {self._max_bytes:,} byte cap and was not read; "
            "raise max_response_mb (Wolkvox allows up to 256 MB) or poll more often so each answer "
            "is smaller.",
            status=status,
        )

    def _backoff(self, attempt: int) -> float:
        ceiling = self._policy.backoff_ceiling(attempt)
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _report(
        self,
        target: WolkvoxTarget,
        api: str,
        kind: str,
        seconds: float,
        attempt: int,
        status: int | None,
        noise: tuple[str, ...] = (),
    ) -> None:
        logger.debug(
            "event=wolkvox_request api=%s operation=%s outcome=%s seconds=%.3f attempt=%d",
            api,
            target.name,
            kind,
            seconds,
            attempt,
        )
        if self._on_request is None:
            return
        try:
            self._on_request(
                RequestOutcome(target.name, api, kind, seconds, attempt, status, noise)
            )
        except Exception:
            logger.exception("event=on_request_hook_failed operation=%s", target.name)


def _query(api: str, params: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    if not _NAME.fullmatch(api):
        raise ValueError(f"not a real-time API name: {api!r}")
    extra = sorted((params or {}).items())
    for name, _value in extra:
        if name == "api" or not _NAME.fullmatch(name):
            raise ValueError(f"not a usable parameter name: {name!r}")
    return (("api", api), *extra)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__
