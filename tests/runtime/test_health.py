"""/healthz decisions: polling fresh (or still starting), Slack connected, outbox moving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.health import HealthCheck, evaluate_health
from bot.services.ports.runtime import OutboxSample
from bot.services.state import RuntimeState
from bot.settings import parse_settings
from tests.support.config import config_text, operation

CONFIG = config_text(
    operations=[
        operation(token="t-secret-1"),
        operation("lima", token="t-secret-2", poll_every="5m"),
    ]
)
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(hours=1)


def operations(bogota_ok: timedelta | None, lima_ok: timedelta | None, error: str | None = None):
    state = RuntimeState.from_settings(parse_settings(CONFIG, source="t.yml", env={}))
    for name, age in (("bogota", bogota_ok), ("lima", lima_ok)):
        op = state.operation(name)
        op.record_poll(last_success_at=None if age is None else NOW - age, last_error=error)
    return list(state.operations.values())


@pytest.mark.parametrize(
    ("bogota", "lima", "started", "healthy", "reason"),
    [
        (timedelta(seconds=30), timedelta(minutes=4), LONG_AGO, True, "ok"),
        # within two periods of each operation's own poll_every
        (timedelta(seconds=119), timedelta(minutes=9), LONG_AGO, True, "ok"),
        (
            timedelta(minutes=3),
            timedelta(minutes=1),
            LONG_AGO,
            False,
            "operation bogota: no data for 3m",
        ),
        (
            timedelta(minutes=1),
            timedelta(minutes=11),
            LONG_AGO,
            False,
            "operation lima: no data for 11m",
        ),
        # never polled, but started a minute ago: within lima's grace, not bogota's
        (None, None, NOW - timedelta(seconds=90), True, "ok"),
        (
            None,
            None,
            NOW - timedelta(minutes=3),
            False,
            "operation bogota: never polled successfully",
        ),
    ],
)
def test_polling(bogota, lima, started, healthy, reason) -> None:
    ok, why = evaluate_health(
        now=NOW,
        started_at=started,
        operations=operations(bogota, lima),
        slack=None,
        outbox=OutboxSample(),
    )
    assert ok is healthy
    assert why.startswith(reason)


def test_the_reason_names_the_last_error_and_every_problem() -> None:
    ok, why = evaluate_health(
        now=NOW,
        started_at=LONG_AGO,
        operations=operations(timedelta(minutes=5), timedelta(minutes=30), error="HTTP 500"),
        slack=(False, "slack socket mode not connected"),
        outbox=OutboxSample(
            depth=3, oldest_created_at=NOW - timedelta(minutes=12), oldest_error="ratelimited"
        ),
    )
    assert not ok
    assert why.split("; ") == [
        "operation bogota: no data for 5m (HTTP 500)",
        "operation lima: no data for 30m (HTTP 500)",
        "slack socket mode not connected",
        "outbox stuck: 3 notifications, the oldest waiting 12m (last error: ratelimited)",
    ]


@pytest.mark.parametrize(
    ("waited", "healthy"),
    [
        (None, True),
        (timedelta(minutes=2), True),
        (timedelta(minutes=10), True),
        (timedelta(minutes=11), False),
    ],
)
def test_an_outbox_is_stuck_when_its_oldest_row_waited_too_long(waited, healthy) -> None:
    sample = OutboxSample(depth=1, oldest_created_at=None if waited is None else NOW - waited)
    ok, _ = evaluate_health(
        now=NOW,
        started_at=LONG_AGO,
        operations=operations(timedelta(0), timedelta(0)),
        slack=(True, "ok"),
        outbox=sample,
    )
    assert ok is healthy


def test_the_check_reads_the_clock_and_the_slack_probe_each_time() -> None:
    clock = ManualClock(NOW)
    ops = operations(timedelta(0), timedelta(0))
    check = HealthCheck(clock=clock, operations=lambda: ops)
    assert check() == (True, "ok")
    check.slack = lambda: (False, "slack socket mode watchdog stopped")
    assert check() == (False, "slack socket mode watchdog stopped")
    check.slack = None
    clock.advance(timedelta(minutes=3))
    ok, why = check()
    assert not ok and why.startswith("operation bogota: no data for 3m")
