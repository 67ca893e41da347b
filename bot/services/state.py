"""The bot's memory while it runs: one object the monitor, the commands and the
controls share on the one asyncio loop.

Reads (slash commands, Home tab) never wait on Wolkvox: they read this state as
the latest poll left it. Writes that must stay consistent with the store (a
poll cycle's step-and-commit, a button click's acknowledgement) take `lock`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.alert_book import AlertBook
from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord
from bot.domain.digests import DigestBook
from bot.domain.polling import PollState
from bot.domain.silences import SilenceBook
from bot.domain.specs import RuleSpec
from bot.services.configuration import BotConfig, OperationConfig

__all__ = ["RECENT_CALLS", "OperationRuntime", "PollState", "RuntimeState"]

RECENT_CALLS = 20
"""How many of the latest calls of each operation `RuntimeState.recent` keeps."""


@dataclass(slots=True)
class OperationRuntime:
    """One operation's configuration and its rules, with the built-in rule first."""

    settings: OperationConfig
    rules: tuple[RuleSpec, ...]
    poll: PollState = field(default_factory=PollState)

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.timezone

    def rule(self, name: str) -> RuleSpec | None:
        return next((r for r in self.rules if r.name == name), None)

    def record_poll(self, **changes: object) -> None:
        self.poll = replace(self.poll, **changes)  # type: ignore[arg-type]


@dataclass(slots=True)
class RuntimeState:
    """Everything the running bot knows; rebuilt from the store at start."""

    settings: BotConfig
    operations: dict[str, OperationRuntime]
    log: CallLog = field(default_factory=CallLog)
    alerts: AlertBook = field(default_factory=AlertBook)
    silences: SilenceBook = field(default_factory=SilenceBook)
    digests: DigestBook = field(default_factory=DigestBook)
    """The alert storms whose incidents are still open (bot.services.notification_plan)."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    recent: dict[str, tuple[CallRecord, ...]] = field(default_factory=dict)
    """The latest calls of each operation's last successful poll, oldest first, for
    `/calls last10`. Memory only: they carry phone numbers and customer ids."""
    last_edits: dict[str, tuple[object, ...]] = field(default_factory=dict)
    """Each living message's last fingerprint (bot.services.quiet): no edit repeats it."""
    store_lost_since: datetime | None = None
    """Since when the store has not answered (a lost database), None while it does:
    replies are then this process's memory, marked as possibly out of date."""

    @classmethod
    def from_settings(cls, settings: BotConfig, *, log: CallLog | None = None) -> RuntimeState:
        operations = {
            op.name: OperationRuntime(settings=op, rules=settings.rules_for(op.name))
            for op in settings.operations
        }
        retention = timedelta(days=settings.history_days)
        return cls(
            settings=settings, operations=operations, log=log or CallLog(retention=retention)
        )

    def operation(self, name: str) -> OperationRuntime:
        return self.operations[name]
