"""A request the client gave up on keeps its token busy for Wolkvox's 60 s limit.

Wolkvox's PHP backend goes on working on a request after the client hangs up and
refuses a second request on the token meanwhile. The client must therefore
never send the next request on that token before 60 s have passed since the
abandoned one was sent: it waits when the wait fits the request's deadline and
otherwise does not send at all (logged, not charged).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.wolkvox.client import RequestOutcome, WolkvoxClient
from bot.adapters.wolkvox.errors import TokenBusyError, WolkvoxError, WolkvoxTimeout
from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
from bot.adapters.wolkvox.target import WolkvoxTarget
from bot.config.request_policy import RequestPolicy
from tests.adapters.wolkvox.conftest import NOW, TOKEN, FakeWolkvox, calls_body, make_target, reply


class FakeTime:
    """A monotonic clock that only the injected sleep moves."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay
        await asyncio.sleep(0)


def timing_out(fake: FakeWolkvox, time: FakeTime, after_s: float) -> None:
    """The first request is abandoned after `after_s`; later ones are answered."""

    async def handler(request: httpx.Request) -> httpx.Response:
        if len(fake.requests) == 1:
            time.now += after_s
            raise httpx.ReadTimeout("slow", request=request)
        return reply(200, calls_body())

    fake.handler = handler


def client_for(
    fake: FakeWolkvox,
    time: FakeTime,
    outcomes: list[RequestOutcome],
    *,
    timeout_s: float,
    deadline_s: float,
) -> WolkvoxClient:
    return WolkvoxClient(
        clock=ManualClock(NOW),
        transport=fake.transport,
        monotonic=time.monotonic,
        sleep=time.sleep,
        on_request=outcomes.append,
        policy=RequestPolicy(timeout_s=timeout_s, deadline_s=deadline_s, attempts=1),
    )


async def test_the_next_poll_waits_out_the_abandoned_request_when_the_wait_fits() -> None:
    fake, time, outcomes = FakeWolkvox(), FakeTime(), []
    timing_out(fake, time, after_s=24.0)
    target = make_target()
    async with client_for(fake, time, outcomes, timeout_s=24, deadline_s=240) as client:
        with pytest.raises(WolkvoxTimeout):
            await client.calls_last_10(target)
        sent_first = 1000.0
        time.now = sent_first + 30.0  # the next poll, 30 s after the first was sent
        batch = await client.calls_last_10(target)
        assert len(batch.records) == 1
        assert time.slept == [pytest.approx(30.0)]
        assert time.now == pytest.approx(sent_first + 60.0)
        assert len(fake.requests) == 2
        assert client.budget(target, NOW).used == 2


async def test_the_next_poll_is_skipped_with_a_reason_when_the_wait_does_not_fit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    fake, time, outcomes = FakeWolkvox(), FakeTime(), []
    timing_out(fake, time, after_s=24.0)
    target = make_target()
    async with client_for(fake, time, outcomes, timeout_s=24, deadline_s=24) as client:
        with pytest.raises(WolkvoxTimeout):
            await client.calls_last_10(target)
        time.now = 1000.0 + 30.0
        with pytest.raises(TokenBusyError) as caught:
            await client.calls_last_10(target)
        assert "free again in 30 s" in str(caught.value)
        assert "the next poll tries again" in str(caught.value)
        assert len(fake.requests) == 1, "nothing may be sent while the server may be working"
        assert client.budget(target, NOW).used == 1, "a request not sent is not charged"
        assert [o.kind for o in outcomes] == ["timeout", "token_busy"]
        assert "reason=token_busy" in caplog.text
        time.now = 1000.0 + 60.0
        assert len((await client.calls_last_10(target)).records) == 1
        assert time.slept == []


async def test_a_retry_after_a_timeout_never_meets_its_own_predecessor() -> None:
    fake, time = FakeWolkvox(), FakeTime()
    timing_out(fake, time, after_s=24.0)
    target = make_target()
    async with WolkvoxClient(
        clock=ManualClock(NOW),
        transport=fake.transport,
        monotonic=time.monotonic,
        sleep=time.sleep,
        policy=RequestPolicy(timeout_s=24, deadline_s=240, attempts=2),
    ) as client:
        await client.calls_last_10(target)
    second_sent_at = time.now
    assert second_sent_at >= 1000.0 + 60.0
    assert len(fake.requests) == 2


async def test_other_tokens_are_not_held() -> None:
    fake, time, outcomes = FakeWolkvox(), FakeTime(), []
    timing_out(fake, time, after_s=24.0)
    async with client_for(fake, time, outcomes, timeout_s=24, deadline_s=24) as client:
        with pytest.raises(WolkvoxTimeout):
            await client.calls_last_10(make_target())
        other = make_target(name="beta", token=TOKEN + "-other")
        assert len((await client.calls_last_10(other)).records) == 1


SPEED = 50.0
"""Seconds of the story per real second: the test lasts about five real seconds."""
POLL_S = 30.0
ANSWER_S = 45.0


async def poll_on_schedule(poll: Callable[[], object], *, every_s: float, polls: int) -> list[str]:
    """Start a poll every `every_s` real seconds (like the scheduler: never two at once)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    outcomes: list[str] = []
    for n in range(polls):
        await asyncio.sleep(max(0.0, start + n * every_s - loop.time()))
        try:
            await poll()  # type: ignore[misc]
            outcomes.append("ok")
        except WolkvoxError as exc:
            outcomes.append(exc.kind)
    return outcomes


async def test_a_30s_poll_against_a_server_answering_in_45s_never_overlaps_on_the_token() -> None:
    clock = ManualClock(NOW)
    async with WolkvoxSimulator(
        clock=clock, keeps_working=True, slow_seconds=ANSWER_S / SPEED
    ) as sim:
        sim.set_fault(Fault.SLOW)  # every answer takes 45 s; the server never drops one
        target = WolkvoxTarget(name="acme", server="0004", token=TOKEN, base_url=sim.base_url)
        limit = 0.8 * POLL_S / SPEED  # request_policy's limits for a 30 s poll
        policy = RequestPolicy(timeout_s=limit, deadline_s=limit, token_hold_s=60.0 / SPEED)
        async with WolkvoxClient(clock=clock, policy=policy) as client:
            outcomes = await poll_on_schedule(
                lambda: client.calls_last_10(target), every_s=POLL_S / SPEED, polls=8
            )
            await asyncio.sleep(ANSWER_S / SPEED)  # let the server finish the last one
            assert sim.concurrency_rejections == 0
            assert sim.max_concurrent_per_token == 1
            sent = sim.requests_for(TOKEN)
            assert client.budget(target, NOW).used == sent
            assert outcomes.count("timeout") == sent
            assert outcomes.count("token_busy") == 8 - sent
            assert 3 <= sent <= 5, outcomes


async def test_the_same_schedule_without_the_hold_would_overlap() -> None:
    """The simulator really models the PHP backend: a client that does not wait overlaps."""
    clock = ManualClock(NOW)
    async with WolkvoxSimulator(
        clock=clock, keeps_working=True, slow_seconds=ANSWER_S / SPEED
    ) as sim:
        sim.set_fault(Fault.SLOW)
        target = WolkvoxTarget(name="acme", server="0004", token=TOKEN, base_url=sim.base_url)
        limit = 0.8 * POLL_S / SPEED
        policy = RequestPolicy(timeout_s=limit, deadline_s=limit, token_hold_s=0.0)
        async with WolkvoxClient(clock=clock, policy=policy) as client:
            await poll_on_schedule(
                lambda: client.calls_last_10(target), every_s=POLL_S / SPEED, polls=4
            )
            await asyncio.sleep(ANSWER_S / SPEED)
            assert sim.concurrency_rejections >= 1
