"""The alert-storm settings: defaults, turning digests off, and the reference table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config.reference import render_settings_reference
from bot.settings import parse_settings

OPERATION = """
operations:
  - {name: bogota, server: "0004", token: t1, licenses: 2, channel: C0123456789}
"""


@pytest.mark.parametrize(
    ("written", "threshold", "window"),
    [
        ("", 5, timedelta(minutes=5)),
        ("storm_threshold: 12\nstorm_window: 90s", 12, timedelta(seconds=90)),
        ("storm_threshold: 0", 0, timedelta(minutes=5)),
        ("storm_threshold: null", 0, timedelta(minutes=5)),
        ("storm_threshold:\nstorm_window: 1h", 0, timedelta(hours=1)),
    ],
)
def test_storm_settings_default_and_turn_off(
    written: str, threshold: int, window: timedelta
) -> None:
    settings = parse_settings(written + OPERATION, source="test.yml", env={})
    assert (settings.storm_threshold, settings.storm_window) == (threshold, window)


def test_the_reference_documents_the_storm_settings() -> None:
    reference = render_settings_reference()
    assert "| `storm_threshold` | 5 |" in reference
    assert "| `storm_window` | `5m` |" in reference
