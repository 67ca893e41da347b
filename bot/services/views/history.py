"""`/calls history`: what happened, from the record the store keeps (bot.domain.history).

Incidents (severity, start, end, peak, who acknowledged) and silences (who, until
when, why, and how they ended) are merged into one timeline, newest first. The
strings kept here are raw (rule names, people's reasons): the renderer escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.history import ActionRecord, IncidentRecord, RecordKind
from bot.services.command_types import History
from bot.services.ports.store import HistoryPage
from bot.services.state import RuntimeState
from bot.services.views.alert import Unit
from bot.services.views.alert_build import unit_of

HISTORY_LIMIT = 200
"""Incidents and actions read for one reply (Slack shows fewer anyway)."""


@dataclass(frozen=True, slots=True)
class HistoryIncident:
    """One incident; `ended_at` None while it fires. `peak_value` is in `unit`."""

    rule: str
    operation: str
    started_at: datetime
    ended_at: datetime | None = None
    severity: str | None = None
    peak_value: float | None = None
    unit: Unit = Unit.COUNT
    acked_by: str | None = None
    acked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HistorySilence:
    """One silence: who set it, when, until when and why; how it ended, if it did.

    `ended` is `unsilence` (lifted by `ended_by` at `ended_at`) or `expiry`.
    `started_at` None: set before the period shown (only its end is in it).
    """

    rule: str
    operation: str | None
    by: str
    until: datetime | None
    reason: str = ""
    started_at: datetime | None = None
    ended: str | None = None
    ended_by: str | None = None
    ended_at: datetime | None = None

    @property
    def at(self) -> datetime:
        moment = self.started_at or self.ended_at
        assert moment is not None
        return moment


HistoryEntry = HistoryIncident | HistorySilence


@dataclass(frozen=True, slots=True)
class HistoryView:
    """The timeline of `period` up to `as_of`, newest first; `rule` / `operation` are the
    filters asked for (None: all). `truncated` says the store had more than was read.
    `unreadable` counts stored records that matched but no longer read back: they are
    left out, and the reader must be told, or a gap reads as "nothing happened"."""

    as_of: datetime
    period: timedelta
    entries: tuple[HistoryEntry, ...]
    rule: str | None = None
    operation: str | None = None
    truncated: bool = False
    tz: str = "UTC"
    unreadable: int = 0

    @property
    def incidents(self) -> int:
        return sum(1 for e in self.entries if isinstance(e, HistoryIncident))

    @property
    def silences(self) -> int:
        return sum(1 for e in self.entries if isinstance(e, HistorySilence))


def history_view(
    state: RuntimeState,
    page: HistoryPage,
    *,
    now: datetime,
    asked: History,
    operation: str | None,
    limit: int = HISTORY_LIMIT,
) -> HistoryView:
    """The timeline of a history page for the command `asked` (`operation` resolved to its
    configured name); units come from the rules as configured now."""
    period, rule = asked.period, asked.rule
    entries: list[HistoryEntry] = [_incident(state, entry) for entry in page.incidents]
    entries += _silences(page.actions)
    entries.sort(key=_start, reverse=True)
    ops = state.operations
    tz_op = ops.get(operation) if operation else next(iter(ops.values()), None)
    return HistoryView(
        as_of=now,
        period=period,
        entries=tuple(entries),
        rule=rule,
        operation=operation,
        truncated=len(page.incidents) >= limit or len(page.actions) >= limit,
        tz=tz_op.settings.timezone.key if tz_op else "UTC",
        unreadable=page.unreadable,
    )


def _start(entry: HistoryEntry) -> datetime:
    return entry.started_at if isinstance(entry, HistoryIncident) else entry.at


def _incident(state: RuntimeState, record: IncidentRecord) -> HistoryIncident:
    op = state.operations.get(record.operation)
    spec = op.rule(record.rule) if op is not None else None
    unit = unit_of(spec) if spec is not None else Unit.COUNT
    return HistoryIncident(
        rule=record.rule,
        operation=record.operation,
        started_at=record.started_at,
        ended_at=record.ended_at,
        severity=record.severity.value if record.severity else None,
        peak_value=record.peak_value,
        unit=unit,
        acked_by=record.acked_by,
        acked_at=record.acked_at,
    )


def _silences(actions: list[ActionRecord]) -> list[HistorySilence]:
    """One entry per silence: its start and its end (lift or expiry) joined by id."""
    started = {a.silence_id: a for a in actions if a.kind is RecordKind.SILENCE and a.silence_id}
    ends = {
        a.silence_id: a
        for a in actions
        if a.kind in (RecordKind.UNSILENCE, RecordKind.EXPIRY) and a.silence_id
    }
    out: list[HistorySilence] = []
    ids: list[str] = [i for i in dict.fromkeys([*started, *ends]) if i]
    for silence_id in ids:
        begin, end = started.get(silence_id), ends.get(silence_id)
        first = begin or end
        assert first is not None
        out.append(
            HistorySilence(
                rule=first.rule,
                operation=first.operation,
                by=begin.by if begin else (end.silenced_by or end.by if end else ""),
                until=begin.ends_at if begin else first.ends_at,
                reason=first.reason,
                started_at=begin.at if begin else None,
                ended=end.kind.value if end else None,
                ended_by=end.by if end and end.kind is RecordKind.UNSILENCE else None,
                ended_at=end.at if end else None,
            )
        )
    return out
