from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import RequestOutcome, WolkvoxClient
from bot.adapters.wolkvox.errors import (
    ConcurrencyLimitError,
    ConfigurationError,
    NotFoundError,
    PayloadError,
    QuotaExceededError,
    ResponseTooLargeError,
    ServerBackupError,
    ServerError,
    TokenMissingError,
    TokenRejectedError,
    WolkvoxError,
    WolkvoxTimeout,
)
from bot.config.request_policy import RequestPolicy

from .conftest import TOKEN, FakeWolkvox, Sleeps, calls_body, make_target, reply


def forbidden(msg: str) -> httpx.Response:
    return reply(403, {"code": 403, "error": "FORBIDDEN", "msg": msg})


async def test_calls_last_10_sends_the_token_only_in_its_header(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    batch = await client.calls_last_10(make_target())

    (request,) = wolkvox.requests
    assert str(request.url) == "https://wv0004.wolkvox.com/api/v2/real_time.php?api=calls_last_10"
    assert request.headers["wolkvox-token"] == TOKEN
    assert "wolkvox_server" not in request.headers
    assert TOKEN not in str(request.url)
    assert [r.conn_id for r in batch.records] == ["6736.4628.1040.1768834500.0"]
    assert batch.records[0].at == datetime(2026, 1, 19, 14, 55, tzinfo=UTC)


async def test_fetch_is_generic_over_the_real_time_family(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    skills = {"skill_id": "7", "skill_name": "Ventas", "calls_in_queue_now": "3"}
    wolkvox.script(reply(200, {"code": "200", "msg": "1 records were found", "data": skills}))
    target = make_target(base_url="http://127.0.0.1:9/")

    result = await client.fetch("skills", target, params={"skill_id": "all"})

    assert str(wolkvox.requests[0].url) == (
        "http://127.0.0.1:9/api/v2/real_time.php?api=skills&skill_id=all"
    )
    assert result.rows == (skills,)


@pytest.mark.parametrize(
    ("api", "params"), [("../x", None), ("calls last", None), ("skills", {"api": "agents"})]
)
async def test_api_names_and_parameters_are_validated(
    client: WolkvoxClient, wolkvox: FakeWolkvox, api: str, params: dict[str, str] | None
) -> None:
    with pytest.raises(ValueError, match="not a"):
        await client.fetch(api, make_target(), params=params)
    assert wolkvox.requests == []


@pytest.mark.parametrize(
    ("response", "error", "requests"),
    [
        (
            reply(
                400,
                {
                    "code": 400,
                    "error": "BAD REQUEST",
                    "msg": "THE API YOU WANT TO CONSULT DOES NOT EXIST",
                },
            ),
            ConfigurationError,
            1,
        ),
        (
            reply(
                400, {"code": 400, "error": "BAD REQUEST", "msg": "SOME PARAMETERS ARE REQUIRED"}
            ),
            ConfigurationError,
            1,
        ),
        (
            reply(
                401, {"code": 401, "error": "UNAUTHORIZED", "msg": "PLEASE ENTER THE WOLKVOX-TOKEN"}
            ),
            TokenMissingError,
            1,
        ),
        (forbidden("PLEASE VALIDATE TOKEN"), TokenRejectedError, 1),
        (forbidden("TOKEN LIMIT EXCEEDED"), QuotaExceededError, 1),
        (
            forbidden("EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"),
            ConcurrencyLimitError,
            3,
        ),
        (reply(403, b"<html>backup</html>"), ServerBackupError, 3),
        (reply(500, b"Internal Server Error"), ServerError, 3),
        (reply(503, {"code": 503, "msg": "unavailable"}), ServerError, 3),
        (reply(200, b"<!DOCTYPE html><html></html>"), PayloadError, 3),
        (reply(200, b'{"code": 200, "data": [{"conn'), PayloadError, 3),
    ],
)
async def test_each_documented_error_is_retried_only_when_transient(
    client: WolkvoxClient,
    wolkvox: FakeWolkvox,
    sleeps: Sleeps,
    response: httpx.Response,
    error: type[WolkvoxError],
    requests: int,
) -> None:
    wolkvox.script(response)

    with pytest.raises(error) as caught:
        await client.calls_last_10(make_target())

    assert len(wolkvox.requests) == requests
    assert len(sleeps.delays) == requests - 1
    assert caught.value.attempts == requests
    assert str(caught.value).startswith("operation 'acme': ")


async def test_a_server_error_then_success_returns_the_calls(
    client: WolkvoxClient,
    wolkvox: FakeWolkvox,
    sleeps: Sleeps,
    outcomes: list[RequestOutcome],
) -> None:
    wolkvox.script(reply(502, b"Bad Gateway"), reply(200, calls_body(2)))

    batch = await client.calls_last_10(make_target())

    assert len(batch.records) == 2
    assert len(wolkvox.requests) == 2
    assert [(o.operation, o.api, o.kind, o.status) for o in outcomes] == [
        ("acme", "calls_last_10", "server_error", 502),
        ("acme", "calls_last_10", "ok", 200),
    ]
    assert all(o.seconds >= 0 for o in outcomes)


async def test_backoff_grows_with_jitter(
    client: WolkvoxClient, wolkvox: FakeWolkvox, sleeps: Sleeps
) -> None:
    wolkvox.script(reply(503, b""))

    with pytest.raises(ServerError):
        await client.calls_last_10(make_target())

    first, second = sleeps.delays
    assert 1.0 <= first <= 2.0
    assert 2.0 <= second <= 4.0


class FakeTime:
    """Monotonic time that only the injected sleep moves."""

    def __init__(self) -> None:
        self.now = 100.0
        self.delays: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        self.now += delay


async def test_retries_stop_at_the_deadline(clock: ManualClock, wolkvox: FakeWolkvox) -> None:
    fake = FakeTime()
    wolkvox.script(reply(500, b""))
    async with WolkvoxClient(
        clock=clock,
        transport=wolkvox.transport,
        policy=RequestPolicy(attempts=10, deadline_s=20, backoff_base_s=2),
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        rng=random.Random(1),
    ) as client:
        with pytest.raises(ServerError):
            await client.calls_last_10(make_target())

    assert 2 <= len(wolkvox.requests) < 10
    assert sum(fake.delays) < 20


async def test_a_request_that_never_answers_times_out(
    clock: ManualClock, wolkvox: FakeWolkvox
) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    wolkvox.handler = hang
    async with WolkvoxClient(
        clock=clock,
        transport=wolkvox.transport,
        policy=RequestPolicy(timeout_s=0.05, attempts=2),
        sleep=Sleeps(),
    ) as client:
        with pytest.raises(WolkvoxTimeout, match=r"within 0\.05 s"):
            await client.calls_last_10(make_target())

    assert len(wolkvox.requests) == 2


async def test_one_request_in_flight_per_token_across_apis_and_operations(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    targets = [make_target(name="acme"), make_target(name="acme-backoffice")]

    await asyncio.gather(*(client.fetch(f"report_{i}", targets[i % 2]) for i in range(10)))

    assert len(wolkvox.requests) == 10
    assert wolkvox.max_in_flight == 1


async def test_concurrent_callers_for_the_same_data_join_one_request(
    client: WolkvoxClient, wolkvox: FakeWolkvox, clock: ManualClock
) -> None:
    target = make_target()

    batches = await asyncio.gather(*(client.calls_last_10(target) for _ in range(10)))

    assert len(wolkvox.requests) == 1
    assert all(batch == batches[0] for batch in batches)
    assert client.budget(target, clock.now()).used == 1


async def test_a_cancelled_caller_does_not_cancel_the_others(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await release.wait()
        return reply(200, calls_body(3))

    wolkvox.handler = slow
    target = make_target()
    first = asyncio.create_task(client.calls_last_10(target))
    second = asyncio.create_task(client.calls_last_10(target))
    await started.wait()
    first.cancel()
    release.set()

    assert len((await second).records) == 3
    assert first.cancelled()
    assert len(wolkvox.requests) == 1


async def test_different_tokens_run_in_parallel(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    both_in_flight = asyncio.Event()

    async def wait_for_the_other(request: httpx.Request) -> httpx.Response:
        if wolkvox.in_flight == 2:
            both_in_flight.set()
        await both_in_flight.wait()
        return reply(200, calls_body())

    wolkvox.handler = wait_for_the_other
    a = make_target(name="a", token="token-a")
    b = make_target(name="b", token="token-b")

    async with asyncio.timeout(5):
        await asyncio.gather(client.calls_last_10(a), client.calls_last_10(b))

    assert wolkvox.max_in_flight == 2


@pytest.mark.parametrize("with_length", [True, False])
async def test_an_answer_past_the_size_cap_is_not_read_further(
    clock: ManualClock, with_length: bool
) -> None:
    yielded: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(100):
            yielded.append(i)
            yield b"x" * 100

    async def big(request: httpx.Request) -> httpx.Response:
        if with_length:
            return httpx.Response(200, content=b"x" * 10_000)
        return httpx.Response(200, content=chunks())

    wolkvox = FakeWolkvox(big)
    async with WolkvoxClient(
        clock=clock, transport=wolkvox.transport, max_response_bytes=1_000, sleep=Sleeps()
    ) as client:
        with pytest.raises(ResponseTooLargeError, match="1,000 byte cap"):
            await client.calls_last_10(make_target())

    assert len(wolkvox.requests) == 1
    assert len(yielded) <= 11


async def test_sixty_thousand_records_are_flagged_possibly_truncated(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    wolkvox.script(reply(200, calls_body(60_000)))

    batch = await client.calls_last_10(make_target())

    assert batch.possibly_truncated is True
    assert len(batch.records) == 60_000


@pytest.mark.parametrize(
    "response",
    [
        reply(404, {"code": 404, "error": None, "msg": " 0 records were found", "data": []}),
        reply(404, b""),
        reply(200, {"code": 200, "msg": "0 records were found"}),
        reply(200, {"code": "200", "msg": " 0 records were found", "data": None}),
    ],
)
async def test_an_empty_window_means_no_calls(
    client: WolkvoxClient, wolkvox: FakeWolkvox, response: httpx.Response
) -> None:
    wolkvox.script(response)

    batch = await client.calls_last_10(make_target())

    assert batch.records == ()
    assert len(wolkvox.requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"Not Found",
        b"<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>",
        b"\n<h1>Not Found</h1><p>The requested URL was not found on this server.</p>",
    ],
)
async def test_a_404_that_is_not_a_wolkvox_answer_is_a_wrong_address_not_an_empty_window(
    client: WolkvoxClient, wolkvox: FakeWolkvox, body: bytes
) -> None:
    """A web server's own "Not Found" page means the URL points at no Wolkvox API (a wrong
    base_url or server code): reported, never read as "no calls"."""
    wolkvox.script(reply(404, body))

    with pytest.raises(NotFoundError) as caught:
        await client.calls_last_10(make_target())

    assert caught.value.kind == "not_found"
    assert "check the operation's base_url and server" in str(caught.value)
    assert len(wolkvox.requests) == 1, "a wrong address is not retried within the poll"


ERROR_RESPONSES: list[httpx.Response | type[Exception]] = [
    reply(404, b"<html>" + TOKEN.encode() + b"</html>"),
    reply(400, {"code": 400, "msg": "THE API YOU WANT TO CONSULT DOES NOT EXIST"}),
    reply(401, {"code": 401, "msg": "PLEASE ENTER THE WOLKVOX-TOKEN"}),
    reply(403, {"code": 403, "msg": f"PLEASE VALIDATE TOKEN {TOKEN}"}),
    reply(403, {"code": 403, "msg": "TOKEN LIMIT EXCEEDED"}),
    reply(403, {"code": 403, "msg": "EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN (2)"}),
    reply(403, {"code": 403, "error": f"backup for {TOKEN}"}),
    reply(500, {"code": 500, "msg": f"crash {TOKEN}"}),
    reply(200, b"<html>" + TOKEN.encode() + b"</html>"),
    reply(200, {"code": 200, "data": 3}),
    reply(200, b"x" * 2_000),
    httpx.ConnectError,
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
]


@pytest.mark.parametrize("response", ERROR_RESPONSES)
async def test_the_token_never_appears_in_errors_reprs_or_logs(
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
    response: httpx.Response | type[Exception],
) -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(response, httpx.Response):
            return response
        raise response(f"failed talking with token {TOKEN}", request=request)

    caplog.set_level(logging.DEBUG)
    target = make_target()
    async with WolkvoxClient(
        clock=clock,
        transport=FakeWolkvox(answer).transport,
        policy=RequestPolicy(attempts=2),
        max_response_bytes=1_000,
        sleep=Sleeps(),
    ) as client:
        with pytest.raises(WolkvoxError) as caught:
            await client.calls_last_10(target)

    assert caplog.records
    for text in (str(caught.value), repr(caught.value), repr(target), caplog.text):
        assert TOKEN not in text
    assert caught.value.message


async def test_a_failing_metrics_hook_does_not_fail_the_call(
    clock: ManualClock, wolkvox: FakeWolkvox, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(outcome: RequestOutcome) -> None:
        raise RuntimeError("metrics down")

    async with WolkvoxClient(clock=clock, transport=wolkvox.transport, on_request=broken) as c:
        batch = await c.calls_last_10(make_target())

    assert len(batch.records) == 1
    assert "event=on_request_hook_failed" in caplog.text  # issue 17: every line is an event
