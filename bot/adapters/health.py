"""What GET /healthz answers: is this process doing its job right now?

Healthy means: every operation was polled successfully within two poll periods (or the
process started less than two periods ago and has not had the chance yet), Slack is
usable (the bot token works and the bot is in every alert channel, checked at start and
again while not; in Socket Mode the watchdog also says the connection lives), and the
outbox is moving (its oldest notification has waited less than `outbox_stuck_after`).
A configuration reload that was refused (SIGHUP with an invalid file) is a reason too,
until a valid file is loaded, and so is a store that cannot be read (a lost database), and,
with several replicas, a change feed that has not listened for longer than
`changes_grace` (its replies about operations polled elsewhere stop following). An
orchestrator takes an unhealthy container out of service, so each reason says what is
wrong in words an operator can act on, without secrets or personal data.

The check is synchronous (the HTTP handler calls it); the outbox, which lives in the
store, is sampled by the runtime's housekeeping task into an `OutboxSample`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from bot.domain.durations import format_duration
from bot.services.ports import Clock
from bot.services.ports.runtime import OutboxSample, SlackHealth
from bot.services.state import OperationRuntime

DEFAULT_OUTBOX_STUCK_AFTER = timedelta(minutes=10)
DEFAULT_CHANGES_GRACE = timedelta(minutes=1)
"""How long the change feed may be down before /healthz counts it: it reconnects by itself,
waiting up to 30 s between attempts (bot.adapters.store.postgres_changes)."""


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    return format_duration(timedelta(seconds=seconds - seconds % 60))


def polling_problem(op: OperationRuntime, *, now: datetime, started_at: datetime) -> str | None:
    """Why `op` counts as not polling, or None while it is fine or still starting."""
    every = op.settings.poll_every
    if not op.poll.stale(now, every):
        return None
    if now - started_at <= 2 * every:
        return None
    last = op.poll.last_success_at
    seen = "never polled successfully" if last is None else f"no data for {_age(now - last)}"
    reason = f"operation {op.name}: {seen}"
    why = op.poll.stopped or op.poll.last_error
    if why:
        reason += f" ({why})"
    return reason


def outbox_problem(sample: OutboxSample, *, now: datetime, stuck_after: timedelta) -> str | None:
    """Why the outbox counts as stuck, or None."""
    if sample.oldest_created_at is None:
        return None
    waited = now - sample.oldest_created_at
    if waited <= stuck_after:
        return None
    reason = f"outbox stuck: {sample.depth} notifications, the oldest waiting {_age(waited)}"
    if sample.oldest_error:
        reason += f" (last error: {sample.oldest_error})"
    return reason


def changes_problem(lost_since: datetime | None, *, now: datetime, grace: timedelta) -> str | None:
    """Why the change feed counts as down, or None while it listens or is within `grace`."""
    if lost_since is None or now - lost_since <= grace:
        return None
    return (
        f"changes: not listening to the other replicas for {_age(now - lost_since)}: replies "
        "about the operations they poll may be out of date"
    )


def changes_line(lost_since: datetime | None, *, now: datetime) -> str:
    """`changes: listening`, or since how long the feed has not been (it reconnects)."""
    if lost_since is None:
        return "changes: listening"
    return f"changes: not listening for {_age(now - lost_since)} (reconnecting)"


def evaluate_health(
    *,
    now: datetime,
    started_at: datetime,
    operations: Iterable[OperationRuntime],
    slack: tuple[bool, str] | None,
    outbox: OutboxSample,
    outbox_stuck_after: timedelta = DEFAULT_OUTBOX_STUCK_AFTER,
    config_problem: str | None = None,
    store_problem: str | None = None,
    changes_problem: str | None = None,
) -> tuple[bool, str]:
    """(healthy, reason): "ok", or every problem found joined with "; "."""
    problems = [] if config_problem is None else [config_problem]
    problems += [p for p in (store_problem, changes_problem) if p is not None]
    problems += [
        reason
        for op in operations
        if (reason := polling_problem(op, now=now, started_at=started_at)) is not None
    ]
    if slack is not None and not slack[0]:
        problems.append(slack[1] or "slack unreachable")
    stuck = outbox_problem(outbox, now=now, stuck_after=outbox_stuck_after)
    if stuck is not None:
        problems.append(stuck)
    return (False, "; ".join(problems)) if problems else (True, "ok")


def all_healthy(*checks: SlackHealth | None) -> SlackHealth:
    """One check out of several: healthy when all are, with every reason otherwise."""
    present = [check for check in checks if check is not None]

    def check() -> tuple[bool, str]:
        reasons = [reason for ok, reason in (c() for c in present) if not ok]
        return (False, "; ".join(reasons)) if reasons else (True, "ok")

    return check


class HealthCheck:
    """The callable the HTTP server asks. `outbox` is updated by the runtime's housekeeping;
    `slack` is set once the Slack transport exists (None: no Slack, as in the demo)."""

    def __init__(
        self,
        *,
        clock: Clock,
        operations: Callable[[], Iterable[OperationRuntime]],
        slack: SlackHealth | None = None,
        outbox_stuck_after: timedelta = DEFAULT_OUTBOX_STUCK_AFTER,
        changes_grace: timedelta = DEFAULT_CHANGES_GRACE,
    ) -> None:
        self._clock = clock
        self._changes_grace = changes_grace
        self._operations = operations
        self.slack = slack
        self._stuck_after = outbox_stuck_after
        self.started_at = clock.now()
        self.outbox = OutboxSample()
        self.config_problem: str | None = None
        """Why the last configuration reload was refused, until a valid one is loaded."""
        self.store_problem: str | None = None
        """Why the store could not be read at the last sample (e.g. the database is lost;
        its URL masked), until it can again. Replies keep coming from memory meanwhile."""
        self.store_latency: Callable[[], str | None] | None = None
        """A line on how fast the store answers lately (the metrics' `store_line`)."""
        self.leases: Callable[[], Mapping[str, int]] | None = None
        """Several replicas (issue 14): operation -> epoch of each lease this replica
        holds. Only those operations count for polling, and the answer lists them."""
        self.changes_lost_since: datetime | None = None
        """Since when the change feed has not listened (None: it listens, or there is none);
        sampled by the runtime's housekeeping."""

    def __call__(self) -> tuple[bool, str]:
        operations = self._operations()
        if self.leases is not None:
            held = self.leases()
            operations = [op for op in operations if op.name in held]
        now = self._clock.now()
        return evaluate_health(
            now=now,
            started_at=self.started_at,
            operations=operations,
            slack=self.slack() if self.slack is not None else None,
            outbox=self.outbox,
            outbox_stuck_after=self._stuck_after,
            config_problem=self.config_problem,
            store_problem=self.store_problem,
            changes_problem=changes_problem(
                self.changes_lost_since, now=now, grace=self._changes_grace
            ),
        )

    def detail(self) -> str | None:
        """The lines /healthz adds after the verdict with several replicas: the leases
        held, whether the change feed listens, then how fast the shared store answers."""
        if self.leases is None:
            return None
        store = self.store_latency() if self.store_latency is not None else None
        lines = [
            leases_line(self.leases()),
            changes_line(self.changes_lost_since, now=self._clock.now()),
        ]
        return "\n".join([*lines, *([store] if store else [])])


def leases_line(held: Mapping[str, int]) -> str:
    """`leases: lima (epoch 2), sales (epoch 7)`, or `leases: none` for a replica that
    follows: which operations this replica polls."""
    listed = ", ".join(f"{op} (epoch {epoch})" for op, epoch in sorted(held.items()))
    return f"leases: {listed or 'none'}"
