"""The store is chosen from the configuration in one place (bootstrap.store_for)."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.backtest.command import BacktestOptions
from bot.bootstrap import store_for
from bot.services.ports.store import BucketKey, CycleCommit, LogDelta
from tests.backtest.test_backtest_command import START, _config, _run
from tests.support.config import env_ref, make_settings


def test_sqlite_unless_a_url_is_written() -> None:
    store = store_for(make_settings(source="callbot.yml"))
    assert isinstance(store, SQLiteStore)
    assert store.path == "callbot.sqlite3"


def test_a_url_selects_postgresql_and_is_shown_masked() -> None:
    settings = make_settings(
        store={"url": "postgresql://callbot:" + env_ref("PGPASSWORD") + "@127.0.0.1:5432/callbot"},
        source=Path("callbot.yml"),
        env={"PGPASSWORD": "pw-9"},
    )
    store = store_for(settings)
    assert isinstance(store, PostgresStore)
    assert store.where == "postgresql://callbot:***@127.0.0.1:5432/callbot"
    assert "pw-9" not in repr(store)


async def test_backtest_history_reads_the_configured_postgresql_store(
    tmp_path: Path, pg_url: str
) -> None:
    config = _config(tmp_path, store={"url": pg_url})
    buckets, covered = {}, set()
    for minute in range(60):
        at = (START + timedelta(minutes=minute)).astimezone(UTC)
        covered.add(at)
        buckets[BucketKey(at, "inbound", "answer")] = 10
        if 20 <= minute < 40:
            buckets[BucketKey(at, "inbound", "abandon")] = 6
    async with PostgresStore(url=pg_url) as store:
        log = LogDelta(buckets=buckets, covered_minutes=frozenset(covered))
        await store.commit_cycle(CycleCommit(operation="bogota", log=log))

    code, out, err = await _run(BacktestOptions(config=str(config), history=True, format="json"))

    assert code == 0, err
    rate = [i for i in json.loads(out)["incidents"] if i["rule"] == "abandon-rate"]
    assert [i["severity"] for i in rate] == ["critical"]
