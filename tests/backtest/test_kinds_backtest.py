"""The budget and expected kinds earn their place side by side with the shipped rules
(issue 16): four ordinary weeks open nothing, `expected` sees a silence at a busy hour in
at most a third of the time `inbound-flatline` takes, `budget` sees an abandon surge no
later than `abandon-rate`, and the README's table says so."""

from __future__ import annotations

from pathlib import Path

from bot.backtest.kinds_report import kinds_rows, render_rows

README = Path(__file__).parents[2] / "README.md"


async def test_budget_and_expected_against_the_shipped_rules() -> None:
    rows = await kinds_rows()
    weeks, *scenarios = rows
    assert weeks.traffic.startswith("4 ordinary weeks")
    assert weeks.result.polls >= 4 * 7 * 288
    assert weeks.new_incidents == {"inbound-expected": 0, "abandon-budget": 0}, [
        (i.rule, i.fired_at) for i in weeks.result.incidents
    ]
    by_name = {row.traffic.split(" ")[0]: row for row in scenarios}
    for row in scenarios:
        assert sum(row.new_incidents.values()) == 0, (row.traffic, row.new_incidents)

    silence = by_name["silence"].detect
    expected, flatline = silence["inbound-expected"], silence["inbound-flatline"]
    assert expected is not None and flatline is not None
    assert 0 < expected * 3 <= flatline, silence

    surge = by_name["abandon_surge"].detect
    budget, rate = surge["abandon-budget"], surge["abandon-rate"]
    assert budget is not None and rate is not None and budget <= rate, surge

    table = render_rows(rows)
    assert table in README.read_text(encoding="utf-8"), (
        "README's budget/expected backtest table is out of date; regenerate it with "
        "`python -m bot.backtest.kinds_report`:\n" + table
    )
