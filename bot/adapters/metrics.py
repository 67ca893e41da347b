"""Prometheus metrics of one bot process, on a registry of its own.

A registry per `Metrics` instance (never prometheus_client's global one) keeps tests and
several bots in one process from sharing counters, and `exposition()` is all the HTTP
server needs. The hooks take the values the services and adapters already report
(`CycleReport`, the Wolkvox client's `RequestOutcome`, the drainer's `DeliveryResult`),
so no business code imports prometheus_client. Label values are operation names, rule
names, states, severities and error kinds: never a phone number, a customer id or a
message text.

Besides the bot's own series: the process collector (`process_cpu_seconds_total`,
`process_resident_memory_bytes`, open file descriptors... on Linux), the platform and GC
collectors (`python_info`, `python_gc_*`) and `callbot_build_info{version,python}`, so a
dashboard can tell which build is running and alert on a leaking process.
"""

from __future__ import annotations

import platform
from collections import Counter as Tally
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

from bot import __version__
from bot.domain.alerts import Alert, AlertState
from bot.domain.day_budget import DayBudget
from bot.services.delivery import DeliveryResult
from bot.services.monitor import CycleReport

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 120.0, 240.0)
"""Seconds: Wolkvox answers in under a second on a good day and is cut at 60 s per request."""
STORE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0)
"""Seconds: a local SQLite or a nearby PostgreSQL answers in milliseconds; a pooled call
gives up after 15 s (the database is lost, or every connection is busy)."""
STORE_RECENT = 200
"""How many of the latest store calls /healthz sums up (median and slowest)."""


NO_SEVERITY = "none"
"""The `severity` label of an alert that has none (inactive, or pending below warning)."""


class RequestObservation(Protocol):
    """What the Wolkvox client reports per request (its `RequestOutcome` has these)."""

    @property
    def operation(self) -> str: ...
    @property
    def api(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def seconds(self) -> float: ...
    @property
    def noise(self) -> tuple[str, ...]:
        """What PHP printed before the JSON and was skipped (issue 11)."""
        ...


class Metrics:
    """Every metric callbot exposes, with one hook per event source."""

    def __init__(self, *, registry: CollectorRegistry | None = None) -> None:
        # One `*_created` gauge per counter series doubles the output for nothing a
        # dashboard uses; the switch is process-wide, and this process is the bot.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.polls = Counter(
            "callbot_polls",
            "Poll cycles by operation and outcome",
            ["operation", "outcome"],
            registry=r,
        )
        self.wolkvox_latency = Histogram(
            "callbot_wolkvox_request_seconds",
            "Wolkvox API requests by operation, API and outcome (ok or the error kind)",
            ["operation", "api", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.records = Counter(
            "callbot_records_ingested",
            "Call records received from Wolkvox",
            ["operation"],
            registry=r,
        )
        self.new_calls = Counter(
            "callbot_calls_new",
            "Calls counted for the first time (records minus duplicates of earlier polls)",
            ["operation"],
            registry=r,
        )
        self.skipped = Counter(
            "callbot_rows_skipped",
            "Rows of a Wolkvox answer that could not be used, by reason",
            ["operation", "reason"],
            registry=r,
        )
        self.budget_used = Gauge(
            "callbot_budget_used",
            "Wolkvox requests used today (operation's local day)",
            ["operation"],
            registry=r,
        )
        self.budget_limit = Gauge(
            "callbot_budget_limit",
            "Wolkvox requests the bot may use today (licences x 1000 minus the reserve)",
            ["operation"],
            registry=r,
        )
        self.last_success = Gauge(
            "callbot_last_poll_success_timestamp_seconds",
            "When the operation was last polled successfully (Unix time, bot clock)",
            ["operation"],
            registry=r,
        )
        self.alerts = Gauge(
            "callbot_alerts",
            "Each alert's state: 1 on its current state, 0 on the others (sum by state to count)",
            ["operation", "rule", "severity", "state"],
            registry=r,
        )
        self.build = Info("callbot_build", "The running callbot and Python versions", registry=r)
        self.build.info({"version": __version__, "python": platform.python_version()})
        # The same collectors prometheus_client puts on its global registry, on ours.
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.outbox_depth = Gauge(
            "callbot_outbox_depth", "Notifications waiting to be delivered", registry=r
        )
        self.deliveries = Counter(
            "callbot_slack_deliveries",
            "Outbox rows handled, by outcome (delivered, superseded, deferred)",
            ["outcome"],
            registry=r,
        )
        self.delivery_errors = Counter(
            "callbot_slack_delivery_errors",
            "Slack calls that failed, by error kind (ratelimited, http_500, not_in_channel...)",
            ["kind"],
            registry=r,
        )
        # issue 11: what PHP printed before the JSON, skipped and read past.
        self.wolkvox_noise = Counter(
            "callbot_wolkvox_noise_skipped",
            "Items skipped before the JSON of a Wolkvox answer (bom, whitespace, php_warning, "
            "php_notice, php_deprecated)",
            ["operation", "kind"],
            registry=r,
        )
        self.store_latency = Histogram(
            "callbot_store_seconds",
            "Store calls (SQLite or PostgreSQL) by call, failed or not",
            ["call"],
            buckets=STORE_BUCKETS,
            registry=r,
        )
        self.store_failures = Counter(
            "callbot_store_failures",
            "Store calls that raised (a lost database, a refused write), by call",
            ["call"],
            registry=r,
        )
        # issue 14: which operations this replica polls (holds the lease of), at which epoch.
        self.leases = Gauge(
            "callbot_leases",
            "1 while this replica holds the operation's lease (polls it), else 0",
            ["operation"],
            registry=r,
        )
        self.lease_epoch = Gauge(
            "callbot_lease_epoch",
            "Epoch of the operation's lease this replica holds (absent when it holds none)",
            ["operation"],
            registry=r,
        )
        self.changes_connected = Gauge(
            "callbot_changes_connected",
            "1 while this replica listens to what the other replicas commit (PostgreSQL "
            "LISTEN; always 1 where one process is all), 0 while it reconnects",
            registry=r,
        )
        self._store_recent: deque[float] = deque(maxlen=STORE_RECENT)
        self.outbox_depth.set(0)

    def declare_operations(self, operations: Iterable[str]) -> None:
        """Create the per-operation series at zero, so dashboards see them before any poll."""
        for name in operations:
            self.polls.labels(operation=name, outcome="ok")
            self.records.labels(operation=name)
            self.new_calls.labels(operation=name)

    # ---- hooks -------------------------------------------------------------------------

    def observe_cycle(self, report: CycleReport) -> None:
        """Monitor's `on_cycle`."""
        name = report.operation
        self.polls.labels(operation=name, outcome=report.outcome).inc()
        if report.error is None:
            self.records.labels(operation=name).inc(report.records)
            self.new_calls.labels(operation=name).inc(report.new)
            self.last_success.labels(operation=name).set(report.at.timestamp())
        for reason, count in report.skipped.items():
            if count:
                self.skipped.labels(operation=name, reason=reason).inc(count)

    def observe_request(self, outcome: RequestObservation) -> None:
        """WolkvoxClient's `on_request`."""
        self.wolkvox_latency.labels(
            operation=outcome.operation, api=outcome.api, outcome=outcome.kind
        ).observe(outcome.seconds)
        for kind, count in Tally(outcome.noise).items():
            self.wolkvox_noise.labels(operation=outcome.operation, kind=kind).inc(count)

    def observe_delivery(self, result: DeliveryResult) -> None:
        """OutboxDrainer's `on_result`."""
        self.deliveries.labels(outcome=result.outcome).inc()
        if result.error is not None:
            self.delivery_errors.labels(kind=result.error).inc()

    def observe_store(self, call: str, seconds: float, failed: bool) -> None:
        """The store's `on_call` (bot.adapters.store.timing)."""
        self.store_latency.labels(call=call).observe(seconds)
        if failed:
            self.store_failures.labels(call=call).inc()
        else:
            self._store_recent.append(seconds)

    def store_line(self) -> str | None:
        """`store: 2.1 ms median, 9.8 ms slowest of the last 200 calls` for /healthz
        (None before the first call that answered)."""
        recent = sorted(self._store_recent)
        if not recent:
            return None
        median, slowest = recent[len(recent) // 2] * 1000, recent[-1] * 1000
        return (
            f"store: {median:.1f} ms median, {slowest:.1f} ms slowest "
            f"of the last {len(recent)} calls"
        )

    def set_budget(self, operation: str, use: DayBudget) -> None:
        self.budget_used.labels(operation=operation).set(use.used)
        self.budget_limit.labels(operation=operation).set(use.limit)

    def set_alerts(self, alerts: Iterable[Alert]) -> None:
        """One series per (operation, rule, state) with the alert's current severity; the
        series of alerts that no longer exist (a rule removed) disappear."""
        self.alerts.clear()
        for alert in alerts:
            severity = alert.severity.value if alert.severity is not None else NO_SEVERITY
            for state in AlertState:
                self.alerts.labels(
                    operation=alert.operation,
                    rule=alert.rule,
                    severity=severity,
                    state=state.value,
                ).set(1 if alert.state is state else 0)

    def set_leases(self, operations: Iterable[str], held: Mapping[str, int]) -> None:
        """`held` maps each operation whose lease this replica holds to its epoch; every
        configured operation gets a `callbot_leases` series (0 when another replica polls it)."""
        self.leases.clear()
        self.lease_epoch.clear()
        for name in operations:
            self.leases.labels(operation=name).set(1 if name in held else 0)
        for name, epoch in held.items():
            self.lease_epoch.labels(operation=name).set(epoch)

    def set_changes_connected(self, listening: bool) -> None:
        self.changes_connected.set(1 if listening else 0)

    def set_outbox_depth(self, depth: int) -> None:
        self.outbox_depth.set(depth)

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric, for GET /metrics."""
        return generate_latest(self.registry)
