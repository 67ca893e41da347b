"""The README's configuration reference is the one generated from bot/config/reference.py
(which is tested against the schema), so a key documented there cannot drift from the
README by a hand edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config.reference import render_rules_reference, render_settings_reference

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("render", [render_rules_reference, render_settings_reference])
def test_the_readme_holds_the_generated_table_as_it_is(render: Callable[[], str]) -> None:
    table = render()
    readme = README.read_text(encoding="utf-8")
    missing = [line for line in table.splitlines() if line not in readme.splitlines()]
    assert not missing, (
        "README.md differs from bot/config/reference.py; paste the output of "
        f"bot.config.reference.{render.__name__}() into README.md. Lines not in README: "
        + "; ".join(missing)
    )
    assert table in readme
