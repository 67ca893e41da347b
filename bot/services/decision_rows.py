"""One decision becomes its outbox rows: what to do with an incident's one living message.

A row is rendered when it is decided, so the outbox holds exactly what a
person will read, and delivery after a crash sends the same words. `post`
creates the incident's message, `update` edits it in place, `thread` replies
under it; the notifier finds the message by incident id.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.alerts import Decision, Notify, Reason
from bot.domain.call_log import CallLog
from bot.domain.silences import Silence
from bot.domain.specs import RuleSpec
from bot.services.ports import Presenter, RenderedMessage
from bot.services.ports.store import NewOutboxRow, OutboxAction
from bot.services.state import PollState
from bot.services.views.alert_build import alert_view

_THREAD_EVENTS = {
    Reason.REMINDER: "reminder",
    Reason.ESCALATED: "escalated",
    Reason.DEESCALATED: "deescalated",
    Reason.RESOLVED: "resolved",
    Reason.RESOLVED_SILENCED: "resolved_silenced",
}


def thread_event(reason: Reason) -> str:
    """The event a thread note tells for a decision's reason (`reminder`, `resolved`...)."""
    return _THREAD_EVENTS.get(reason, reason.value)


def decision_rows(
    decision: Decision,
    spec: RuleSpec,
    *,
    presenter: Presenter,
    log: CallLog,
    now: datetime,
    tz: str,
    channel: str,
    silence: Silence | None,
    note: RenderedMessage | None = None,
    poll: PollState | None = None,
) -> list[NewOutboxRow]:
    """The outbox rows a decision asks for, in delivery order (edit before thread).

    `note` replaces the thread reply (a person's action is told in their words); `poll`
    lets the unavailable rule's message say how many polls failed and why.
    """
    if decision.notify is Notify.NONE or decision.alert.incident_id is None:
        return []
    alert = decision.alert
    view = alert_view(
        alert,
        spec,
        log=log,
        now=now,
        tz=tz,
        channel=channel,
        silence=silence,
        mention=decision.mention,
        poll=poll,
    )
    incident = alert.incident_id
    assert incident is not None
    rows: list[NewOutboxRow] = []

    def add(action: OutboxAction, payload: RenderedMessage) -> None:
        rows.append(
            NewOutboxRow(
                channel=channel,
                incident_id=incident,
                action=action,
                payload=payload,
                created_at=now,
            )
        )

    if decision.notify is Notify.POST:
        add(OutboxAction.POST, presenter.alert_message(view))
    if decision.notify.edits:
        add(OutboxAction.UPDATE, presenter.alert_message(view))
    if decision.notify.replies:
        event = thread_event(decision.reason)
        add(OutboxAction.THREAD, note if note is not None else presenter.thread_note(view, event))
    return rows
