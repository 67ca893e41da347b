"""The ports the services need, as small Protocols the adapters satisfy.

Services know no HTTP or Slack types: a Wolkvox failure reaches them as a
`SourceError`, a rendered Slack message as a plain `RenderedMessage` mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.calls import CallRecord
from bot.services.views import ActionResultView, AlertMessageView, DigestView, RemovedRuleView

RenderedMessage = dict[str, Any]
"""A message ready for a chat: `text` (the plain fallback) and `blocks`."""


class FetchedCalls(Protocol):
    """One successful calls_last_10 answer, already mapped to domain records."""

    @property
    def records(self) -> Sequence[CallRecord]: ...

    @property
    def skipped(self) -> Mapping[str, int]: ...

    @property
    def possibly_truncated(self) -> bool: ...

    @property
    def sent_at(self) -> datetime | None:
        """When the request that got this answer was sent (None: unknown, use the arrival)."""
        ...


class SourceError(Exception):
    """A poll that failed, as the services see it.

    `kind` is a short stable label (metrics, logs); `message` is safe to show a
    person (no secrets); `transient` says whether trying again may help;
    `stops_polling` says the operation cannot be polled until a person fixes
    its configuration (token refused, API missing); `resumes_at` says when a
    spent daily quota comes back.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        transient: bool,
        stops_polling: bool = False,
        resumes_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.transient = transient
        self.stops_polling = stops_polling
        self.resumes_at = resumes_at


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """Calls used on an operation's local `day` against its daily `limit`."""

    day: str
    used: int
    limit: int


class CallSource(Protocol):
    """Where calls come from: the Wolkvox client behind an operation name."""

    async def calls_last_10(self, operation: str) -> FetchedCalls:
        """Raises SourceError on failure."""
        ...

    def budget(self, operation: str, now: datetime) -> BudgetUse: ...

    def restore_budget(self, operation: str, day: str, used: int) -> None: ...


class AlertPresenter(Protocol):
    """Turns an incident's view into a chat message (Slack blocks, or text for a console)."""

    def alert_message(self, view: AlertMessageView) -> RenderedMessage: ...

    def thread_note(self, view: AlertMessageView, event: str) -> RenderedMessage: ...


class DigestPresenter(Protocol):
    """Renders an alert storm: one digest message, and notes in its thread that name
    the incident they are about (the thread is shared by many incidents)."""

    def digest_message(self, view: DigestView) -> RenderedMessage: ...

    def digest_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        """`event` is an AlertEvent value or `joined` (the incident joined the digest)."""
        ...


class NotePresenter(Protocol):
    """Renders a person's action (acknowledged, silenced...) as a thread note or reply."""

    def action_note(self, view: ActionResultView) -> RenderedMessage: ...


class RemovedRulePresenter(Protocol):
    """Closes the message of an incident whose rule left the configuration: a final state
    without buttons, and a note in its thread that says why it will not change again."""

    def removed_rule_message(self, view: RemovedRuleView) -> RenderedMessage: ...

    def removed_rule_note(self, view: RemovedRuleView) -> RenderedMessage: ...


class Presenter(AlertPresenter, DigestPresenter, NotePresenter, RemovedRulePresenter, Protocol):
    """Everything the services need rendered."""
