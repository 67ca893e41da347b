"""kill -9 at each step of the poll cycle that raises an incident, then a restart.

The real `callbot run --http` process polls the Wolkvox simulator every second and posts
to the fake Slack; Wolkvox fails, so `wolkvox-unavailable` fires on the second failed poll.
The process is killed with SIGKILL at one step of that cycle, seen only from outside:

- before storing: the poll's Wolkvox request is still in flight (held by the slow fault);
- after storing, before posting: the alert's chat.postMessage request reached Slack, which
  holds it and never stores the message;
- after posting, before recording: Slack stored the message and holds back its answer;
- after recording: an edit of the message arrived, so the post's ts was recorded (here
  the data was flowing first, and once the message is posted Wolkvox fails another way:
  a new cause is something a person cares about, so the message is edited at once).

After the restart Wolkvox stays down a while, then recovers. Each time the channel ends
with exactly one incident message, edited to resolved, with one resolution in its thread.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
from tests.fakes.slack_api import FakeSlackApi
from tests.runtime.bot_process import BOT_TOKEN, CHANNEL, WOLKVOX_TOKEN, BotProcess, write_config

pytestmark = pytest.mark.faults

HOLD_REQUEST = "request"
HOLD_ANSWER = "answer"


class SlackThatHoldsTheFirstPost(FakeSlackApi):
    """Holds the first chat.postMessage: before handling it (`request`: the message is never
    stored) or after storing it (`answer`: stored, the bot never hears back)."""

    def __init__(self, *, hold: str | None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.hold = hold
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def _handle_api(self, request: web.Request) -> web.Response:
        first_post = (
            request.match_info["method"] == "chat.postMessage" and not self.holding.is_set()
        )
        if first_post and self.hold == HOLD_REQUEST:
            self.holding.set()
            await self.release.wait()
            return web.json_response({"ok": False, "error": "fatal_error"}, status=503)
        response = await super()._handle_api(request)
        if first_post and self.hold == HOLD_ANSWER:
            self.holding.set()
            await self.release.wait()
        return response


@dataclass
class Rig:
    simulator: WolkvoxSimulator
    slack: SlackThatHoldsTheFirstPost
    bot: BotProcess

    def top_level(self) -> list[dict[str, object]]:
        return [m for m in self.slack.messages(CHANNEL) if m.get("thread_ts", m["ts"]) == m["ts"]]


async def until(check: Callable[[], bool], within_s: float = 20.0) -> None:
    async with asyncio.timeout(within_s):
        while True:
            if check():
                return
            await asyncio.sleep(0.02)


async def in_flight_poll(rig: Rig) -> None:
    # One poll at a time on the token, even after one is abandoned (Wolkvox works on it
    # for 60 s): the first poll's request is the one in flight.
    sim = rig.simulator
    await until(lambda: sim.requests_for(WOLKVOX_TOKEN) >= 1 and sim.in_flight(WOLKVOX_TOKEN) == 1)
    assert rig.slack.messages(CHANNEL) == []


async def post_held(rig: Rig) -> None:
    async with asyncio.timeout(20):
        await rig.slack.holding.wait()
    stored = [str(m["text"]) for m in rig.top_level()]
    if rig.slack.hold == HOLD_REQUEST:
        assert stored == []
    else:
        assert len(stored) == 1 and "wolkvox-unavailable" in stored[0]


async def post_recorded(rig: Rig) -> None:
    await until(lambda: len(rig.top_level()) == 1)
    rig.simulator.set_fault(Fault.MALFORMED_JSON)
    await rig.slack.wait_for("chat.update", within_s=20)
    assert len(rig.top_level()) == 1


@dataclass(frozen=True)
class Step:
    first_fault: Fault | None
    """The fault from the start; None: Wolkvox fails once a poll succeeded."""
    hold: str | None
    reached: Callable[[Rig], Awaitable[None]]


STEPS = {
    "before storing": Step(Fault.SLOW, None, in_flight_poll),
    "after storing, before posting": Step(Fault.HTTP_500, HOLD_REQUEST, post_held),
    "after posting, before recording": Step(Fault.HTTP_500, HOLD_ANSWER, post_held),
    "after recording": Step(None, None, post_recorded),
}


@pytest.fixture
async def kill_rig(tmp_path: Path) -> AsyncIterator[Callable[[Step], Awaitable[Rig]]]:
    """Builds the simulator, the fake Slack holding as the step needs, and the bot process;
    kills and stops them all afterwards."""
    simulator = WolkvoxSimulator(scenario="normal", valid_tokens=[WOLKVOX_TOKEN], slow_seconds=30)
    await simulator.start()
    rigs: list[Rig] = []

    async def build(step: Step) -> Rig:
        slack = SlackThatHoldsTheFirstPost(hold=step.hold, bot_token=BOT_TOKEN)
        await slack.start()
        bot = BotProcess(
            tmp_path,
            config=write_config(tmp_path, base_url=simulator.base_url),
            slack_api_url=slack.api_url,
        )
        rigs.append(Rig(simulator, slack, bot))
        return rigs[-1]

    try:
        yield build
    finally:
        for rig in rigs:
            rig.bot.kill()
            rig.slack.release.set()
            await rig.slack.stop()
        simulator.release_slow()
        await simulator.stop()


@pytest.mark.parametrize("step", STEPS, ids=list(STEPS))
async def test_a_kill_at_any_step_leaves_exactly_one_incident_message(
    step: str, kill_rig: Callable[[Step], Awaitable[Rig]]
) -> None:
    plan = STEPS[step]
    rig = await kill_rig(plan)
    simulator, slack, bot = rig.simulator, rig.slack, rig.bot
    simulator.set_fault(plan.first_fault)
    bot.start()
    if plan.first_fault is None:
        # One poll succeeds, so the alert's age grows and its cause can change.
        await until(
            lambda: simulator.requests_for(WOLKVOX_TOKEN) >= 1 > simulator.in_flight(WOLKVOX_TOKEN)
        )
        simulator.set_fault(Fault.HTTP_500)
    await plan.reached(rig)

    bot.kill()  # SIGKILL: no shutdown, no last drain, no transaction finished
    assert bot.proc is not None and bot.proc.returncode == -signal.SIGKILL
    simulator.set_fault(Fault.HTTP_500)  # still down when the bot comes back
    simulator.release_slow()
    slack.release.set()

    bot.start()
    await bot.wait_until(_async(lambda: len(rig.top_level()) == 1), within_s=20)
    simulator.set_fault(None)

    def resolved() -> bool:
        [incident] = rig.top_level()
        replies = slack.thread(CHANNEL, str(incident["ts"]))
        return "Resolved" in str(incident["text"]) and any("Resolved" in r["text"] for r in replies)

    await bot.wait_until(_async(resolved), within_s=20)
    [incident] = rig.top_level()
    assert "wolkvox-unavailable" in str(incident["text"])
    replies = [r["text"] for r in slack.thread(CHANNEL, str(incident["ts"]))]
    assert len(replies) == 1 and "Resolved" in replies[0]
    assert len(slack.messages(CHANNEL)) == 2  # the incident and its resolution, nothing else
    assert await bot.stop() == 0
    assert len(rig.top_level()) == 1  # the clean stop's last drain posted nothing more
    assert WOLKVOX_TOKEN not in bot.logs() and BOT_TOKEN not in bot.logs()


def _async(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def run() -> bool:
        return check()

    return run
