"""The shipped rules earn their place: an ordinary simulated week opens nothing, every
incident scenario is caught by a rule meant for it, and the README's table says so."""

from __future__ import annotations

from pathlib import Path

from bot.backtest.defaults_report import all_rows, render_rows

README = Path(__file__).parents[2] / "README.md"


async def test_default_rules_are_quiet_on_an_ordinary_week_and_catch_every_scenario() -> None:
    rows = await all_rows()
    weeks = [row for row in rows if row.traffic.startswith("ordinary week")]
    scenarios = [row for row in rows if row not in weeks]
    assert weeks and scenarios
    for week in weeks:
        assert week.incidents == 0, [(i.rule, i.fired_at) for i in week.result.incidents]
    for row in scenarios:
        assert row.detected, (row.traffic, row.rules)
        assert row.minutes_to_detect is not None and 0 < row.minutes_to_detect <= 15
    table = render_rows(rows)
    assert table in README.read_text(encoding="utf-8"), (
        "README's 'The default rules, and why' table is out of date; regenerate it with "
        "`python -m bot.backtest.defaults_report`:\n" + table
    )
