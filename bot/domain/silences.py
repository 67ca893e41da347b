"""Silences and acknowledgements as plain data, each answering for itself at a given `now`.

A silence mutes notifications for one rule, on one operation or on all of them,
until it ends: nobody has to remember to lift it. It never stops the alert
state from advancing, so when the silence ends the truth is already known.
An acknowledgement says a person owns an incident: it stops reminders for that
incident only, never its resolution.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), got {moment!r}")


def silence_id(rule: str, operation: str | None, starts_at: datetime) -> str:
    """A deterministic id, so a double click on "Silence 1 h" records one silence, not two.

    `*` stands for every operation: `abandon-rate:*:20261124T143205`.
    """
    _require_aware("starts_at", starts_at)
    stamp = starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{rule}:{operation or '*'}:{stamp}"


@dataclass(frozen=True, slots=True)
class Silence:
    """Mutes notifications for `rule` (on `operation`, or on every operation when None)
    from `starts_at` until `ends_at` (exclusive). `ended_by` is set when someone lifts it
    early (see SilenceBook.remove)."""

    id: str
    rule: str
    operation: str | None
    starts_at: datetime
    ends_at: datetime
    created_by: str
    reason: str = ""
    ended_by: str | None = None

    def __post_init__(self) -> None:
        _require_aware("starts_at", self.starts_at)
        _require_aware("ends_at", self.ends_at)
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"silence of {self.rule!r} ends ({self.ends_at.isoformat()}) "
                f"before it starts ({self.starts_at.isoformat()})"
            )

    @classmethod
    def create(
        cls,
        *,
        rule: str,
        operation: str | None,
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        reason: str = "",
    ) -> Silence:
        """Build a silence with its deterministic id (see silence_id)."""
        return cls(
            id=silence_id(rule, operation, starts_at),
            rule=rule,
            operation=operation,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=created_by,
            reason=reason,
        )

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def expired(self, now: datetime) -> bool:
        return now >= self.ends_at

    def covers(self, rule: str, operation: str) -> bool:
        """Whether this silence is about (rule, operation), whatever the time."""
        return self.rule == rule and (self.operation is None or self.operation == operation)

    def matches(self, rule: str, operation: str, now: datetime) -> bool:
        """Whether this silence mutes (rule, operation) at `now`."""
        return self.covers(rule, operation) and self.active(now)


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """Who took ownership of an incident, and when."""

    incident_id: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SilenceBook:
    """The silences currently known, as an immutable value: every change returns a new book."""

    silences: tuple[Silence, ...] = ()

    def add(self, silence: Silence) -> SilenceBook:
        """Add a silence; one with the same id replaces the old one (idempotent clicks)."""
        kept = tuple(s for s in self.silences if s.id != silence.id)
        return SilenceBook((*kept, silence))

    def remove(
        self, rule: str, operation: str | None = None, *, now: datetime, by: str
    ) -> tuple[SilenceBook, tuple[Silence, ...]]:
        """Lift the silences of `rule` that have not yet expired.

        Without `operation`, every silence of the rule goes. With it, every silence
        that would mute that operation goes, including an all-operations one: after
        `/calls unsilence abandon-rate bogota`, bogota must be heard again. The lifted
        silences are returned ended at `now` (when they had started) with `ended_by`,
        for the record in the incident's thread.
        """
        lifted: list[Silence] = []
        kept: list[Silence] = []
        for silence in self.silences:
            about = silence.rule == rule and (operation is None or silence.covers(rule, operation))
            if about and not silence.expired(now):
                lifted.append(silence)
            else:
                kept.append(silence)
        return SilenceBook(tuple(kept)), tuple(_ended(s, now=now, by=by) for s in lifted)

    def active(self, now: datetime) -> tuple[Silence, ...]:
        return tuple(s for s in self.silences if s.active(now))

    def matching(self, rule: str, operation: str, now: datetime) -> Silence | None:
        """The silence muting (rule, operation) at `now`; the one lasting longest when
        several do, since that is the one a person will want to see."""
        candidates = [s for s in self.silences if s.matches(rule, operation, now)]
        return max(candidates, key=lambda s: (s.ends_at, s.id), default=None)

    def ended(self, now: datetime) -> tuple[Silence, ...]:
        """The silences that have run out at `now` and whose end is still to be told."""
        return tuple(s for s in self.silences if s.expired(now))

    def without(self, ids: Collection[str]) -> SilenceBook:
        """The book less the silences with these ids (their end has been recorded)."""
        gone = frozenset(ids)
        return SilenceBook(tuple(s for s in self.silences if s.id not in gone))

    def prune(self, now: datetime) -> SilenceBook:
        """Drop the silences that have ended; future ones stay."""
        return SilenceBook(tuple(s for s in self.silences if not s.expired(now)))


def _ended(silence: Silence, *, now: datetime, by: str) -> Silence:
    if silence.starts_at < now:
        return replace(silence, ends_at=now, ended_by=by)
    return replace(silence, ended_by=by)
