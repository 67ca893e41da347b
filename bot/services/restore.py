"""Rebuild the runtime state from the store at start, so a restart forgets nothing:
alert states (and so the incidents' living messages), silences, the call log
that baselines need, the conn_ids still inside the overlap, the day's budget."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.adapters.store.base import Store, StoredLog
from bot.adapters.store.codec import decode_alert, decode_digest, decode_silence
from bot.domain.alert_book import AlertBook
from bot.domain.digests import DigestBook
from bot.domain.silences import SilenceBook
from bot.domain.window import LogSnapshot
from bot.services.ports import CallSource
from bot.services.state import RuntimeState

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
    state: RuntimeState, *, store: Store, source: CallSource, now: datetime
) -> None:
    """Load what the store kept into `state`. Unknown operations and rules are ignored."""
    stored = await store.load(now)
    alerts = []
    for (operation, rule), doc in stored.alerts.items():
        op = state.operations.get(operation)
        if op is None or op.rule(rule) is None:
            continue
        try:
            alerts.append(decode_alert(doc))
        except (KeyError, ValueError) as exc:
            log.warning("event=restore_skipped kind=alert rule=%s error=%s", rule, exc)
    state.alerts = AlertBook.of(alerts)
    silences = []
    for silence_id, doc in stored.silences.items():
        try:
            silences.append(decode_silence(doc))
        except (KeyError, ValueError) as exc:
            log.warning("event=restore_skipped kind=silence id=%s error=%s", silence_id, exc)
    state.silences = SilenceBook(tuple(silences))
    firing = {a.incident_id for a in state.alerts if a.firing}
    digests = []
    for digest_id, doc in stored.digests.items():
        try:
            digest = decode_digest(doc)
        except (KeyError, ValueError) as exc:
            log.warning("event=restore_skipped kind=digest id=%s error=%s", digest_id, exc)
            continue
        young = now - digest.opened_at < state.settings.storm_window
        if young or firing.intersection(digest.members):
            digests.append(digest)
    state.digests = DigestBook(tuple(digests))
    for operation, stored_log in stored.logs.items():
        if operation in state.operations:
            state.log.restore(operation, snapshot_of(stored_log))
    for (operation, day), used in stored.budgets.items():
        if operation in state.operations:
            source.restore_budget(operation, day, used)
    for operation, poll in stored.polls.items():
        if operation in state.operations:
            state.operation(operation).record_poll(
                last_success_at=poll.last_success_at,
                last_error=poll.last_error,
                consecutive_failures=poll.consecutive_failures,
                last_duration=poll.last_duration,
            )
