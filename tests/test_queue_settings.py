"""Configuration of the queue rule kind (issue 15): what is accepted, and each rejected
configuration naming the file, the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.errors import ConfigError
from bot.config.report import render_report
from bot.domain.kind_specs import QueueMetric, QueueScope
from bot.domain.specs import RuleKind
from bot.settings import load_settings, parse_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "config" / "queue"
ENV = {"WOLKVOX_TOKEN": "tok-123"}

REJECTED: dict[str, list[str]] = {
    "bad_queue_without_metric": ["rule 'queue-waiting'", "metric", "needs a metric"],
    "bad_queue_metric": ["rule 'queue-waiting'", "metric", "'service_level', 'waiting'"],
    "bad_queue_service_level_critical_above_warning": [
        "rule 'service-level'",
        "critical",
        "worse the lower it is",
    ],
    "bad_queue_service_level_recover_below_warning": [
        "rule 'service-level'",
        "recover",
        "at or above it",
    ],
    "bad_queue_window": ["rule 'queue-abandon'", "window", "skills snapshot, not calls"],
    "bad_queue_abandon_rate_over_1": ["rule 'queue-abandon'", "warning", "not a share"],
    "bad_queue_without_threshold": ["rule 'queue-waiting'", "warning", "needs a threshold"],
    "bad_queue_key_on_rate": ["rule 'abandon'", "metric", "only queue"],
    "bad_queue_empty_name": ["rule 'queue-waiting'", "queues[1]", "queue's name or id"],
}


def test_every_queue_fixture_has_an_expectation() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("bad_*.yml")) == sorted(REJECTED)


@pytest.mark.parametrize("fixture", sorted(REJECTED))
def test_a_rejected_queue_rule_says_file_rule_and_field(fixture: str) -> None:
    path = FIXTURES / f"{fixture}.yml"
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=ENV)
    text = str(caught.value)
    assert len(caught.value.problems) == 1, text
    for expected in [str(path), *REJECTED[fixture]]:
        assert expected in text


BASE = """
operations:
  - {name: bogota, server: "0004", token: x, licenses: 2, channel: C0123456789}
defaults: false
rules:
"""


def test_a_queue_rule_reads_its_metric_levels_and_queues() -> None:
    settings = parse_settings(
        BASE
        + """
  - name: ventas-service
    kind: queue
    metric: service_level
    queues: [Ventas, " Soporte  Tecnico "]
    together: true
    warning: 80%
    critical: 60%
    recover: 85%
    min_calls: 20
    for: 2
    active: mon-fri 08:00-18:00
""",
        source="callbot.yml",
        env={},
    )
    (rule,) = settings.rules
    assert rule.kind is RuleKind.QUEUE and rule.queue is not None
    assert rule.queue.metric is QueueMetric.SERVICE_LEVEL
    assert rule.queue.queues == ("Ventas", "Soporte Tecnico")
    assert rule.queue.scope is QueueScope.TOGETHER
    assert (rule.warning, rule.critical, rule.recover, rule.min_calls) == (0.8, 0.6, 0.85, 20)
    report = render_report(settings)
    assert "service_level < warn 80% crit 60% recover 85% min 20 on Ventas" in report


def test_waiting_levels_are_callers_and_each_queue_is_the_default() -> None:
    settings = parse_settings(
        BASE + "  - {name: waiting, kind: queue, metric: waiting, warning: 5, critical: 12}\n",
        source="callbot.yml",
        env={},
    )
    (rule,) = settings.rules
    assert rule.queue is not None and rule.queue.scope is QueueScope.EACH
    assert rule.queue.queues == ()
    assert "waiting >= warn 5 crit 12 on each queue" in render_report(settings)
