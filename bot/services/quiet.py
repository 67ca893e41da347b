"""Quiet while stopped: say a change once, not once per poll.

A stopped operation (a refused token) or one whose polls keep failing is polled, and
evaluated, on every tick; nothing a person cares about changes on most of them. Two
memories keep the bot from repeating itself:

- `keep_edits` drops an edit of a living message that would tell nothing new: an
  `updated` edit (no thread reply, no change of severity) whose message renders exactly as
  the last one sent, and for `wolkvox-unavailable` (whose number is an age that grows
  every poll) one where neither the alert's state, its severity, the cause of the failure
  nor the age in whole minutes changed since the last edit.
- `PollLogQuieter` tells a failing poll at WARNING when its cause changes and then at
  most every `reminder_every`; the polls in between are logged at DEBUG.

Both live in memory: after a restart the first edit or warning is repeated once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from bot.domain.alerts import Decision, Reason
from bot.domain.specs import RuleKind, RuleSpec
from bot.services.ports.store import NewOutboxRow, OutboxAction
from bot.services.state import PollState

DEFAULT_REMINDER_EVERY: Final = timedelta(minutes=5)
"""How often a poll that keeps failing for the same reason is told again at WARNING."""

Fingerprint = tuple[object, ...]
"""What a person would notice of a living message; equal fingerprints, no edit."""


def keep_edits(
    rows: Sequence[NewOutboxRow],
    decision: Decision,
    spec: RuleSpec,
    *,
    poll: PollState | None,
    now: datetime,
    last: dict[str, Fingerprint],
) -> list[NewOutboxRow]:
    """`rows` without an edit that would change nothing a person cares about.

    `last` is each incident's fingerprint as last posted or edited (kept by the caller
    across cycles: `RuntimeState.last_edits`); an incident that ended is forgotten.
    """
    kept: list[NewOutboxRow] = []
    for row in rows:
        if row.action not in (OutboxAction.POST, OutboxAction.UPDATE):
            kept.append(row)
            continue
        seen = _fingerprint(row, decision, spec, poll=poll, now=now)
        if (
            row.action == OutboxAction.UPDATE
            and decision.reason is Reason.UPDATED
            and last.get(row.incident_id) == seen
        ):
            continue
        last[row.incident_id] = seen
        kept.append(row)
    if not decision.alert.firing and decision.alert.incident_id is not None:
        last.pop(decision.alert.incident_id, None)
    return kept


def _fingerprint(
    row: NewOutboxRow,
    decision: Decision,
    spec: RuleSpec,
    *,
    poll: PollState | None,
    now: datetime,
) -> Fingerprint:
    alert = decision.alert
    if spec.kind is RuleKind.UNAVAILABLE and poll is not None:
        since = poll.last_success_at or alert.fired_at or now
        minutes = int(max(timedelta(0), now - since).total_seconds() // 60)
        cause = poll.stopped or poll.last_error_kind
        return ("unavailable", alert.state, alert.severity, alert.silenced, cause, minutes)
    return ("rendered", json.dumps(row.payload, sort_keys=True, default=str))


@dataclass(slots=True)
class _Failing:
    cause: str
    since: datetime
    told_at: datetime


@dataclass(slots=True)
class PollLogQuieter:
    """The log level of each failed poll: WARNING for news and reminders, DEBUG otherwise."""

    reminder_every: timedelta = DEFAULT_REMINDER_EVERY
    _failing: dict[str, _Failing] = field(default_factory=dict)

    def failed(self, operation: str, cause: str, at: datetime) -> int:
        """The level to log a failed poll of `operation` at, `cause` being its error."""
        known = self._failing.get(operation)
        if known is None or known.cause != cause:
            since = at if known is None else known.since
            self._failing[operation] = _Failing(cause, since, at)
            return logging.WARNING
        if at - known.told_at >= self.reminder_every:
            known.told_at = at
            return logging.WARNING
        return logging.DEBUG

    def succeeded(self, operation: str, at: datetime) -> timedelta | None:
        """How long `operation` had been failing (whatever the causes), if it was: its
        recovery is logged once."""
        known = self._failing.pop(operation, None)
        return None if known is None else at - known.since
