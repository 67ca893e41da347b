"""Configuration of the budget and expected rule kinds (issue 16): what is accepted, and
each rejected configuration naming the file, the rule and the field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.report import render_report
from bot.domain.kind_specs import FAST_TIER, SLOW_TIER, Direction
from bot.domain.specs import RuleKind
from tests.support.config import bad_fixtures, make_settings, operation, refusal

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "config" / "kinds"
ENV = {"WOLKVOX_TOKEN": "tok-123"}

REJECTED: dict[str, list[str]] = {
    "bad_budget_without_objective": ["rule 'abandon-budget'", "objective", "needs an objective"],
    "bad_budget_objective_over_1": ["rule 'abandon-budget'", "objective:", "not a share"],
    "bad_budget_window": ["rule 'abandon-budget'", "window", "tiers have their own windows"],
    "bad_budget_short_not_shorter": ["rule 'abandon-budget'", "fast.short", "not shorter"],
    "bad_budget_tier_key": ["rule 'abandon-budget'", "slow.budget", "spend"],
    "bad_budget_without_among": ["rule 'abandon-budget'", "among", "needs among"],
    "bad_budget_key_of_expected": ["rule 'abandon-budget'", "direction", "only expected"],
    "bad_budget_recover_critical_zero": ["rule 'abandon-budget'", "recover_critical", "above 0"],
    "bad_budget_recover_critical_below_recover": [
        "rule 'abandon-budget'",
        "recover_critical",
        "below recover 1.2",
    ],
    "bad_expected_without_match": ["rule 'inbound-expected'", "match", "needs match"],
    "bad_expected_chance": ["rule 'inbound-expected'", "chance", "not a small probability"],
    "bad_expected_weeks": ["rule 'inbound-expected'", "weeks", "at most 5"],
    "bad_expected_recover": ["rule 'inbound-expected'", "recover", "from chance 0.001"],
    "bad_expected_direction": ["rule 'inbound-expected'", "direction", "'drop', 'surge' or 'both'"],
}


def test_every_kinds_fixture_has_an_expectation() -> None:
    assert bad_fixtures(FIXTURES) == sorted(REJECTED)


@pytest.mark.parametrize("fixture", sorted(REJECTED))
def test_a_rejected_budget_or_expected_rule_says_file_rule_and_field(fixture: str) -> None:
    text = refusal(FIXTURES / f"{fixture}.yml", env=ENV)
    for expected in REJECTED[fixture]:
        assert expected in text


BOGOTA = operation(token="x", licenses=2, channel="C0123456789", poll_every="5m")
"""The operation of these tests (poll_every as the file leaves it: the default, 5m)."""

INBOUND_EXPECTED = {"name": "inbound-expected", "kind": "expected", "match": {"type": ["inbound"]}}


def test_a_budget_rule_gets_its_default_tiers_and_overrides() -> None:
    budget = {
        "name": "abandon-budget",
        "kind": "budget",
        "match": {"result": ["abandon"]},
        "among": {"type": ["inbound"]},
        "objective": "5%",
        "fast": {"spend": "10%", "window": "30m"},
        "slow": {"min_calls": 100},
        "active": "mon-fri 08:00-18:00",
    }
    settings = make_settings(operations=[BOGOTA], rules=[budget])
    (rule,) = settings.rules
    assert rule.kind is RuleKind.BUDGET and rule.objective == 0.05
    fast, slow = rule.tiers
    assert (fast.spend, fast.window, fast.short) == (0.1, timedelta(minutes=30), FAST_TIER.short)
    assert fast.min_calls == FAST_TIER.min_calls
    assert (slow.spend, slow.window, slow.min_calls) == (SLOW_TIER.spend, SLOW_TIER.window, 100)
    assert rule.confidence == 0.9


def test_a_budget_rule_takes_recover_critical_as_a_burn_rate() -> None:
    budget = {
        "name": "abandon-budget",
        "kind": "budget",
        "match": {"result": ["abandon"]},
        "among": {"type": ["inbound"]},
        "objective": "5%",
        "recover": 1,
        "recover_critical": 1.5,
    }
    settings = make_settings(operations=[BOGOTA], rules=[budget])
    (rule,) = settings.rules
    assert (rule.recover, rule.recover_critical) == (1.0, 1.5)
    assert "crit until < 1.5" in render_report(settings)


def test_an_expected_rule_gets_its_defaults() -> None:
    expected = {**INBOUND_EXPECTED, "direction": "both", "chance": "0.01%", "severity": "critical"}
    settings = make_settings(operations=[BOGOTA], rules=[expected])
    (rule,) = settings.rules
    assert rule.kind is RuleKind.EXPECTED and rule.window == timedelta(minutes=15)
    assert rule.seasonal is not None
    assert rule.seasonal.direction is Direction.BOTH
    assert rule.seasonal.chance == pytest.approx(1e-4)
    assert (rule.seasonal.weeks, rule.seasonal.min_difference) == (4, 10)


def test_check_config_says_when_history_days_do_not_cover_an_expected_rule() -> None:
    short = make_settings(operations=[BOGOTA], rules=[INBOUND_EXPECTED])
    report = render_report(short)
    assert "inbound-expected: 4 weeks of the same minute-of-week need history_days >= 29" in (
        report
    )
    assert "history_days is 8" in report and "quiet on Saturdays and Sundays" in report
    assert "fast 20% in 1h+5m" not in report
    long = make_settings(history_days=29, operations=[BOGOTA], rules=[INBOUND_EXPECTED])
    assert "history_days 29 covers its 4 weeks" in render_report(long)
