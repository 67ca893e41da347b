"""One person's action (or a silence's end), gathered to be stored in one transaction.

The alerts it changes, the notifications that announce it and its record are
collected while it is planned, then become one `ActionCommit`: a crash stores the
action, its record and its announcement together, or none of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.alert_book import AlertBook
from bot.domain.alerts import Alert
from bot.domain.history import ActionRecord, incident_changes
from bot.domain.silences import Silence
from bot.services.ports.store import ActionCommit, NewOutboxRow


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
        answers: Iterable[tuple[int, str]] = (),
    ) -> ActionCommit:
        return ActionCommit(
            alerts=tuple(self.changed.values()),
            silences=tuple((silences or {}).values()),
            forget_silences=tuple(forget),
            actions=tuple(self.records),
            incidents=tuple(incident_changes(self.before.values(), self.changed.values())),
            outbox=tuple(self.rows),
            answers=tuple(answers),
        )
