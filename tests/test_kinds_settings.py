"""Configuration of the budget and expected rule kinds (issue 16): what is accepted, and
each rejected configuration naming the file, the rule and the field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.errors import ConfigError
from bot.domain.kind_specs import FAST_TIER, SLOW_TIER, Direction
from bot.domain.specs import RuleKind
from bot.settings import load_settings, parse_settings

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
    "bad_expected_without_match": ["rule 'inbound-expected'", "match", "needs match"],
    "bad_expected_chance": ["rule 'inbound-expected'", "chance", "not a small probability"],
    "bad_expected_weeks": ["rule 'inbound-expected'", "weeks", "at most 5"],
    "bad_expected_recover": ["rule 'inbound-expected'", "recover", "from chance 0.001"],
    "bad_expected_direction": ["rule 'inbound-expected'", "direction", "'drop', 'surge' or 'both'"],
}


def test_every_kinds_fixture_has_an_expectation() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("bad_*.yml")) == sorted(REJECTED)


@pytest.mark.parametrize("fixture", sorted(REJECTED))
def test_a_rejected_budget_or_expected_rule_says_file_rule_and_field(fixture: str) -> None:
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


def test_a_budget_rule_gets_its_default_tiers_and_overrides() -> None:
    settings = parse_settings(
        BASE
        + """
  - name: abandon-budget
    kind: budget
    match: {result: [abandon]}
    among: {type: [inbound]}
    objective: 5%
    fast: {spend: 10%, window: 30m}
    slow: {min_calls: 100}
    active: mon-fri 08:00-18:00
""",
        source="callbot.yml",
        env={},
    )
    (rule,) = settings.rules
    assert rule.kind is RuleKind.BUDGET and rule.objective == 0.05
    fast, slow = rule.tiers
    assert (fast.spend, fast.window, fast.short) == (0.1, timedelta(minutes=30), FAST_TIER.short)
    assert fast.min_calls == FAST_TIER.min_calls
    assert (slow.spend, slow.window, slow.min_calls) == (SLOW_TIER.spend, SLOW_TIER.window, 100)
    assert rule.confidence == 0.9


def test_an_expected_rule_gets_its_defaults() -> None:
    settings = parse_settings(
        BASE
        + """
  - name: inbound-expected
    kind: expected
    match: {type: [inbound]}
    direction: both
    chance: 0.01%
    severity: critical
""",
        source="callbot.yml",
        env={},
    )
    (rule,) = settings.rules
    assert rule.kind is RuleKind.EXPECTED and rule.window == timedelta(minutes=15)
    assert rule.seasonal is not None
    assert rule.seasonal.direction is Direction.BOTH
    assert rule.seasonal.chance == pytest.approx(1e-4)
    assert (rule.seasonal.weeks, rule.seasonal.min_difference) == (4, 10)


def test_check_config_says_when_history_days_do_not_cover_an_expected_rule() -> None:
    from bot.config.report import render_report

    rule = """
  - name: inbound-expected
    kind: expected
    match: {type: [inbound]}
"""
    short = parse_settings(BASE + rule, source="callbot.yml", env={})
    report = render_report(short)
    assert "inbound-expected: 4 weeks of the same minute-of-week need history_days >= 29" in (
        report
    )
    assert "history_days is 8" in report and "quiet on Saturdays and Sundays" in report
    assert "fast 20% in 1h+5m" not in report
    long = parse_settings("history_days: 29\n" + BASE + rule, source="callbot.yml", env={})
    assert "history_days 29 covers its 4 weeks" in render_report(long)
