"""Migration 3 (issue 11): the whole poll state is stored; older stores upgrade in place."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.store.sqlite import SQLiteStore
from bot.adapters.store.sqlite_schema import LATEST, MIGRATIONS, schema_version
from bot.domain.polling import PollState
from bot.services.ports.store import CycleCommit

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def old_store(path: Path) -> None:
    """A store written by a callbot that knew migrations 1 and 2, with one poll status."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
    for version in (1, 2):
        for statement in MIGRATIONS[version - 1]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    conn.execute(
        "INSERT INTO poll_status (operation, last_success_at, last_error, "
        "consecutive_failures, last_duration) VALUES ('bogota', ?, 'timeout', 2, 1500000)",
        (int(T0.timestamp() * 1_000_000),),
    )
    conn.close()


async def test_an_older_store_is_upgraded_and_keeps_its_poll_status(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old_store(path)
    async with SQLiteStore(path=path) as store:
        polls = (await store.load(T0)).polls
    assert polls["bogota"] == PollState(
        last_success_at=T0,
        last_error="timeout",
        consecutive_failures=2,
        last_duration=timedelta(seconds=1.5),
    )
    conn = sqlite3.connect(path)
    assert schema_version(conn) == LATEST  # issue 12: 4, the record, on top
    conn.close()


async def test_every_field_of_the_poll_state_round_trips(tmp_path: Path) -> None:
    status = PollState(
        last_attempt_at=T0 + timedelta(minutes=1),
        last_success_at=T0,
        last_error="the token is wrong or expired",
        last_error_kind="token_rejected",
        consecutive_failures=3,
        last_duration=timedelta(seconds=2),
        last_records=120,
        last_skipped=4,
        possibly_truncated=True,
        stopped="the token is wrong or expired",
    )
    path = tmp_path / "new.sqlite3"
    async with SQLiteStore(path=path) as store:
        await store.commit_cycle(CycleCommit(operation="bogota", poll=status))
    async with SQLiteStore(path=path) as store:
        assert (await store.load(T0)).polls["bogota"] == status
