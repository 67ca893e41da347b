"""The services' Presenter for Slack: view models in, `{"text", "blocks"}` payloads out.

The monitor and the controls render an incident's message when they decide it
(the outbox keeps exactly what a person will read), so they need a renderer
they can call without knowing Slack. This is that renderer, over the pure
Block Kit functions of `blocks.py`, in the configured language.
"""

from __future__ import annotations

from bot.adapters.slack.blocks import (
    render_alert_message,
    render_alert_note,
    render_thread_note,
)
from bot.adapters.slack.blocks_alerts import render_removed_message, render_removed_note
from bot.adapters.slack.blocks_context import (
    AlertContextSource,
    alert_context_blocks,
    with_blocks_before_actions,
)
from bot.adapters.slack.blocks_digest import render_digest_message, render_digest_note
from bot.adapters.slack.i18n import language as supported_language
from bot.services.ports import RenderedMessage
from bot.services.views.alert import (
    ActionResultView,
    AlertEvent,
    AlertMessageView,
    DigestView,
    RemovedRuleView,
)


class SlackPresenter:
    """Implements `bot.services.ports.Presenter` with Block Kit.

    `mask_personal_data` masks phone numbers and customer ids down to their
    last 4 characters wherever a view carries calls.
    """

    def __init__(self, *, language: str, mask_personal_data: bool) -> None:
        self._lang = supported_language(language)
        self._mask = mask_personal_data
        self._context: AlertContextSource | None = None

    def use_context(self, source: AlertContextSource) -> None:
        """Show queue/agent context on firing alerts (issue 15): `source(operation, rule)`."""
        self._context = source

    @property
    def language(self) -> str:
        return self._lang

    def alert_message(self, view: AlertMessageView) -> RenderedMessage:
        message = render_alert_message(view, self._lang, mask_personal_data=self._mask)
        found = (
            None
            if self._context is None or view.resolved
            else self._context(view.operation, view.rule)
        )
        if found is not None:
            extra = alert_context_blocks(
                found.queues, found.agents, tz=view.tz, now=view.as_of, lang=self._lang
            )
            message = with_blocks_before_actions(message, extra)
        return message.to_payload()

    def thread_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        """A reply under the incident's message. An event the renderer has no words
        for (a new decision reason) still says something true: the message's summary."""
        try:
            known = AlertEvent(event)
        except ValueError:
            summary = render_alert_message(view, self._lang, mask_personal_data=self._mask)
            return {"text": summary.text, "blocks": []}
        return render_alert_note(view, known, self._lang).to_payload()

    def digest_message(self, view: DigestView) -> RenderedMessage:
        return render_digest_message(view, self._lang).to_payload()

    def digest_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        return render_digest_note(view, event, self._lang).to_payload()

    def action_note(self, view: ActionResultView) -> RenderedMessage:
        return render_thread_note(view, self._lang).to_payload()

    def removed_rule_message(self, view: RemovedRuleView) -> RenderedMessage:
        return render_removed_message(view, self._lang).to_payload()

    def removed_rule_note(self, view: RemovedRuleView) -> RenderedMessage:
        return render_removed_note(view, self._lang).to_payload()
