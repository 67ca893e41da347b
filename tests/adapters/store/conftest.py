"""Fixtures of the store tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.adapters.store.memory import MemoryStore, MemoryTables
from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.services.ports.store import Store


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Store]:
    """A factory of fresh handles on the same persisted data (a "restart", or another
    process on the same store), for each of the three stores."""
    if request.param == "memory":
        tables = MemoryTables()
        return lambda: MemoryStore(tables=tables)
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        return lambda: PostgresStore(url=url)
    path = tmp_path / "state" / "callbot.sqlite3"
    return lambda: SQLiteStore(path=path)
