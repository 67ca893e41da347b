"""`callbot test-rules`: the repository's example files pass; a wrong expectation fails loudly."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.backtest.traffic_notation import NotationError, parse_series
from bot.cli import main

EXAMPLES = sorted((Path(__file__).parents[1] / "fixtures" / "rule_tests").glob("*.yml"))

INLINE = """\
operations:
  - name: lima
    timezone: America/Lima
    poll_every: 1m
defaults: false
rules:
  - name: abandons
    kind: count
    match: {{result: [abandon]}}
    warning: 5
    critical: 20
tests:
  - name: five abandons in ten minutes warn
    traffic:
      inbound/abandon: 0x10 1x10
      inbound/answer: 10x20
    expect:
      - at: 10m
        alerts: []
      - at: 15m
        alerts:
          - {{rule: abandons, severity: {severity}}}
"""


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
async def test_the_example_rule_tests_pass(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = await asyncio.to_thread(main, ["test-rules", str(path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert " 0 failed" in out


def test_examples_exist() -> None:
    assert EXAMPLES, "tests/fixtures/rule_tests/ holds the documented examples"


async def test_a_wrong_expectation_prints_expected_against_got_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text(INLINE.format(severity="warning"), encoding="utf-8")
    bad.write_text(INLINE.format(severity="critical"), encoding="utf-8")
    assert await asyncio.to_thread(main, ["test-rules", str(good)]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["test-rules", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  five abandons in ten minutes warn" in out
    assert "at 15m (" in out
    assert "expected: abandons lima firing critical" in out
    assert "got:      abandons lima firing warning" in out
    assert "1 test, 1 failed" in out


async def test_a_file_that_cannot_run_is_reported_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(INLINE.format(severity="warning").replace("0x10 1x10", "lots"), "utf-8")
    out = io.StringIO()
    from bot.backtest.rule_tests import run_rule_tests

    assert await asyncio.to_thread(run_rule_tests, [str(path)], out=out) == 2
    assert "traffic: 'lots' is not a count" in out.getvalue()


@pytest.mark.parametrize(
    ("text", "counts"),
    [("3", [3]), ("2x3 0 1x2", [2, 2, 2, 0, 1, 1]), (7, [7]), ("", [])],
)
def test_series_notation(text: object, counts: list[int]) -> None:
    assert parse_series(text) == counts


@pytest.mark.parametrize("text", ["2x", "x3", "-1", "1.5", None])
def test_series_notation_rejects_what_it_cannot_read(text: object) -> None:
    with pytest.raises(NotationError):
        parse_series(text)
