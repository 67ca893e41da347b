"""The real Wolkvox client against the real simulator over HTTP on 127.0.0.1.

Every simulator `Fault` appears in exactly one table below with the outcome the
person running the bot notices: the exception (type, `transient`, a message
naming the operation and what to do) or the calls that come out. The first test
fails when a fault is added to the simulator without a row here. The simulator
and the client share one ManualClock, so "today" and "local midnight" agree.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import REAL_TIME_PATH, WolkvoxClient
from bot.adapters.wolkvox.errors import (
    ConcurrencyLimitError,
    ConfigurationError,
    PayloadError,
    QuotaExceededError,
    ResponseTooLargeError,
    ServerBackupError,
    ServerError,
    TokenMissingError,
    TokenRejectedError,
    WolkvoxConnectionError,
    WolkvoxError,
    WolkvoxTimeout,
)
from bot.adapters.wolkvox.mapping import MappedBatch
from bot.adapters.wolkvox.response import decode_response
from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
from bot.adapters.wolkvox.target import WolkvoxTarget
from bot.config.request_policy import RequestPolicy
from bot.domain.calls import CallRecord, CallResult, CallType

pytestmark = pytest.mark.faults

TOKEN = "tok-7f3a-SECRET-e91b"
OTHER_TOKEN = "tok-2b8c-SECRET-04da"
T0 = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Bogota: a busy hour
NEXT_BOGOTA_MIDNIGHT = datetime(2026, 1, 20, 5, 0, tzinfo=UTC)
ATTEMPTS = 3
SLOW_TIMEOUT_S = 0.15
"""The client's per-request limit in the slow-fault tests; the simulator holds 0.4 s."""


async def until(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Let the server's tasks run until `condition` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never held")


class Backoff:
    """The client's injected sleep: records each delay instead of waiting it out.

    It returns once the simulator has finished the request being retried, which a
    real backoff of seconds guarantees, so a retry never meets its own predecessor.
    """

    def __init__(self, sim: WolkvoxSimulator) -> None:
        self.sim = sim
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await until(lambda: not any(self.sim.in_flight(t) for t in (TOKEN, OTHER_TOKEN)))


@dataclass
class Rig:
    sim: WolkvoxSimulator
    clock: ManualClock
    client: WolkvoxClient
    backoff: Backoff

    def target(self, token: str = TOKEN, **overrides: Any) -> WolkvoxTarget:
        fields: dict[str, Any] = {"name": "acme", "server": "0004", "base_url": self.sim.base_url}
        return WolkvoxTarget(token=token, **(fields | overrides))

    async def calls(self, **overrides: Any) -> MappedBatch:
        return await self.client.calls_last_10(self.target(**overrides))


@asynccontextmanager
async def running(
    *,
    timeout_s: float = 5.0,
    max_response_bytes: int = 256 * 1024 * 1024,
    **sim_options: Any,
) -> AsyncIterator[Rig]:
    clock = ManualClock(T0)
    sim_options.setdefault("slow_seconds", 0.4)
    async with WolkvoxSimulator(clock=clock, **sim_options) as sim:
        backoff = Backoff(sim)
        client = WolkvoxClient(
            clock=clock,
            # Wolkvox's 60 s hold after an abandoned request, scaled down: the Backoff
            # sleep below already returns only once the simulator finished the request.
            policy=RequestPolicy(timeout_s=timeout_s, attempts=ATTEMPTS, token_hold_s=0.1),
            max_response_bytes=max_response_bytes,
            sleep=backoff,
        )
        try:
            yield Rig(sim, clock, client, backoff)
        finally:
            sim.release_slow()
            await client.aclose()


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    async with running() as started:
        yield started


@pytest.fixture(autouse=True)
def logs_never_show_the_token(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for secret in (TOKEN, OTHER_TOKEN):
        assert secret not in caplog.text


def assert_actionable(error: WolkvoxError, advice: str, *, attempts: int) -> None:
    text = str(error)
    assert text.startswith("operation 'acme': ")
    assert advice in text
    assert (f"gave up after {attempts} attempts" in text) == (attempts > 1)
    for secret in (TOKEN, OTHER_TOKEN):
        assert secret not in text and secret not in repr(error)


def truth(record: CallRecord) -> datetime:
    """The call's time from its conn_id (second-to-last part is Unix seconds)."""
    return datetime.fromtimestamp(int(record.conn_id.split(".")[-2]), UTC)


Expect = Callable[[tuple[CallRecord, ...]], tuple[tuple[CallRecord, ...], dict[str, int]]]


def _same(base: tuple[CallRecord, ...]) -> tuple[tuple[CallRecord, ...], dict[str, int]]:
    return base, {}


def _nothing(base: tuple[CallRecord, ...]) -> tuple[tuple[CallRecord, ...], dict[str, int]]:
    return (), {}


TRANSIENT: list[tuple[Fault, type[WolkvoxError], str]] = [
    (
        Fault.SLOW,
        WolkvoxTimeout,
        f"did not answer calls_last_10 completely within {SLOW_TIMEOUT_S}",
    ),
    (Fault.HTTP_500, ServerError, "server error (500)"),
    (Fault.HTTP_502, ServerError, "server error (502)"),
    (Fault.HTTP_503, ServerError, "server error (503)"),
    (Fault.CONCURRENCY, ConcurrencyLimitError, "another integration may be using the same token"),
    (Fault.BACKUP_403, ServerBackupError, "as it does during server backups"),
    (Fault.FORBIDDEN_UNKNOWN, ServerBackupError, "ACCESS TEMPORARILY RESTRICTED"),
    (Fault.MALFORMED_JSON, PayloadError, "that are not valid JSON (HTTP 200)"),
    (Fault.PHP_FATAL, PayloadError, "HTML page instead of JSON (HTTP 200)"),
    (Fault.HTML_ERROR_PAGE, PayloadError, "HTML page instead of JSON (HTTP 200)"),
    (Fault.TRUNCATED_BODY, PayloadError, "may have been cut off in transit"),
    (Fault.CONNECTION_DROP, PayloadError, "closed the connection before the calls_last_10 answer"),
]

PERMANENT: list[tuple[Fault, type[WolkvoxError], str]] = [
    (Fault.BAD_API, ConfigurationError, "does not offer the API 'calls_last_10'"),
    (Fault.MISSING_PARAMS, ConfigurationError, "missing a required parameter"),
    (Fault.TOKEN_MISSING, TokenMissingError, "set the operation's token in the configuration"),
    (Fault.TOKEN_INVALID, TokenRejectedError, "wrong or expired. Create one in wolkvox Manager"),
    (Fault.TOKEN_LIMIT, QuotaExceededError, "resumes at the operation's local midnight"),
]

DATA: dict[Fault, Expect] = {
    Fault.STRING_CODE: _same,
    Fault.JSON_AS_HTML: _same,
    Fault.PHP_WARNING: _same,
    Fault.PHP_NOTICES: _same,
    Fault.BOM: _same,
    Fault.OLD_FIELD_NAMES: _same,
    Fault.ODD_SPELLINGS: _same,
    Fault.COMPACT_DATES: _same,
    Fault.MINUTE_DATES: lambda base: (
        tuple(replace(r, at=r.at.replace(second=0)) for r in base),
        {},
    ),
    Fault.DATA_OBJECT: lambda base: (base[:1], {}),
    Fault.DATA_NULL: _nothing,
    Fault.DATA_MISSING: _nothing,
    Fault.EMPTY_WINDOW: _nothing,
    Fault.NOT_FOUND_EMPTY: _nothing,
    Fault.DUPLICATE_CONN_IDS: lambda base: (base, {"duplicate": math.ceil(len(base) / 3)}),
    Fault.BAD_ROWS: lambda base: (
        base,
        {"no_conn_id": 2, "no_date": 1, "bad_date": 2, "not_an_object": 2},
    ),
}

OWN_TESTS = {Fault.HOSTILE_VALUES, Fault.OVER_LIMIT}


def test_every_simulator_fault_has_an_expected_outcome() -> None:
    tabled = [f for f, _, _ in TRANSIENT + PERMANENT] + [*DATA, *OWN_TESTS]
    assert sorted(tabled) == sorted(Fault)


async def test_normal_answer_maps_every_call_once_at_its_true_time(rig: Rig) -> None:
    batch = await rig.calls()

    assert len(batch.records) > 20 and batch.declared_count == len(batch.records)
    assert batch.skipped == {} and not batch.possibly_truncated
    assert len({r.conn_id for r in batch.records}) == len(batch.records)
    assert all(r.at == truth(r) for r in batch.records)
    assert {r.call_type for r in batch.records} <= set(CallType)
    assert {r.result for r in batch.records} <= set(CallResult)


@pytest.mark.parametrize(("fault", "error", "advice"), TRANSIENT)
async def test_a_lasting_transient_fault_is_retried_then_reported(
    fault: Fault, error: type[WolkvoxError], advice: str
) -> None:
    timeout_s = SLOW_TIMEOUT_S if fault is Fault.SLOW else 5.0
    async with running(timeout_s=timeout_s) as rig:
        rig.sim.set_fault(fault)
        with pytest.raises(error) as caught:
            await rig.calls()

    assert caught.value.transient
    assert_actionable(caught.value, advice, attempts=ATTEMPTS)
    assert rig.sim.requests_for(TOKEN) == ATTEMPTS
    assert len(rig.backoff.delays) == ATTEMPTS - 1
    assert rig.sim.concurrency_rejections == 0  # canned by the fault, never caused by a retry


@pytest.mark.parametrize(("fault", "error", "advice"), TRANSIENT)
async def test_a_passing_transient_fault_is_retried_and_the_calls_arrive(
    fault: Fault, error: type[WolkvoxError], advice: str, caplog: pytest.LogCaptureFixture
) -> None:
    timeout_s = SLOW_TIMEOUT_S if fault is Fault.SLOW else 5.0
    async with running(timeout_s=timeout_s) as rig:
        rig.sim.set_fault(fault, times=ATTEMPTS - 1)
        batch = await rig.calls()
        baseline = await rig.calls()

    assert batch.records == baseline.records and len(batch.records) > 20
    assert rig.sim.requests_for(TOKEN) == ATTEMPTS + 1
    assert len(rig.backoff.delays) == ATTEMPTS - 1 and all(d > 0 for d in rig.backoff.delays)
    retries = [r.getMessage() for r in caplog.records if "event=wolkvox_retry" in r.getMessage()]
    assert len(retries) == ATTEMPTS - 1
    assert all(f"operation=acme error={error.kind} " in m for m in retries)


@pytest.mark.parametrize(("fault", "error", "advice"), PERMANENT)
async def test_a_configuration_or_token_fault_is_reported_without_retry(
    rig: Rig, fault: Fault, error: type[WolkvoxError], advice: str
) -> None:
    rig.sim.set_fault(fault)

    with pytest.raises(error) as caught:
        await rig.calls()

    assert not caught.value.transient
    assert_actionable(caught.value, advice, attempts=1)
    assert rig.sim.requests_for(TOKEN) == 1 and rig.backoff.delays == []


@pytest.mark.parametrize("fault", list(DATA))
async def test_payload_variants_map_to_the_same_calls(rig: Rig, fault: Fault) -> None:
    baseline = await rig.calls()
    rig.sim.set_fault(fault)

    batch = await rig.calls()

    records, skipped = DATA[fault](baseline.records)
    assert batch.records == records
    assert dict(batch.skipped) == skipped
    assert not batch.possibly_truncated
    assert rig.sim.requests_for(TOKEN) == 2


@pytest.mark.parametrize("timezone", ["America/Bogota", "Europe/Madrid"])
@pytest.mark.parametrize("fault", [None, Fault.COMPACT_DATES, Fault.MINUTE_DATES])
async def test_dates_are_read_in_the_operation_timezone_and_stored_as_utc(
    timezone: str, fault: Fault | None
) -> None:
    async with running(timezone=timezone) as rig:
        rig.sim.set_fault(fault)
        batch = await rig.calls(timezone=timezone)

    precision = 60 if fault is Fault.MINUTE_DATES else 1
    expected = [truth(r) - timedelta(seconds=truth(r).second % precision) for r in batch.records]
    assert batch.records and [r.at for r in batch.records] == expected
    assert all(r.at.tzinfo is UTC for r in batch.records)


async def test_hostile_values_are_kept_as_data(rig: Rig) -> None:
    baseline = await rig.calls()
    rig.sim.set_fault(Fault.HOSTILE_VALUES)

    batch = await rig.calls()

    assert [r.conn_id for r in batch.records] == [r.conn_id for r in baseline.records]
    assert batch.skipped == {}
    phones = {r.telephone for r in batch.records}
    customers = {r.customer_id for r in batch.records}
    assert "<!channel>" in phones and "3001234567\x00\x1b[31m" in phones
    assert {"<@U123>", "x" * 10_000, "&lt;&amp;&gt; <#C123>"} <= customers
    assert "<!here> inbound" in {r.call_type for r in batch.records}
    assert "<https://evil.example|click me>" in {r.result for r in batch.records}


async def test_sixty_thousand_records_are_flagged_as_possibly_truncated(rig: Rig) -> None:
    rig.sim.set_fault(Fault.OVER_LIMIT)

    batch = await rig.calls()

    assert len(batch.records) == 60_000 and batch.possibly_truncated
    assert batch.declared_count == 60_000 and batch.skipped == {}


async def test_an_answer_over_the_size_cap_is_refused_without_retry() -> None:
    async with running(max_response_bytes=1_000_000, over_limit_records=20_000) as rig:
        rig.sim.set_fault(Fault.OVER_LIMIT)
        with pytest.raises(ResponseTooLargeError) as caught:
            await rig.calls()

    assert not caught.value.transient
    assert_actionable(caught.value, "larger than the 1,000,000 byte cap", attempts=1)
    assert rig.sim.requests_for(TOKEN) == 1


async def test_ten_concurrent_callers_keep_one_request_in_flight_on_their_token() -> None:
    async with running(slow_seconds=0.05) as rig:
        rig.sim.set_fault(Fault.SLOW)  # every answer takes 50 ms: any overlap would collide
        poll, command = rig.target(), rig.target(name="acme-command")  # both use TOKEN
        skills = {"skill_id": "all"}
        results = await asyncio.gather(
            *(rig.client.calls_last_10(poll if i % 2 else command) for i in range(6)),
            rig.client.fetch("agents", poll),
            rig.client.fetch("agents", command),
            rig.client.fetch("skills", poll, params=skills),
            rig.client.fetch("skills", command, params=skills),
        )

    calls = [r for r in results if isinstance(r, MappedBatch)]
    assert len(calls) == 6 and all(c.records == calls[0].records for c in calls)
    assert calls[0].records
    assert rig.sim.max_concurrent_per_token == 1
    assert rig.sim.concurrency_rejections == 0
    assert rig.sim.requests_for(TOKEN) == 3  # joined callers: 10 callers, 3 distinct requests


async def test_two_tokens_are_served_in_parallel() -> None:
    async with running(slow_seconds=5.0) as rig:
        rig.sim.set_fault(Fault.SLOW)
        first = asyncio.create_task(rig.calls())
        second = asyncio.create_task(rig.calls(token=OTHER_TOKEN, name="beta"))
        await until(lambda: rig.sim.in_flight(TOKEN) == rig.sim.in_flight(OTHER_TOKEN) == 1)
        rig.sim.release_slow()
        batches = await asyncio.gather(first, second)

    assert all(b.records for b in batches)
    assert batches[0].records != batches[1].records  # two operations, two traffic streams
    assert rig.sim.requests_per_token == {TOKEN: 1, OTHER_TOKEN: 1}
    assert rig.sim.max_concurrent_per_token == 1 and rig.sim.concurrency_rejections == 0


async def test_the_client_refuses_a_call_past_the_daily_budget_before_sending(rig: Rig) -> None:
    target = rig.target(reserved_calls=998)  # 1 licence x 1000 - 998 = 2 calls a day
    for _ in range(2):
        await rig.client.calls_last_10(target)

    with pytest.raises(QuotaExceededError) as caught:
        await rig.client.calls_last_10(target)

    assert rig.sim.requests_for(TOKEN) == 2
    assert not caught.value.transient and caught.value.resumes_at == NEXT_BOGOTA_MIDNIGHT
    assert_actionable(caught.value, "2 of 2 used on 2026-01-19", attempts=1)
    assert "the call was not sent" in str(caught.value)
    assert "Polling resumes at 2026-01-20 00:00 America/Bogota" in str(caught.value)
    rig.clock.set(NEXT_BOGOTA_MIDNIGHT)
    assert (await rig.client.calls_last_10(target)).records
    assert rig.sim.requests_for(TOKEN) == 3


async def test_the_servers_daily_limit_pauses_the_operation_until_local_midnight() -> None:
    async with running(daily_limit=2) as rig:
        for _ in range(2):
            await rig.calls()
        with pytest.raises(QuotaExceededError) as caught:
            await rig.calls()
        with pytest.raises(QuotaExceededError) as refused_locally:
            await rig.calls()
        sent_today = rig.sim.requests_for(TOKEN)
        rig.clock.set(NEXT_BOGOTA_MIDNIGHT + timedelta(minutes=1))
        after_midnight = await rig.calls()

    assert not caught.value.transient and caught.value.resumes_at == NEXT_BOGOTA_MIDNIGHT
    assert_actionable(caught.value, "TOKEN LIMIT EXCEEDED", attempts=1)
    assert "local midnight (2026-01-20 00:00 America/Bogota)" in str(caught.value)
    assert refused_locally.value.resumes_at == NEXT_BOGOTA_MIDNIGHT
    assert "the call was not sent" in str(refused_locally.value)
    assert sent_today == 3
    assert after_midnight.records and rig.sim.requests_for(TOKEN) == 4


async def test_a_token_the_server_does_not_know_is_rejected_once() -> None:
    async with running(valid_tokens={OTHER_TOKEN}) as rig:
        with pytest.raises(TokenRejectedError) as caught:
            await rig.calls()

    assert not caught.value.transient
    assert_actionable(caught.value, "PLEASE VALIDATE TOKEN", attempts=1)
    assert rig.sim.requests_for(TOKEN) == 1 and rig.backoff.delays == []


async def test_a_missing_token_cannot_be_configured_and_the_servers_401_is_token_missing(
    rig: Rig,
) -> None:
    with pytest.raises(ValueError, match="the token is empty"):
        rig.target(token="")
    async with httpx.AsyncClient(base_url=rig.sim.base_url) as raw:
        response = await raw.get(REAL_TIME_PATH, params={"api": "calls_last_10"})

    with pytest.raises(TokenMissingError) as caught:
        decode_response(response.status_code, response.content)

    assert response.status_code == 401 and not caught.value.transient
    assert "set the operation's token" in str(caught.value)


async def test_a_refused_connection_points_at_the_firewall() -> None:
    async with running() as rig:
        target = rig.target()
        await rig.sim.stop()
        with pytest.raises(WolkvoxConnectionError) as caught:
            await rig.client.calls_last_10(target)

    assert caught.value.transient
    assert_actionable(caught.value, "firewall may need to allow the bot's outbound IP", attempts=3)
    assert len(rig.backoff.delays) == ATTEMPTS - 1
