"""The store is chosen from the configuration in one place (bootstrap.store_for)."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.bootstrap import store_for
from bot.settings import parse_settings

OPERATION = """\
operations:
  - name: bogota
    server: "0004"
    token: tok-41
    licenses: 2
    channel: C0123456789
"""


def test_sqlite_unless_a_url_is_written() -> None:
    store = store_for(parse_settings(OPERATION, source="callbot.yml", env={}))
    assert isinstance(store, SQLiteStore)
    assert store.path == "callbot.sqlite3"


def test_a_url_selects_postgresql_and_is_shown_masked() -> None:
    text = "store:\n  url: postgresql://callbot:${PGPASSWORD}@127.0.0.1:5432/callbot\n"
    settings = parse_settings(
        text + OPERATION, source=Path("callbot.yml"), env={"PGPASSWORD": "pw-9"}
    )
    store = store_for(settings)
    assert isinstance(store, PostgresStore)
    assert store.where == "postgresql://callbot:***@127.0.0.1:5432/callbot"
    assert "pw-9" not in repr(store)
