"""The real bot through Wolkvox conditions that are not one bad answer: a token revoked in
the middle of the day, the daily quota running out (and a restart not forgetting it) until
the next local day, the vendor's clock disagreeing with the bot's, 60,000 records in one
answer, the same conn_id several times in one payload, and a base_url that points at no
Wolkvox API.

Each runs the assembled bot (see wolkvox_harness.py) and checks what a person would see:
the counts /calls reads, the alerts in the channel, the poll's log line.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.adapters.wolkvox.simulator import Fault
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.runtime import Runtime
from tests.faults.wolkvox_harness import (
    BOGOTA,
    CHANNEL,
    NEXT_LOCAL_MIDNIGHT,
    OPERATION,
    SEED,
    T0,
    TOKEN,
    VOLUME,
    World,
    at_cycle,
    counted,
    status_line,
    truth,
    world,
)

pytestmark = pytest.mark.faults

WIDE = timedelta(hours=8)


@pytest.fixture(autouse=True)
def _logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="callbot")


def poll_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("event=poll ")]


def assert_one_incident_resolved(w: World) -> None:
    [incident] = w.top_level()
    assert "wolkvox-unavailable" in incident["text"] and "Resolved" in incident["text"]
    assert any("Resolved" in r["text"] for r in w.slack.thread(CHANNEL, incident["ts"]))
    posts = w.slack.calls_to("chat.postMessage", ok_only=True)
    assert len([c for c in posts if not c.params.get("thread_ts")]) == 1


async def test_a_token_revoked_mid_day_stops_polling_and_alerts_until_fixed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def script(w: World, n: int) -> None:
        if n == 3:
            assert w.sim.valid_tokens is not None
            w.sim.valid_tokens.clear()  # an administrator deletes the token in wolkvox Manager

    async with world(tmp_path) as w:
        await w.run(6, script)
        sent_before_fix = w.sim.requests_for(TOKEN)
        w.sim.valid_tokens = {TOKEN}  # a valid token is configured again; the bot restarts
        await w.run(1)

    outcomes = [r.outcome for r in w.reports]
    assert outcomes == ["ok", "ok", "token_rejected", "stopped", "stopped", "stopped", "ok"]
    assert sent_before_fix == 3  # refused once, then no request until someone acts
    assert "wrong or expired" in (w.report(3).error or "")
    assert any("outcome=token_rejected" in line for line in poll_lines(caplog))
    assert w.decisions() == [(5, "first"), (6, "updated"), (7, "resolved")]
    assert_one_incident_resolved(w)
    assert TOKEN not in caplog.text


async def test_a_spent_budget_survives_a_restart_and_the_next_day_starts_fresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """1 licence allows 800 calls a day after the 20 % reserve; the bot has spent 798."""

    def spent_798(runtime: Runtime) -> None:
        runtime.source.restore_budget(OPERATION, date(2026, 1, 19), 798)

    def script(w: World, n: int) -> None:
        if n == 6:
            w.clock.set(NEXT_LOCAL_MIDNIGHT + timedelta(minutes=1))

    async with world(tmp_path) as w:
        await w.run(2, prepare=spent_798)
        runtime = await w.run(4, script)  # a restart on the same day, then past midnight

    outcomes = [r.outcome for r in w.reports]
    assert outcomes == ["ok", "ok", "quota_exceeded", "quota_exceeded", "quota_exceeded", "ok"]
    assert w.sim.requests_for(TOKEN) == 3  # the restart did not forget the two calls left
    refusal = w.report(3).error or ""
    assert "800 of 800 used on 2026-01-19" in refusal and "the call was not sent" in refusal
    assert w.decisions() == [(5, "first"), (6, "resolved")]
    assert_one_incident_resolved(w)
    budget = runtime.source.budget(OPERATION, runtime.clock.now())
    assert (budget.day, budget.used, budget.limit) == (date(2026, 1, 20), 1, 800)


@dataclass(frozen=True)
class Skew:
    offset: timedelta
    refused: bool
    """Dated more than the log's 5-minute tolerance ahead of the bot: not counted."""


SKEWS = {
    "vendor 2 min ahead": Skew(timedelta(minutes=2), refused=False),
    "vendor 3 min behind": Skew(timedelta(minutes=-3), refused=False),
    "dates 30 min in the future": Skew(timedelta(minutes=30), refused=True),
    "dates 5 hours old": Skew(timedelta(hours=-5), refused=False),
}


@pytest.mark.parametrize("case", SKEWS, ids=list(SKEWS))
async def test_a_vendor_clock_off_from_the_bots_neither_loses_nor_doubles_calls(
    case: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    skew = SKEWS[case]
    async with world(tmp_path, vendor_skew=skew.offset) as w:
        runtime = await w.run(4)

    served = truth(at_cycle(n) + skew.offset for n in range(1, 5))
    assert [r.outcome for r in w.reports] == ["ok"] * 4
    records = sum(r.records for r in w.reports)
    refused = sum(r.out_of_range for r in w.reports)
    assert refused == (records if skew.refused else 0)
    lines = poll_lines(caplog)
    assert all(
        f"out_of_range={r.out_of_range}" in line for r, line in zip(w.reports, lines, strict=True)
    )
    expected = 0 if skew.refused else len(served)
    assert counted(runtime, T0 - WIDE, T0 + WIDE) == expected  # each call once, or not at all
    now = at_cycle(4)
    shown = counted(runtime, now - timedelta(minutes=10), now)
    assert (shown > 0) == (abs(skew.offset) < timedelta(minutes=5))  # hours-old calls are history
    assert w.channel() == []


async def test_sixty_thousand_records_in_one_answer_are_counted_and_flagged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The vendor returns 60,000 records at most and silently cuts the rest: the bot counts
    them all, says in its log line that the answer may be truncated, and polls on."""
    async with world(tmp_path) as w:
        w.speed = 100.0  # a 5-minute period is 3 real seconds: time enough for 8 MB of JSON
        w.sim.set_fault(Fault.OVER_LIMIT, times=1)
        runtime = await w.run(2)

    first, second = w.reports
    assert (first.outcome, first.records, first.new, first.possibly_truncated) == (
        "ok",
        60_000,
        60_000,
        True,
    )
    assert second.outcome == "ok" and not second.possibly_truncated
    assert "records=60000 new=60000" in poll_lines(caplog)[0]
    assert "truncated=True" in poll_lines(caplog)[0]
    assert counted(runtime, T0 - WIDE, T0 + WIDE) == 60_000 + len(truth([at_cycle(2)]))
    assert w.channel() == []


async def test_the_same_conn_id_twice_in_every_payload_is_one_call(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as w:
        w.sim.set_fault(Fault.DUPLICATE_CONN_IDS)
        runtime = await w.run(4)

    model = TrafficModel(seed=SEED, timezone=BOGOTA, volume=VOLUME)
    calls = {
        r["conn_id"]: (r["type_interaction"], r["result"])
        for n in range(1, 5)
        for r in model.window(TOKEN, at_cycle(n))
    }
    stats = runtime.state.log.stats(OPERATION, start=T0 - WIDE, end=T0 + WIDE)
    assert dict(stats.counts) == dict(Counter(calls.values()))  # by type and result, abandons too
    assert all(r.outcome == "ok" for r in w.reports)
    assert all(sum(r.skipped.values()) > 0 for r in w.reports)
    assert all("skipped=0 " not in line for line in poll_lines(caplog))
    assert w.channel() == []


async def test_a_wrong_base_url_is_a_failed_poll_that_says_so_not_an_empty_window(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The simulator answers an unknown path with a plain-text 404, as a web server does
    for a mistyped URL. Read as "no calls", the bot would report a dead contact center
    in good health; it must be a failed poll naming what to check, in the log, in
    /calls status and, once the data is stale, in wolkvox-unavailable's message."""
    async with world(tmp_path) as w:
        w.path = "/wolkvox"
        runtime = await w.run(3)
        status = status_line(runtime)

    assert [r.outcome for r in w.reports] == ["not_found"] * 3
    advice = "check the operation's base_url and server"
    assert all(advice in (r.error or "") for r in w.reports)
    assert all("outcome=not_found error=" in line for line in poll_lines(caplog))
    assert status.outcome == "error" and advice in (status.last_error or "")
    assert counted(runtime, T0 - WIDE, T0 + WIDE) == 0
    [alert] = w.top_level()
    assert "wolkvox-unavailable" in alert["text"]
    assert advice in str(alert)
