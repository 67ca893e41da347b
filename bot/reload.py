"""Live reload: a new configuration applied to the running bot without a restart.

`callbot run` re-reads its configuration file on SIGHUP. A file that does not validate
changes nothing: the running configuration stays, the problems are logged and /healthz
names the file until a valid one is loaded. A valid one is applied under the state lock,
between poll cycles:

- operations added start polling (their budget counted from what the store kept today),
  removed ones stop (their cycle in flight is let finish first), changed ones keep their
  poll history and alerts and take the new token, server, period, channel and rules;
- a polling stopped by a refused Wolkvox token is tried again at the next poll;
- an incident whose rule or operation left the configuration has its message closed,
  as at start (`close_removed`): edited to its final state, a note in its thread, by the
  replica that polls its operation (the others forget it: closed once);
- settings the running process was built with (Slack credentials and admins, language,
  store path, URL and lease TTL, ports, log format, response size cap, the days of
  history the call log keeps) are kept and named,
  each by its own key, in a warning:
  they need a restart.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.config.model import OperationSettings, Settings
from bot.domain.alert_book import AlertBook
from bot.services.ports.runtime import PollJob
from bot.services.restore import close_removed
from bot.services.state import OperationRuntime
from bot.settings import ConfigError, load_settings, rules_for

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("callbot.reload")


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did: `error` is set (and nothing changed) when the file was refused."""

    error: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    needs_restart: tuple[str, ...] = ()
    retried: tuple[str, ...] = field(default=())


def poll_jobs(operations: Iterable[OperationSettings]) -> list[PollJob]:
    return [
        PollJob(operation=op.name, every=op.poll_every, server=op.api_base_url) for op in operations
    ]


def _secret(value: object) -> str | None:
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else None


def restart_only_changes(old: Settings, new: Settings) -> list[str]:
    """The settings that differ but are only read when the process starts."""
    pairs: list[tuple[str, object, object]] = [
        ("slack.bot_token", _secret(old.slack.bot_token), _secret(new.slack.bot_token)),
        ("slack.app_token", _secret(old.slack.app_token), _secret(new.slack.app_token)),
        (
            "slack.signing_secret",
            _secret(old.slack.signing_secret),
            _secret(new.slack.signing_secret),
        ),
        ("slack.admins", old.slack.admins, new.slack.admins),
        ("slack.admin_group", old.slack.admin_group, new.slack.admin_group),
        ("language", old.language, new.language),
        ("mask_personal_data", old.mask_personal_data, new.mask_personal_data),
        ("store.path", old.store.path, new.store.path),
        ("store.url", _secret(old.store.url), _secret(new.store.url)),
        ("store.lease_ttl", old.store.lease_ttl, new.store.lease_ttl),
        ("http", old.http, new.http),
        ("log_format", old.log_format, new.log_format),
        ("max_response_mb", old.max_response_mb, new.max_response_mb),
        ("history_days", old.history_days, new.history_days),
    ]
    return [name for name, before, after in pairs if before != after]


def read_settings(path: str) -> Settings | ConfigError:
    try:
        return load_settings(path)
    except ConfigError as exc:
        return exc


async def apply_settings(runtime: Runtime, new: Settings) -> ReloadResult:
    """Make `new` the running configuration (see the module docstring)."""
    old = runtime.settings
    needs_restart = tuple(restart_only_changes(old, new))
    new = replace(
        new,
        slack=old.slack,
        language=old.language,
        mask_personal_data=old.mask_personal_data,
        store=old.store,
        http=old.http,
        log_format=old.log_format,
        max_response_mb=old.max_response_mb,
        history_days=old.history_days,
    )
    state = runtime.state
    wanted = {op.name: op for op in new.operations}
    removed = tuple(name for name in state.operations if name not in wanted)
    added = tuple(name for name in wanted if name not in state.operations)
    runtime.scheduler.set_jobs(poll_jobs(new.operations))
    await runtime.scheduler.settle(removed)
    now = runtime.clock.now()
    changed: list[str] = []
    retried: list[str] = []
    closed: list[str] = []
    async with state.lock:
        # Asked before the groups follow `new`: the holder of an operation (the single
        # writer of its alerts) closes its removed incidents, the other replicas forget them.
        polled_here = {name for name in state.operations if runtime.follower.polls_here(name)}
        for name in removed:
            del state.operations[name]
        for name, op_settings in wanted.items():
            rules = rules_for(new, name)
            current = state.operations.get(name)
            if current is None:
                state.operations[name] = OperationRuntime(settings=op_settings, rules=rules)
                continue
            if current.settings != op_settings or current.rules != rules:
                changed.append(name)
            current.settings, current.rules = op_settings, rules
            if current.poll.stopped:
                current.poll = replace(current.poll, stopped=None)
                retried.append(name)
        state.settings = new
        for follow in runtime.on_settings:
            follow(new)
        gone = [alert for alert in state.alerts if not _known(state.operations, alert)]
        if gone:
            state.alerts = AlertBook.of(a for a in state.alerts if _known(state.operations, a))
            digested = state.digests.members()
            for alert in [a for a in gone if a.operation in polled_here]:
                if (
                    await close_removed(
                        alert,
                        state=state,
                        store=runtime.store,
                        presenter=runtime.controls.presenter,
                        now=now,
                        digested=digested,
                    )
                    and alert.incident_id is not None
                ):
                    closed.append(alert.incident_id)
    for name in added:
        day = runtime.source.budget(name, now).day
        used = await runtime.store.budget_used(name, day.isoformat())
        runtime.source.restore_budget(name, day, used)
    runtime.settings = new
    runtime.metrics.declare_operations(wanted)
    runtime.drainer.wake()
    return ReloadResult(
        added=added,
        removed=removed,
        changed=tuple(changed),
        closed=tuple(closed),
        needs_restart=needs_restart,
        retried=tuple(retried),
    )


def _known(operations: dict[str, OperationRuntime], alert: object) -> bool:
    op = operations.get(getattr(alert, "operation", ""))
    return op is not None and op.rule(getattr(alert, "rule", "")) is not None


async def reload_from(
    runtime: Runtime,
    path: str,
    *,
    on_applied: Callable[[Settings], Awaitable[object]] | None = None,
) -> ReloadResult:
    """Read `path`; apply it when valid, else keep everything and say why (log, /healthz).

    `on_applied` runs after a valid one was applied (`callbot run` re-checks Slack's
    channels with it)."""
    read = read_settings(path)
    if isinstance(read, ConfigError):
        problems = len(read.problems)
        for line in str(read).splitlines()[1:]:
            log.error("event=reload_refused problem=%r", line.strip(" -"))
        reason = (
            f"configuration reload refused: {path} has {problems} problem"
            f"{'s' if problems != 1 else ''} (see the log); the previous configuration runs"
        )
        log.error("event=reload_refused file=%s problems=%d", path, problems)
        runtime.health.config_problem = reason
        return ReloadResult(error=reason)
    result = await apply_settings(runtime, read)
    runtime.health.config_problem = None
    if on_applied is not None:
        await on_applied(read)
    log.info(
        "event=reloaded file=%s added=%s removed=%s changed=%s closed=%d retried=%s",
        path,
        ",".join(result.added) or "-",
        ",".join(result.removed) or "-",
        ",".join(result.changed) or "-",
        len(result.closed),
        ",".join(result.retried) or "-",
    )
    if result.needs_restart:
        log.warning(
            "event=reload_needs_restart settings=%s kept=previous",
            ",".join(result.needs_restart),
        )
    return result


class ReloadOnSignal:
    """SIGHUP -> `reload_from(runtime, path)`, one reload at a time, in the running loop."""

    def __init__(
        self,
        runtime: Runtime,
        path: str,
        *,
        on_applied: Callable[[Settings], Awaitable[object]] | None = None,
    ) -> None:
        self._runtime = runtime
        self._path = path
        self._on_applied = on_applied
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[ReloadResult]] = set()
        self._installed = False

    def install(self) -> None:
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.trigger)
        except (NotImplementedError, RuntimeError, ValueError, AttributeError):
            log.warning("event=reload_unavailable reason=no_sighup")
            return
        self._installed = True

    def trigger(self) -> None:
        log.info("event=reload_requested file=%s", self._path)
        task = asyncio.get_running_loop().create_task(self.reload(), name="config-reload")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> ReloadResult:
        async with self._lock:
            try:
                return await reload_from(self._runtime, self._path, on_applied=self._on_applied)
            except Exception as exc:
                log.exception("event=reload_failed error=%s", type(exc).__name__)
                return ReloadResult(error=f"reload failed: {type(exc).__name__}")

    async def close(self) -> None:
        if self._installed:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._installed = False
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
