"""Every alert of the bot, keyed by (rule, operation), stepped together once per poll."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from bot.domain.alerts import Alert, Decision, acknowledge, step
from bot.domain.silences import SilenceBook
from bot.domain.specs import Evaluation, RuleSpec


@dataclass(frozen=True, slots=True)
class AlertBook:
    """An immutable value: `step_all` and `with_alert` return a new book, so the monitor
    can store the new states and the decisions together, or neither."""

    alerts: Mapping[tuple[str, str], Alert] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "alerts", MappingProxyType(dict(self.alerts)))

    @classmethod
    def of(cls, alerts: Iterable[Alert]) -> AlertBook:
        return cls({alert.key: alert for alert in alerts})

    def __iter__(self) -> Iterator[Alert]:
        return iter(self.alerts.values())

    def __len__(self) -> int:
        return len(self.alerts)

    def get(self, rule: str, operation: str) -> Alert:
        """The alert of (rule, operation); a new inactive one when never seen."""
        return self.alerts.get((rule, operation)) or Alert.new(rule, operation)

    def with_alert(self, alert: Alert) -> AlertBook:
        return AlertBook({**self.alerts, alert.key: alert})

    def firing(self) -> tuple[Alert, ...]:
        return tuple(alert for alert in self if alert.firing)

    def find_incident(self, incident_id: str) -> Alert | None:
        """The alert whose current or last incident is `incident_id` (buttons carry it)."""
        return next((a for a in self if a.incident_id == incident_id), None)

    def acknowledge(
        self, incident_id: str, *, by: str, now: datetime
    ) -> tuple[AlertBook, Decision | None]:
        """Acknowledge by incident id; None when no alert ever had that incident."""
        alert = self.find_incident(incident_id)
        if alert is None:
            return self, None
        decision = acknowledge(alert, by=by, now=now, incident=incident_id)
        return self.with_alert(decision.alert), decision

    def step_all(
        self,
        evaluations: Iterable[Evaluation],
        specs: Mapping[str, RuleSpec],
        silences: SilenceBook,
        now: datetime,
    ) -> tuple[AlertBook, tuple[Decision, ...]]:
        """Step each evaluated alert, in the order of the evaluations.

        An evaluation of a rule missing from `specs` is a wiring error and raises
        ValueError: silently skipping it would leave an alert firing forever.
        """
        alerts = dict(self.alerts)
        decisions: list[Decision] = []
        for evaluation in evaluations:
            spec = specs.get(evaluation.rule)
            if spec is None:
                raise ValueError(f"no rule named {evaluation.rule!r} to step its alert")
            key = (evaluation.rule, evaluation.operation)
            previous = alerts.get(key) or Alert.new(*key)
            silence = silences.matching(evaluation.rule, evaluation.operation, now)
            decision = step(previous, evaluation, spec, silence=silence, now=now)
            alerts[key] = decision.alert
            decisions.append(decision)
        return AlertBook(alerts), tuple(decisions)
