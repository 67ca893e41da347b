"""What the services need rendered: incidents, digests and people's actions as messages.

Services know no Slack types: a rendered message is a plain `RenderedMessage` mapping
that the chat adapter sends as it is (Slack blocks, or text for the console).
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.services.views.alert import ActionResultView, AlertMessageView, DigestView, RemovedRuleView

RenderedMessage = dict[str, Any]
"""A message ready for a chat: `text` (the plain fallback) and `blocks`."""


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
