"""The cheap benchmarks still run against the code as it is now.

bench/ measures, tests do not: nothing here looks at a figure's value or verdict (the
machines are shared and noisy). What a developer would notice is a benchmark that no
longer runs after a change to the code it drives (a renamed function, a changed
signature, an ingest that counts other calls than it was given, which bench_ingest
refuses): those fail here, in CI, instead of the next time someone measures.
"""

from __future__ import annotations

import importlib
import re

import pytest

CHEAP = ("ingest", "poll", "backtest")
"""The benchmarks whose --quick run takes a few seconds; the others start processes or
servers and run for tens of seconds or minutes."""


@pytest.mark.parametrize("name", CHEAP)
def test_a_quick_run_reports_every_figure_with_its_floor(name: str) -> None:
    module = importlib.import_module(f"bench.bench_{name}")

    figures = module.run(quick=True)

    assert figures, f"bench {name} reported nothing"
    for figure in figures:
        assert re.search(r"\d", figure.value), figure
        assert figure.target, figure
        if figure.target.startswith("<="):
            assert figure.passed is not None, figure
        if figure.value.endswith("x"):
            assert "floor" in figure.note, f"a ratio without its floor: {figure}"
