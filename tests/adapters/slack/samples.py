"""View models for the renderer tests: ordinary ones, hostile ones, and the largest ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.day_budget import DayBudget
from bot.services.views.alert import AlertMessageView, CallLine, Unit
from bot.services.views.replies import (
    AlertLine,
    AlertsView,
    HomeOperation,
    HomeView,
    Last10View,
    OperationStatus,
    RuleLine,
    RulesView,
    Share,
    SilenceLine,
    StaleInfo,
    StatusView,
)

NOW = datetime(2024, 3, 5, 19, 32, tzinfo=UTC)
TZ = "America/Bogota"
ACKER = "U0ACKER1"
ONCALL = "S0ONCALL"
HOSTILE = "<!channel> <@U123> <https://evil.example|click> & *bold*\x00\u202e"
PHONE = "+57 300 123 4567"
CUSTOMER = "CC1032456789"


def last10(**overrides: object) -> Last10View:
    values: dict[str, object] = {
        "operation": "bogota",
        "window": timedelta(minutes=10),
        "as_of": NOW,
        "total": 49,
        "by_result": (("answer", 38), ("abandon", 9), ("chanunavail", 2)),
        "by_type": (("inbound", 45), ("out_pre", 4)),
        "abandon": Share(9, 45),
        "network_failures": Share(2, 4),
        "previous_total": 37,
        "series": (3, 5, 4, 6, 7, 5, 4, 6, 5, 4),
        "polled_ago": timedelta(seconds=41),
        "recent": (CallLine(NOW, "inbound", "abandon", PHONE, CUSTOMER),),
        "tz": TZ,
    }
    values.update(overrides)
    return Last10View(**values)  # type: ignore[arg-type]


def alert(**overrides: object) -> AlertMessageView:
    values: dict[str, object] = {
        "incident_id": "inc-42",
        "rule": "abandon-rate",
        "operation": "bogota",
        "state": "firing",
        "severity": "critical",
        "since": NOW - timedelta(minutes=12),
        "as_of": NOW,
        "value": 0.184,
        "threshold": 0.15,
        "unit": Unit.RATE,
        "matched": 9,
        "population": 49,
        "population_label": "inbound",
        "measure_label": "abandon",
        "breakdown": (("answer", 40), ("abandon", 9)),
        "series": tuple(range(60)),
        "tz": TZ,
    }
    values.update(overrides)
    return AlertMessageView(**values)  # type: ignore[arg-type]


def alert_line(i: int = 0, text: str = "abandon-rate") -> AlertLine:
    return AlertLine(
        rule=f"{text}-{i}",
        operation="bogota",
        state="firing",
        severity="critical",
        since=NOW - timedelta(minutes=5),
        value=0.2,
        threshold=0.15,
        unit=Unit.RATE,
        acked_by=ACKER,
    )


def huge_last10(n: int = 500, text: str = "x" * 300) -> Last10View:
    return last10(
        operation=text * 10,
        type_filter=text,
        by_result=tuple((f"{text}{i}", i) for i in range(n)),
        by_type=tuple((f"{text}{i}", i) for i in range(n)),
        series=tuple(range(10_000)),
        stale=StaleInfo(NOW - timedelta(hours=1), text * 20),
        recent=tuple(CallLine(NOW, text, text, text, text) for _ in range(n)),
    )


def huge_status(n: int = 200, text: str = "x" * 300) -> StatusView:
    ops = tuple(
        OperationStatus(
            operation=text * 10,
            last_poll_at=NOW - timedelta(hours=3),
            outcome=text,
            poll_every=timedelta(minutes=1),
            duration_s=12345.678,
            last_error=text * 20,
            calls_today=DayBudget(NOW.date(), 10**9, 10**9),
            alerts_firing=10**6,
            silences_active=10**6,
        )
        for _ in range(n)
    )
    return StatusView(as_of=NOW, operations=ops, tz=TZ)


def huge_alerts(n: int = 1000, text: str = "x" * 300) -> AlertsView:
    return AlertsView(as_of=NOW, lines=tuple(alert_line(i, text) for i in range(n)), tz=TZ)


def huge_rules(n: int = 1000, text: str = "x" * 300) -> RulesView:
    lines = tuple(
        RuleLine(text, text, text, text, 1e12, Unit.COUNT, 1e12, 1e12, description=text * 10)
        for _ in range(n)
    )
    return RulesView(as_of=NOW, lines=lines, tz=TZ)


def huge_alert(text: str = "x" * 300) -> AlertMessageView:
    return alert(
        rule=text * 10,
        operation=text * 10,
        severity=text,
        detail=text * 50,
        description=text * 50,
        population_label=text,
        measure_label=text,
        breakdown=tuple((f"{text}{i}", i) for i in range(2000)),
        series=tuple(range(100_000)),
        recent=tuple(CallLine(NOW, text, text, text, text) for _ in range(2000)),
        mention=text,
        acked_by=text,
        silenced_until=NOW + timedelta(days=3),
        silenced_by=text,
        incident_id="i" * 5000,
    )


def huge_home(n: int = 60, text: str = "x" * 300) -> HomeView:
    silences = tuple(
        SilenceLine(text, text, NOW + timedelta(hours=1), text, text * 5) for _ in range(100)
    )
    ops = tuple(
        HomeOperation(
            operation=text * 10,
            last_poll_at=NOW - timedelta(minutes=5),
            outcome=text,
            poll_every=timedelta(minutes=1),
            total=10**9,
            by_result=tuple((f"{text}{i}", i) for i in range(200)),
            series=tuple(range(5000)),
            last_error=text * 20,
            firing=tuple(alert_line(i, text) for i in range(100)),
            silences=silences,
        )
        for _ in range(n)
    )
    return HomeView(as_of=NOW, operations=ops, tz=TZ)
