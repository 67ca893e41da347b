"""One person's action (or a silence's end), gathered to be stored in one transaction.

The alerts it changes, the notifications that announce it and its record are
collected while it is planned, then become one `ActionCommit`: a crash stores the
action, its record and its announcement together, or none of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.adapters.store.base import ActionCommit, NewOutboxRow
from bot.adapters.store.codec import encode_alert, encode_silence
from bot.adapters.store.history_codec import encode_action, incident_entries
from bot.domain.alert_book import AlertBook
from bot.domain.alerts import Alert
from bot.domain.history import ActionRecord
from bot.domain.silences import Silence


class ActionBatch:
    """What one action changes, gathered to be stored in one transaction."""

    def __init__(self, alerts: AlertBook) -> None:
        self.book = alerts
        self.changed: dict[tuple[str, str], Alert] = {}
        self.before: dict[tuple[str, str], Alert] = {}
        self.rows: list[NewOutboxRow] = []
        self.records: list[ActionRecord] = []
        self.told: set[str] = set()
        """Channels where an incident message carries the news."""

    def change(self, previous: Alert, alert: Alert) -> None:
        self.before.setdefault(alert.key, previous)
        self.changed[alert.key] = alert
        self.book = self.book.with_alert(alert)

    def commit(
        self,
        *,
        silences: dict[str, Silence] | None = None,
        forget: Iterable[str] = (),
    ) -> ActionCommit:
        return ActionCommit(
            alerts={(a.operation, a.rule): encode_alert(a) for a in self.changed.values()},
            silences={s.id: (encode_silence(s), s.ends_at) for s in (silences or {}).values()},
            forget_silences=tuple(forget),
            actions=tuple(encode_action(r) for r in self.records),
            incidents=incident_entries(self.before.values(), self.changed.values()),
            outbox=tuple(self.rows),
        )
