"""Configuration of the queue rule kind (issue 15): what is accepted, and each rejected
configuration naming the file, the rule and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config.errors import ConfigError
from bot.config.model import Settings
from bot.config.report import render_report
from bot.domain.kind_specs import QueueMetric, QueueScope
from bot.domain.specs import RuleKind
from bot.settings import rules_for
from tests.support.config import bad_fixtures, make_settings, operation, refusal

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
    "bad_queue_recover_critical_below_critical": [
        "rule 'service-level'",
        "recover_critical",
        "0.5 is below critical 0.6",
    ],
    "bad_queue_window": ["rule 'queue-abandon'", "window", "skills snapshot, not calls"],
    "bad_queue_abandon_rate_over_1": ["rule 'queue-abandon'", "warning", "not a share"],
    "bad_queue_without_threshold": ["rule 'queue-waiting'", "warning", "needs a threshold"],
    "bad_queue_key_on_rate": ["rule 'abandon'", "metric", "only queue"],
    "bad_queue_empty_name": ["rule 'queue-waiting'", "queues[1]", "queue's name or id"],
    "bad_skills_every_not_multiple": ["operation 'bogota'", "skills_every", "whole multiple"],
    "bad_opt_in_unknown": [
        "operation 'bogota'",
        "opt_in[0]",
        "no opt-in rule is named 'service-levels'; did you mean 'service-level'?",
    ],
    "bad_opt_in_not_optional": ["operation 'bogota'", "opt_in[0]", "'abandon-rate' is not opt-in"],
    "bad_skills_budget": [
        "operation 'bogota'",
        "skills_every",
        "polling costs 1,440 calls a day (calls_last_10 every 2m = 720, skills every 2m = 720)",
        "leaves 800 after the 20% reserve; set skills_every to 18m or more, poll every 4m",
    ],
}


def test_every_queue_fixture_has_an_expectation() -> None:
    assert bad_fixtures(FIXTURES) == sorted(REJECTED)


@pytest.mark.parametrize("fixture", sorted(REJECTED))
def test_a_rejected_queue_rule_says_file_rule_and_field(fixture: str) -> None:
    text = refusal(FIXTURES / f"{fixture}.yml", env=ENV)
    for expected in REJECTED[fixture]:
        assert expected in text


BOGOTA = operation(token="x", licenses=2, channel="C0123456789", poll_every="5m")
"""The operation of these tests (poll_every as the file leaves it: the default, 5m)."""


def queue_rule(name: str, **keys: object) -> dict[str, object]:
    """A rule entry of kind queue (it has no `match`)."""
    return {"name": name, "kind": "queue", **keys}


def test_a_queue_rule_reads_its_metric_levels_and_queues() -> None:
    rule_keys = {
        "metric": "service_level",
        "queues": ["Ventas", " Soporte  Tecnico "],
        "together": True,
        "warning": "80%",
        "critical": "60%",
        "recover": "85%",
        "min_calls": 20,
        "for": 2,
        "active": "mon-fri 08:00-18:00",
    }
    settings = make_settings(operations=[BOGOTA], rules=[queue_rule("ventas-service", **rule_keys)])
    (rule,) = settings.rules
    assert rule.kind is RuleKind.QUEUE and rule.queue is not None
    assert rule.queue.metric is QueueMetric.SERVICE_LEVEL
    assert rule.queue.queues == ("Ventas", "Soporte Tecnico")
    assert rule.queue.scope is QueueScope.TOGETHER
    assert (rule.warning, rule.critical, rule.recover, rule.min_calls) == (0.8, 0.6, 0.85, 20)
    report = render_report(settings)
    assert "service_level < warn 80% crit 60% recover 85% min 20 on Ventas" in report


def test_waiting_levels_are_callers_and_each_queue_is_the_default() -> None:
    settings = make_settings(
        operations=[BOGOTA],
        rules=[queue_rule("waiting", metric="waiting", warning=5, critical=12)],
    )
    (rule,) = settings.rules
    assert rule.queue is not None and rule.queue.scope is QueueScope.EACH
    assert rule.queue.queues == ()
    assert "waiting >= warn 5 crit 12 on each queue" in render_report(settings)


def with_defaults(*rules: dict[str, object], **bogota: object) -> Settings:
    """The shipped rules (and `rules`) over the one operation, with its keys in `bogota`."""
    return make_settings(defaults=True, operations=[{**BOGOTA, **bogota}], rules=rules)


def test_the_shipped_service_level_rule_is_off_until_an_operation_opts_in() -> None:
    off = with_defaults()
    (rule,) = [r for r in off.rules if r.name == "service-level"]
    assert rule.opt_in and rule.operations == frozenset()
    assert "service-level" not in [r.name for r in rules_for(off, "bogota")]
    assert not off.operation("bogota").polls_skills
    assert [line.api for line in off.operation("bogota").budget().lines] == ["calls_last_10"]
    assert re.search(r"service-level\s+queue\s+none \(opt-in\)", render_report(off))

    on = with_defaults(opt_in=["service-level"])
    (rule,) = [r for r in on.rules if r.name == "service-level"]
    assert rule.operations == frozenset({"bogota"})
    assert rule.queue is not None and rule.queue.metric is QueueMetric.SERVICE_LEVEL
    assert (rule.warning, rule.critical, rule.recover, rule.min_calls) == (0.8, 0.6, 0.85, 20)
    assert "service-level" in [r.name for r in rules_for(on, "bogota")]
    op = on.operation("bogota")
    assert op.polls_skills and op.skills_polled == op.poll_every


def test_check_config_counts_skills_polling_in_the_budget_with_the_arithmetic() -> None:
    settings = with_defaults(poll_every="5m", skills_every="10m", opt_in=["service-level"])
    report = render_report(settings)
    assert (
        "polling costs 432 calls a day (calls_last_10 every 5m = 288, "
        "skills every 10m = 144)" in report
    ), report
    assert "432 x 3 attempts per poll, retries limited to fit the allowance = 1,296" in report


def test_operations_sharing_a_token_sum_their_skills_polling() -> None:
    shared = {"token": "same", "licenses": 1, "channel": "C0123456789", "poll_every": "5m"}
    with pytest.raises(ConfigError) as caught:
        make_settings(
            defaults=True,
            operations=[
                operation("a", **shared, opt_in=["service-level"]),
                operation("b", **shared),
            ],
        )
    message = str(caught.value)
    assert "operation 'a', skills_every" in message, message
    assert (
        "a calls_last_10 every 5m = 288 + a skills every 5m = 288 + "
        "b calls_last_10 every 5m = 288 = 864 calls a day" in message
    ), message


def test_a_queue_rule_of_ones_own_polls_skills_without_opting_in() -> None:
    settings = with_defaults(queue_rule("waiting", metric="waiting", warning=5))
    assert settings.operation("bogota").polls_skills
