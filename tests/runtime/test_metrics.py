"""/metrics: what each hook counts, on a registry of the bot's own."""

from __future__ import annotations

import platform
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

import bot
from bot.adapters.metrics import Metrics
from bot.adapters.store.sqlite import SQLiteStore
from bot.adapters.wolkvox.client import RequestOutcome
from bot.domain.alerts import Alert, AlertState
from bot.domain.day_budget import DayBudget
from bot.domain.specs import Severity
from bot.services.delivery import DeliveryResult
from bot.services.monitor import CycleReport
from bot.services.ports.store import OutboxRow

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def row() -> OutboxRow:
    return OutboxRow(1, NOW, "C0ALERTS1", "abandons:bogota:x", "post", {}, 0, NOW, None)


def test_each_event_lands_in_its_series() -> None:
    metrics = Metrics()
    metrics.declare_operations(["bogota"])
    metrics.observe_cycle(
        CycleReport(
            "bogota", NOW, "ok", timedelta(seconds=1), records=120, new=30, skipped={"no_date": 2}
        )
    )
    metrics.observe_cycle(
        CycleReport(
            "bogota", NOW, "timeout", timedelta(seconds=60), error="slow", error_kind="timeout"
        )
    )
    metrics.observe_request(RequestOutcome("bogota", "calls_last_10", "ok", 0.3, 1, 200))
    metrics.set_budget("bogota", DayBudget(day=date(2026, 11, 24), used=140, limit=8000))
    metrics.set_alerts(
        [
            Alert("abandons", "bogota", state=AlertState.FIRING, severity=Severity.CRITICAL),
            Alert("flatline", "bogota", state=AlertState.FIRING, severity=Severity.WARNING),
            Alert("spike", "bogota", state=AlertState.PENDING),
        ]
    )
    metrics.set_outbox_depth(4)
    metrics.observe_delivery(DeliveryResult(row(), "delivered"))
    metrics.observe_delivery(DeliveryResult(row(), "deferred", "ratelimited"))
    got = samples(metrics)
    op = (("operation", "bogota"),)
    assert got[("callbot_polls_total", (("operation", "bogota"), ("outcome", "ok")))] == 1
    assert got[("callbot_polls_total", (("operation", "bogota"), ("outcome", "timeout")))] == 1
    assert got[("callbot_records_ingested_total", op)] == 120
    assert got[("callbot_calls_new_total", op)] == 30
    assert (
        got[("callbot_rows_skipped_total", (("operation", "bogota"), ("reason", "no_date")))] == 2
    )
    latency = (("api", "calls_last_10"), ("operation", "bogota"), ("outcome", "ok"))
    assert got[("callbot_wolkvox_request_seconds_count", latency)] == 1
    assert got[("callbot_budget_used", op)] == 140
    assert got[("callbot_budget_limit", op)] == 8000
    assert got[("callbot_last_poll_success_timestamp_seconds", op)] == NOW.timestamp()
    # Deliberate change (issue 17): callbot_alerts{state} became one state set per alert,
    # labelled by operation, rule and severity; the old counts are `sum by (state)`.
    alerts = {k[1]: v for k, v in got.items() if k[0] == "callbot_alerts"}
    by_state = {s.value: sum(v for k, v in alerts.items() if ("state", s) in k) for s in AlertState}
    assert by_state == {"firing": 2, "pending": 1, "resolved": 0, "inactive": 0}
    firing = dict(operation="bogota", rule="abandons", severity="critical", state="firing")
    assert alerts[tuple(sorted(firing.items()))] == 1
    assert alerts[tuple(sorted({**firing, "state": "resolved"}.items()))] == 0
    pending = dict(operation="bogota", rule="spike", severity="none", state="pending")
    assert alerts[tuple(sorted(pending.items()))] == 1
    assert got[("callbot_outbox_depth", ())] == 4
    assert got[("callbot_slack_deliveries_total", (("outcome", "deferred"),))] == 1
    assert got[("callbot_slack_delivery_errors_total", (("kind", "ratelimited"),))] == 1


def test_two_bots_in_one_process_do_not_share_counters() -> None:
    first, second = Metrics(), Metrics()
    first.observe_cycle(CycleReport("bogota", NOW, "ok", timedelta(0)))
    assert ("callbot_polls_total", (("operation", "bogota"), ("outcome", "ok"))) in samples(first)
    assert ("callbot_polls_total", (("operation", "bogota"), ("outcome", "ok"))) not in samples(
        second
    )


def test_an_alert_whose_rule_is_gone_leaves_no_series() -> None:
    metrics = Metrics()
    metrics.set_alerts([Alert("abandons", "bogota", state=AlertState.FIRING)])
    metrics.set_alerts([Alert("spike", "bogota", state=AlertState.INACTIVE)])
    rules = {dict(k[1])["rule"] for k in samples(metrics) if k[0] == "callbot_alerts"}
    assert rules == {"spike"}


def test_build_process_and_platform_series_are_exposed() -> None:
    got = samples(Metrics())
    build = [dict(k[1]) for k in got if k[0] == "callbot_build_info"]
    assert build == [{"version": bot.__version__, "python": platform.python_version()}]
    names = {name for name, _ in got}
    assert {"python_info", "process_cpu_seconds_total", "process_resident_memory_bytes"} <= names
    assert any(name.startswith("python_gc_") for name in names)


async def test_each_store_call_is_timed_by_its_name(tmp_path: Path) -> None:
    metrics = Metrics()
    store = SQLiteStore(path=tmp_path / "callbot.db", on_call=metrics.observe_store)
    async with store:
        await store.load(NOW)
        await store.outbox_depth()
        await store.outbox_depth()
        with pytest.raises(ValueError, match="limit"):
            await store.due_outbox(NOW, 0)

    got = samples(metrics)
    assert got["callbot_store_seconds_count", (("call", "load"),)] == 1
    assert got["callbot_store_seconds_count", (("call", "outbox_depth"),)] == 2
    assert got["callbot_store_failures_total", (("call", "due_outbox"),)] == 1
    assert ("callbot_store_failures_total", (("call", "load"),)) not in got
