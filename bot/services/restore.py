"""Rebuild the runtime state from the store at start, so a restart forgets nothing:
alert states (and so the incidents' living messages), silences, the call log
that baselines need, the conn_ids still inside the overlap, the day's budget.

An incident whose rule (or operation) left the configuration has no one left to
update its message: its message is closed (see `close_removed`) and the alert is
stored as ended, so the next start does nothing more. This runs before any lease is
held, so replicas starting at the same instant may all try it: the store takes the
close only while the alert is still firing (`ActionCommit.only_if_firing`), and the
message is closed once."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.domain.alert_book import AlertBook
from bot.domain.alerts import Alert, AlertState
from bot.domain.call_log import LogSnapshot
from bot.domain.digests import Digest, DigestBook
from bot.domain.history import IncidentRecord, incident_changes
from bot.domain.silences import SilenceBook
from bot.services.ports import CallSource, Presenter
from bot.services.ports.store import ActionCommit, NewOutboxRow, OutboxAction, Store, StoredLog
from bot.services.state import RuntimeState
from bot.services.views.alert import RemovedRuleView

log = logging.getLogger("callbot.restore")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)


def _minute(at: datetime) -> int:
    return int((at - _EPOCH) // _MINUTE)


def snapshot_of(stored: StoredLog) -> LogSnapshot:
    """A stored log as the call log's own snapshot (covered minutes merged into spans)."""
    spans: list[tuple[int, int]] = []
    for minute in sorted(_minute(m) for m in stored.covered_minutes):
        if spans and spans[-1][1] == minute:
            spans[-1] = (spans[-1][0], minute + 1)
        else:
            spans.append((minute, minute + 1))
    return LogSnapshot(
        buckets=tuple(
            (_minute(key.minute), key.call_type, key.result, count)
            for key, count in stored.buckets.items()
            if count > 0
        ),
        covered=tuple(spans),
        memory=tuple(
            (conn_id, _minute(call.at), call.call_type, call.result)
            for conn_id, call in stored.conn_ids.items()
        ),
    )


async def restore_state(
    state: RuntimeState,
    *,
    store: Store,
    source: CallSource,
    now: datetime,
    presenter: Presenter | None = None,
) -> None:
    """Load what the store kept into `state`. Alerts of unknown operations and rules are
    left out; with a `presenter`, the messages of those still firing are closed, once
    even when several replicas restore from one store together (`close_removed`)."""
    stored = await store.load(now)
    for bad in stored.unreadable:
        label = "rule" if bad.kind == "alert" else "id"
        log.warning(
            "event=restore_skipped kind=%s %s=%s error=%s", bad.kind, label, bad.key, bad.error
        )
    alerts: list[Alert] = []
    removed: list[Alert] = []
    for (operation, rule), alert in stored.alerts.items():
        op = state.operations.get(operation)
        known = op is not None and op.rule(rule) is not None
        if not known and presenter is None:
            continue
        (alerts if known else removed).append(alert)
    state.alerts = AlertBook.of(alerts)
    state.silences = SilenceBook(tuple(stored.silences.values()))
    firing = {a.incident_id for a in state.alerts if a.firing}
    digests = []
    all_digests: list[Digest] = list(stored.digests.values())
    for digest in all_digests:
        young = now - digest.opened_at < state.settings.storm_window
        if young or firing.intersection(digest.members):
            digests.append(digest)
    state.digests = DigestBook(tuple(digests))
    if presenter is not None:
        in_digests = DigestBook(tuple(all_digests)).members()
        for alert in removed:
            await close_removed(
                alert, state=state, store=store, presenter=presenter, now=now, digested=in_digests
            )
    for operation, stored_log in stored.logs.items():
        if operation in state.operations:
            state.log.restore(operation, snapshot_of(stored_log))
    for (operation, day), used in stored.budgets.items():
        if operation in state.operations:
            source.restore_budget(operation, date.fromisoformat(day), used)
    for operation, poll in stored.polls.items():
        op = state.operations.get(operation)
        if op is None:
            continue
        if poll.stopped:
            # A restart is the act of a person who fixed the token or the configuration:
            # polling tries again; the last error and its kind stay for /calls status.
            log.info("event=poll_resumed operation=%s reason=restart", operation)
            poll = replace(poll, stopped=None)
        op.poll = poll


def _record(before: Alert, after: Alert) -> tuple[IncidentRecord, ...]:
    return tuple(incident_changes([before], [after]))


async def close_removed(
    alert: Alert,
    *,
    state: RuntimeState,
    store: Store,
    presenter: Presenter,
    now: datetime,
    digested: frozenset[str] = frozenset(),
) -> bool:
    """Close the message of a posted incident whose rule left the configuration, in one
    store write: its final state (no buttons), a note in its thread, the alert ended.
    True when this call closed it.

    The write is guarded (`ActionCommit.only_if_firing`): the store takes it only while
    the stored alert is still firing with this incident, so of several replicas closing
    it at the same instant (each started with the alert firing in its memory) one closes
    it and the others store nothing (`outcome=already_closed`): one edit, one note.

    Alerts never posted or shown only in a storm digest have no message of their own to
    close: a firing one is only stored ended (alert and record, guarded the same way).
    Alerts already ended are left as they are.
    """
    incident = alert.incident_id
    ended = replace(alert, state=AlertState.RESOLVED, resolved_at=now, breaches=0)
    if not alert.firing or not alert.posted or incident is None or incident in digested:
        if alert.firing and incident is not None:
            # No message of its own to close, but neither the alert nor its record may
            # stay "firing": the next start would find it again.
            await store.commit_action(
                ActionCommit(
                    alerts=(ended,),
                    incidents=_record(alert, ended),
                    only_if_firing=((alert.operation, alert.rule, incident),),
                )
            )
        return False
    op = state.operations.get(alert.operation)
    ref = await store.message_ref(incident)
    channel = ref.channel if ref is not None else (op.settings.channel if op else None)
    if channel is None:
        log.warning("event=rule_removed incident=%s outcome=no_channel", incident)
        return False
    view = RemovedRuleView(
        incident_id=incident,
        rule=alert.rule,
        operation=alert.operation,
        severity=(alert.severity.value if alert.severity else "warning"),
        since=alert.fired_at or now,
        as_of=now,
        tz=op.settings.timezone.key if op else "UTC",
    )
    rows = (
        NewOutboxRow(
            channel, incident, OutboxAction.UPDATE, presenter.removed_rule_message(view), now
        ),
        NewOutboxRow(
            channel, incident, OutboxAction.THREAD, presenter.removed_rule_note(view), now
        ),
    )
    stored = await store.commit_action(
        ActionCommit(
            alerts=(ended,),
            incidents=_record(alert, ended),
            outbox=rows,
            only_if_firing=((alert.operation, alert.rule, incident),),
        )
    )
    if stored is None:
        log.info("event=rule_removed incident=%s outcome=already_closed", incident)
        return False
    log.info("event=rule_removed incident=%s outcome=closed", incident)
    return True


async def restore_operation(
    state: RuntimeState, operation: str, *, store: Store, source: CallSource, now: datetime
) -> None:
    """Load one operation's state as the store has it now, into `state`: its alerts (so
    the incident goes on in its original message), its call log, budget and poll status,
    with the silences and the storm digests, which any replica may have changed.

    A replica that takes over an operation's lease calls this before its first cycle: the
    previous holder kept writing while this replica's memory of the operation aged.
    """
    stored = await store.load(now, operation=operation)
    op = state.operations.get(operation)
    if op is None:
        return
    mine = [
        alert
        for (name, rule), alert in stored.alerts.items()
        if name == operation and op.rule(rule) is not None
    ]
    async with state.lock:
        others = [alert for alert in state.alerts if alert.operation != operation]
        state.alerts = AlertBook.of([*others, *mine])
        state.silences = SilenceBook(tuple(stored.silences.values()))
        digests = state.digests
        for digest in stored.digests.values():
            digests = digests.with_digest(digest)
        state.digests = digests
        stored_log = stored.logs.get(operation)
        if stored_log is not None:
            state.log.restore(operation, snapshot_of(stored_log))
        for (name, day), used in stored.budgets.items():
            if name == operation:
                source.restore_budget(operation, date.fromisoformat(day), used)
        poll = stored.polls.get(operation)
        if poll is not None:
            op.poll = poll
    log.info("event=operation_restored operation=%s alerts=%d", operation, len(mine))
