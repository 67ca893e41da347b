"""Settings read only when the process starts are kept on reload and named in the warning,
so a supervisor who edits them knows the running bot still uses the old values."""

from __future__ import annotations

import pytest

from bot.reload import restart_only_changes
from tests.support.config import make_settings


@pytest.mark.parametrize(
    ("before", "after", "named"),
    [
        ({}, {}, []),
        ({"history_days": 14}, {"history_days": 29}, ["history_days"]),
        ({"language": "en"}, {"language": "es"}, ["language"]),
        (
            {"language": "en", "history_days": 14},
            {"language": "es", "history_days": 29},
            ["language", "history_days"],
        ),
    ],
)
def test_settings_read_at_start_are_named_when_a_reload_changes_them(
    before: dict[str, object], after: dict[str, object], named: list[str]
) -> None:
    assert restart_only_changes(make_settings(**before), make_settings(**after)) == named
