"""The live renderer, with each payload describing itself for the backtest's recorder.

The backtest renders every notification with the real Slack presenter, so whether a
message would ping someone is read from the words a person would receive (a user,
user-group, `here` or `channel` mention in its text), never re-derived from the
rules. The payload then carries `BACKTEST_KEY` metadata: which incident (or which
digest members) it is about, the thread event, and whether it pings.
"""

from __future__ import annotations

import re

from bot.services.backtest import BACKTEST_KEY
from bot.services.ports import Presenter, RenderedMessage
from bot.services.views.alert import ActionResultView, AlertMessageView, DigestView, RemovedRuleView

_PING = re.compile(r"<(?:@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+|!here|!channel|!everyone)[|>]")


def pings(message: RenderedMessage) -> bool:
    """Whether Slack would notify someone of this message: a mention in its text."""
    text = message.get("text")
    return isinstance(text, str) and _PING.search(text) is not None


class RecordingPresenter:
    """A `Presenter` that renders with `inner` and tags each payload for the recorder."""

    def __init__(self, inner: Presenter) -> None:
        self._inner = inner

    def alert_message(self, view: AlertMessageView) -> RenderedMessage:
        message = self._inner.alert_message(view)
        return _tag(message, {"incident": view.incident_id})

    def thread_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        message = self._inner.thread_note(view, event)
        return _tag(message, {"incident": view.incident_id, "event": event})

    def digest_message(self, view: DigestView) -> RenderedMessage:
        message = self._inner.digest_message(view)
        return _tag(message, {"members": [m.incident_id for m in view.members]})

    def digest_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        message = self._inner.digest_note(view, event)
        return _tag(message, {"incident": view.incident_id, "event": event})

    def action_note(self, view: ActionResultView) -> RenderedMessage:
        return self._inner.action_note(view)

    def removed_rule_message(self, view: RemovedRuleView) -> RenderedMessage:
        return self._inner.removed_rule_message(view)

    def removed_rule_note(self, view: RemovedRuleView) -> RenderedMessage:
        return self._inner.removed_rule_note(view)


def _tag(message: RenderedMessage, meta: dict[str, object]) -> RenderedMessage:
    return {**message, BACKTEST_KEY: {**meta, "mentions": pings(message)}}
