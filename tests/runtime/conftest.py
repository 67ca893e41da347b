"""Fixtures shared by the runtime tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For tests that run `run_bot` in their own process: the root logger's level and
    handlers as they were, with the bot's `callbot` handler taken off again."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if h.get_name() == "callbot"]:
        root.removeHandler(handler)
    root.setLevel(level)
