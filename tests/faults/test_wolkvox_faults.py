"""The real bot against every fault the Wolkvox simulator can produce.

The client alone is tested against each fault in tests/adapters/wolkvox; here the whole
bot runs (scheduler, client, monitor, SQLite store, outbox, Slack notifier against the
fake Slack), and each fault is judged by what a person would notice: the poll cycle
completes and the next one comes on time, the poll's log line says what happened,
`wolkvox-unavailable` fires only once the data is older than two poll periods (README:
"fires when polls fail or the data is older than two poll periods") and resolves in the
same message when data flows again, and no call is lost or counted twice.

Expectations come from shared/wolkvox-api.md: 5xx, timeouts, cut or non-JSON answers and
403s without a known reason are transient; an unknown API or a missing parameter is a
configuration bug and a missing or refused token stops polling until fixed (README: "A
refused token or a missing API stops polling that operation until the configuration is
fixed"); TOKEN LIMIT EXCEEDED pauses the operation until the next local day; the many
shapes of a success (string code, data null/object/missing, 404 for an empty window, old
field names, other spellings and date formats) are all successes.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

import pytest

from bot.adapters.wolkvox.simulator import Fault
from bot.services.views.replies import OperationStatus
from tests.faults.wolkvox_harness import (
    CHANNEL,
    NEXT_LOCAL_MIDNIGHT,
    OPERATION,
    T0,
    TOKEN,
    Script,
    World,
    at_cycle,
    counted,
    status_line,
    truth,
    world,
)

pytestmark = pytest.mark.faults

WIDE = timedelta(hours=2)
"""Far enough around the test's polls to hold every call the bot counted."""


class Outcome(StrEnum):
    OK = "ok"  # the calls arrive as usual
    EMPTY = "empty"  # a success that says "no calls"
    SKIPPED = "skipped"  # a success with unusable rows left out
    TRANSIENT = "transient"  # a failed poll; the next may succeed
    STOPS = "stops"  # polling stops until a person fixes the configuration
    QUOTA = "quota"  # polling pauses until the operation's next local day


@dataclass(frozen=True)
class Expect:
    outcome: Outcome
    kind: str = "ok"
    """The poll's outcome in its log line and report (an error's kind)."""
    advice: str = ""
    """Words of the error message a person needs to act on."""


EXPECTED: dict[Fault, Expect] = {
    Fault.STRING_CODE: Expect(Outcome.OK),
    Fault.JSON_AS_HTML: Expect(Outcome.OK),
    Fault.PHP_WARNING: Expect(Outcome.OK),
    Fault.PHP_NOTICES: Expect(Outcome.OK),
    Fault.BOM: Expect(Outcome.OK),
    Fault.OLD_FIELD_NAMES: Expect(Outcome.OK),
    Fault.ODD_SPELLINGS: Expect(Outcome.OK),
    Fault.COMPACT_DATES: Expect(Outcome.OK),
    Fault.MINUTE_DATES: Expect(Outcome.OK),
    Fault.HOSTILE_VALUES: Expect(Outcome.OK),
    Fault.DATA_OBJECT: Expect(Outcome.OK),
    Fault.DATA_NULL: Expect(Outcome.EMPTY),
    Fault.DATA_MISSING: Expect(Outcome.EMPTY),
    Fault.EMPTY_WINDOW: Expect(Outcome.EMPTY),
    Fault.NOT_FOUND_EMPTY: Expect(Outcome.EMPTY),
    Fault.BAD_ROWS: Expect(Outcome.SKIPPED),
    Fault.DUPLICATE_CONN_IDS: Expect(Outcome.SKIPPED),
    Fault.OVER_LIMIT: Expect(Outcome.OK),  # its own test in test_wolkvox_faults_conditions
    Fault.SLOW: Expect(Outcome.TRANSIENT, "timeout", "did not answer calls_last_10"),
    Fault.HTTP_500: Expect(Outcome.TRANSIENT, "server_error", "500"),
    Fault.HTTP_502: Expect(Outcome.TRANSIENT, "server_error", "502"),
    Fault.HTTP_503: Expect(Outcome.TRANSIENT, "server_error", "503"),
    Fault.CONCURRENCY: Expect(Outcome.TRANSIENT, "concurrency_limit", "same token"),
    Fault.BACKUP_403: Expect(Outcome.TRANSIENT, "server_backup", "backup"),
    Fault.FORBIDDEN_UNKNOWN: Expect(Outcome.TRANSIENT, "server_backup", "ACCESS TEMPORARILY"),
    Fault.MALFORMED_JSON: Expect(Outcome.TRANSIENT, "payload", "not valid JSON"),
    Fault.PHP_FATAL: Expect(Outcome.TRANSIENT, "payload", "HTML page instead of JSON"),
    Fault.HTML_ERROR_PAGE: Expect(Outcome.TRANSIENT, "payload", "HTML"),
    Fault.TRUNCATED_BODY: Expect(Outcome.TRANSIENT, "payload", "cut off"),
    Fault.CONNECTION_DROP: Expect(Outcome.TRANSIENT, "payload", "closed the connection"),
    Fault.BAD_API: Expect(Outcome.STOPS, "configuration", "calls_last_10"),
    Fault.MISSING_PARAMS: Expect(Outcome.STOPS, "configuration", "parameter"),
    Fault.TOKEN_MISSING: Expect(Outcome.STOPS, "token_missing", "token"),
    Fault.TOKEN_INVALID: Expect(Outcome.STOPS, "token_rejected", "wrong or expired"),
    Fault.TOKEN_LIMIT: Expect(Outcome.QUOTA, "quota_exceeded", "TOKEN LIMIT EXCEEDED"),
}


def extra_rows(fault: Fault, calls: int) -> int:
    """Unusable rows the fault adds to a window of `calls` calls: skipped and counted by the
    bot, never taken for calls (simulator_faults.FAULT_TEXT)."""
    if fault is Fault.BAD_ROWS:
        return 7  # no conn_id, an empty one, a 0000 date, no date, a bad date, 2 non-objects
    if fault is Fault.DUPLICATE_CONN_IDS:
        return math.ceil(calls / 3)  # every third record sent twice
    return 0


def faults_with(*outcomes: Outcome) -> list[Fault]:
    return [f for f, e in EXPECTED.items() if e.outcome in outcomes and f is not Fault.OVER_LIMIT]


def fault_once_at(fault: Fault, cycle: int) -> Script:
    def script(w: World, n: int) -> None:
        if n == cycle:
            w.sim.set_fault(fault, times=1)

    return script


def poll_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("event=poll ")]


def assert_quiet_and_safe(w: World, caplog: pytest.LogCaptureFixture) -> None:
    """No cycle escaped the monitor, and the token shows nowhere a person can read."""
    assert "event=poll_crashed" not in caplog.text
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(m) for m in w.channel())


def assert_one_incident_resolved(w: World) -> None:
    """Exactly one message for the incident: it now reads resolved and its thread says so;
    nothing was posted twice."""
    [incident] = w.top_level()
    assert "wolkvox-unavailable" in incident["text"]
    assert "Resolved" in incident["text"]
    replies = [r["text"] for r in w.slack.thread(CHANNEL, incident["ts"])]
    assert len([r for r in replies if "Resolved" in r]) == 1
    posts = w.slack.calls_to("chat.postMessage", ok_only=True)
    assert len([p for p in posts if not p.params.get("thread_ts")]) == 1


@pytest.fixture(autouse=True)
def _logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="callbot")


def test_every_simulator_fault_has_an_expected_outcome() -> None:
    assert sorted(EXPECTED) == sorted(Fault)


@pytest.mark.parametrize("fault", faults_with(Outcome.OK, Outcome.EMPTY, Outcome.SKIPPED))
async def test_an_odd_but_successful_answer_is_a_normal_poll(
    fault: Fault, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expect = EXPECTED[fault]
    async with world(tmp_path) as w:
        runtime = await w.run(3, fault_once_at(fault, 2))

    served, before = truth([at_cycle(2)]), truth([at_cycle(1)])
    report = w.report(2)
    assert [r.outcome for r in w.reports] == ["ok", "ok", "ok"]
    if expect.outcome is Outcome.EMPTY:
        assert report.records == 0 and report.new == 0
    elif fault is Fault.DATA_OBJECT:
        assert report.records == 1
    else:
        assert report.records == len(served)
        assert report.new == len(served - before)  # overlap with the previous poll not recounted
    unusable = sum(report.skipped.values())
    assert unusable == extra_rows(fault, len(served))  # each row sent is accounted for
    line = poll_lines(caplog)[1]
    assert f"outcome=ok records={report.records} new={report.new}" in line
    assert f"skipped={unusable}" in line
    # Nothing lost, nothing counted twice: the overlapping windows bring back what an
    # empty or partial answer left out.
    every_call = truth(at_cycle(n) for n in (1, 2, 3))
    assert counted(runtime, T0 - WIDE, T0 + WIDE) == len(every_call)
    assert w.channel() == [] and w.decisions() == []
    assert w.sim.requests_for(TOKEN) == 3
    assert_quiet_and_safe(w, caplog)


@pytest.mark.parametrize("fault", faults_with(Outcome.TRANSIENT))
async def test_a_transient_fault_alerts_only_when_the_data_goes_stale(
    fault: Fault, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A blip at cycle 2 is repaired by the next window; three failed polls in a row (4-6)
    leave the data older than two periods at cycle 6, which fires; cycle 7 resolves."""
    expect = EXPECTED[fault]
    status: list[OperationStatus] = []

    def script(w: World, n: int) -> None:
        if n == 2:
            w.sim.set_fault(fault, times=1)
        elif n == 4:
            w.sim.set_fault(fault)
        elif n == 7:
            assert w.runtime is not None
            status.append(status_line(w.runtime))  # what /calls status says while it fires
            w.sim.set_fault(None)

    async with world(tmp_path) as w:
        runtime = await w.run(7, script)

    outcomes = [r.outcome for r in w.reports]
    assert outcomes == ["ok", expect.kind, "ok", expect.kind, expect.kind, expect.kind, "ok"]
    for n in (2, 4, 5, 6):
        error = w.report(n).error or ""
        assert error.startswith(f"operation '{OPERATION}': ") and expect.advice in error
    failed = [line for line in poll_lines(caplog) if f"outcome={expect.kind} error=" in line]
    assert len(failed) == 4 and all(expect.advice in line for line in failed)
    [firing] = status
    assert firing.outcome == "error" and expect.advice in (firing.last_error or "")
    assert firing.alerts_firing == 1
    assert w.decisions()[:1] == [(6, "first")] and w.decisions()[-1] == (7, "resolved")
    assert_one_incident_resolved(w)
    # The blip lost nothing; the three failed polls lost what Wolkvox no longer serves
    # (its answer covers 10 minutes), and those minutes are known as not covered.
    assert counted(runtime, T0 - WIDE, T0 + WIDE) == len(truth(at_cycle(n) for n in (1, 3, 7)))
    log = runtime.state.log
    assert log.coverage(OPERATION, at_cycle(1) - timedelta(minutes=10), at_cycle(3)) == 1.0
    assert log.coverage(OPERATION, at_cycle(3), at_cycle(7) - timedelta(minutes=10)) == 0.0
    assert_quiet_and_safe(w, caplog)


@pytest.mark.parametrize("fault", faults_with(Outcome.STOPS))
async def test_a_configuration_or_token_fault_stops_polling_until_fixed(
    fault: Fault, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expect = EXPECTED[fault]
    async with world(tmp_path) as w:
        runtime = await w.run(5, fault_once_at(fault, 2))
        requests_while_stopped = w.sim.requests_for(TOKEN)
        fired = list(w.decisions())
        stopped_status = status_line(runtime)
        # A person fixes the configuration and restarts the bot: same store, same channel.
        await w.run(2)

    assert [r.outcome for r in w.reports[:5]] == [
        "ok",
        expect.kind,
        "stopped",
        "stopped",
        "stopped",
    ]
    assert requests_while_stopped == 2  # not retried, not hammered: one request, then none
    assert expect.advice in (stopped_status.last_error or "")
    assert stopped_status.outcome == "error" and stopped_status.alerts_firing == 1
    assert fired[:1] == [(4, "first")]
    assert [r.outcome for r in w.reports[5:]] == ["ok", "ok"]
    assert w.decisions()[-1] == (6, "resolved")
    assert_one_incident_resolved(w)
    assert_quiet_and_safe(w, caplog)


async def test_token_limit_pauses_polling_until_the_next_local_day(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expect = EXPECTED[Fault.TOKEN_LIMIT]
    status: list[OperationStatus] = []

    def script(w: World, n: int) -> None:
        if n == 2:
            w.sim.set_fault(Fault.TOKEN_LIMIT, times=1)
        elif n == 6:
            assert w.runtime is not None
            status.append(status_line(w.runtime))
            w.clock.set(NEXT_LOCAL_MIDNIGHT + timedelta(minutes=1))

    async with world(tmp_path) as w:
        runtime = await w.run(7, script)

    outcomes = [r.outcome for r in w.reports]
    assert outcomes == ["ok", *[expect.kind] * 4, "ok", "ok"]
    assert w.sim.requests_for(TOKEN) == 4  # nothing sent between the refusal and midnight
    for n in (3, 4, 5):
        assert "the call was not sent" in (w.report(n).error or "")
        assert "2026-01-20 00:00 America/Bogota" in (w.report(n).error or "")
    assert expect.advice in (w.report(2).error or "")
    assert w.decisions()[:1] == [(4, "first")] and w.decisions()[-1] == (6, "resolved")
    [paused] = status
    assert paused.outcome == "budget_exhausted"
    assert "Polling resumes at 2026-01-20 00:00 America/Bogota" in (paused.last_error or "")
    assert paused.calls_today is not None
    assert (paused.calls_today.used, paused.calls_today.limit) == (800, 800)
    assert_one_incident_resolved(w)
    budget = runtime.source.budget(OPERATION, NEXT_LOCAL_MIDNIGHT + timedelta(minutes=6))
    assert budget.day == date(2026, 1, 20) and budget.used == 2
    assert_quiet_and_safe(w, caplog)


async def test_the_unavailable_alert_says_how_old_the_data_is_not_a_count_of_calls(
    tmp_path: Path,
) -> None:
    def down_from(w: World, n: int) -> None:
        if n == 2:
            w.sim.set_fault(Fault.HTTP_500)

    async with world(tmp_path) as w:
        await w.run(4, down_from)

    [incident] = w.top_level()
    assert "calls in the last" not in incident["text"]
    assert "15 min" in incident["text"]  # no data since cycle 1, three periods ago
