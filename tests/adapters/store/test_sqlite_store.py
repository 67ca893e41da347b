"""What only the SQLite store has: a file, a schema, crashes and a database that can fail."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.store.sqlite import SQLiteStore
from bot.adapters.store.sqlite_schema import LATEST, MIGRATIONS, NUMBERED
from bot.domain.alerts import Alert, AlertState
from bot.domain.polling import PollState
from bot.services.ports.store import (
    ActionCommit,
    CycleCommit,
    MessageRef,
    NewOutboxRow,
    OutboxAction,
    StoreError,
    StoreOpenError,
)

T0 = datetime(2024, 5, 6, 14, 0, tzinfo=UTC)


def row(incident: str) -> NewOutboxRow:
    return NewOutboxRow("C1", incident, OutboxAction.POST, {"text": incident}, T0)


def versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [v for (v,) in conn.execute("SELECT version FROM schema_version ORDER BY version")]


async def test_a_throwaway_in_memory_database_works() -> None:
    async with SQLiteStore(path=":memory:") as store:
        [row_id] = await store.commit_cycle(CycleCommit("sales", outbox=(row("i1"),)))
        assert [r.id for r in await store.due_outbox(T0, 5)] == [row_id]


async def test_the_parent_directory_is_created_and_the_schema_migrated_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deep" / "er" / "callbot.sqlite3"
    for _ in range(3):
        async with SQLiteStore(path=path) as store:
            await store.put_message_ref(MessageRef("i1", "C1", "1.0"))
    assert versions(path) == sorted(NUMBERED)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize("case", ["is-a-directory", "parent-is-a-file", "not-a-database"])
async def test_a_file_that_cannot_be_opened_is_named_in_the_error(
    tmp_path: Path, case: str
) -> None:
    if case == "is-a-directory":
        path = tmp_path / "store.sqlite3"
        path.mkdir()
    elif case == "parent-is-a-file":
        (tmp_path / "blocker").write_text("x")
        path = tmp_path / "blocker" / "store.sqlite3"
    else:
        path = tmp_path / "store.sqlite3"
        path.write_bytes(b"this is not a database, just some text that is long enough" * 100)
    store = SQLiteStore(path=path)
    with pytest.raises(StoreOpenError, match=str(path).replace("\\", "\\\\")):
        await store.open()
    with pytest.raises(StoreError):
        await store.load(T0)


async def test_a_schema_from_a_newer_callbot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    async with SQLiteStore(path=path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST + 1,))
    with pytest.raises(StoreOpenError, match="newer than this callbot"):
        await SQLiteStore(path=path).open()


async def test_committed_work_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from datetime import UTC, datetime
        from bot.domain.alerts import Alert
        from bot.services.ports.store import CycleCommit, MessageRef, NewOutboxRow
        from bot.adapters.store.sqlite import SQLiteStore

        async def main():
            store = SQLiteStore(path={str(path)!r})
            await store.open()
            t0 = datetime(2024, 5, 6, 14, 0, tzinfo=UTC)
            rows = [NewOutboxRow("C1", i, "post", {{"text": i}}, t0) for i in ("i1", "i2")]
            first, _ = await store.commit_cycle(
                CycleCommit("sales", alerts=(Alert.new("abandon", "sales"),), outbox=rows)
            )
            await store.complete(first, message=MessageRef("i1", "C1", "171.5"))
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
        """
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(child.communicate(), timeout=30)
    assert child.returncode == -signal.SIGKILL, stderr.decode()

    async with SQLiteStore(path=path) as store:
        state = await store.load(T0)
        assert state.alerts == {("sales", "abandon"): Alert.new("abandon", "sales")}
        assert state.message_refs == {"i1": MessageRef("i1", "C1", "171.5")}
        assert [r.incident_id for r in await store.due_outbox(T0, 10)] == ["i2"]


async def _add_trigger(path: Path, table: str) -> None:
    async with SQLiteStore(path=path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )


async def test_complete_is_atomic_when_the_database_fails_half_way(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    await _add_trigger(path, "message_refs")
    async with SQLiteStore(path=path) as store:
        [row_id] = await store.commit_cycle(CycleCommit("sales", outbox=(row("i1"),)))
        with pytest.raises(StoreError, match="disk on fire"):
            await store.complete(row_id, message=MessageRef("i1", "C1", "1.0"))
        assert [r.id for r in await store.due_outbox(T0, 5)] == [row_id]
        assert await store.message_ref("i1") is None


async def test_a_cycle_is_atomic_when_the_database_fails_at_the_last_step(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.sqlite3"
    await _add_trigger(path, "outbox")
    async with SQLiteStore(path=path) as store:
        with pytest.raises(StoreError, match="disk on fire"):
            await store.commit_cycle(
                CycleCommit(
                    "sales",
                    alerts=(Alert.new("abandon", "sales"),),
                    poll=PollState(last_success_at=T0),
                    outbox=(row("i1"),),
                )
            )
        state = await store.load(T0)
        assert (state.alerts, state.polls) == ({}, {})
        pending = replace(Alert.new("abandon", "sales"), state=AlertState.PENDING)
        await store.commit_action(ActionCommit(alerts=(pending,)))
        assert (await store.load(T0)).alerts == {("sales", "abandon"): pending}


async def test_a_store_of_the_previous_version_gains_the_record_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    # Migration numbers are reserved per change and may land out of order (issue 12 has 4
    # while 3 may come later): every missing one is applied, lowest first.
    path = tmp_path / "store.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        for version, statements in enumerate(MIGRATIONS[:2], start=1):
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        conn.execute("INSERT INTO message_refs VALUES ('i1', 'C1', '1.0')")
    conn.close()
    async with SQLiteStore(path=path) as store:
        assert (await store.load(T0)).message_refs["i1"].ts == "1.0"
        assert (await store.history(since=T0)).incidents == []
    assert versions(path) == sorted(NUMBERED)


async def test_rows_that_no_longer_read_back_are_left_out_and_named(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    good = Alert.new("abandon", "sales")
    async with SQLiteStore(path=path) as store:
        await store.commit_action(ActionCommit(alerts=(good,)))
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO alerts VALUES ('sales', 'trunk', '{\"state\": \"molten\"}')")
        conn.execute("INSERT INTO silences VALUES ('s1', 'not json', 0)")
        conn.execute("INSERT INTO digests VALUES ('d1', '{\"id\": \"d1\"}')")
    conn.close()
    async with SQLiteStore(path=path) as store:
        state = await store.load(T0)
    assert state.alerts == {("sales", "abandon"): good}
    assert (state.silences, state.digests) == ({}, {})
    assert [(bad.kind, bad.key) for bad in state.unreadable] == [
        ("alert", "trunk"),
        ("silence", "s1"),
        ("digest", "d1"),
    ]


async def test_an_outbox_action_this_callbot_does_not_know_reads_back_as_unknown(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.sqlite3"
    async with SQLiteStore(path=path) as store:
        await store.commit_cycle(CycleCommit("sales", outbox=(row("i1"),)))
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO outbox (created_at, channel, incident_id, action, payload, not_before) "
            "VALUES (0, 'C1', 'i2', 'react', '{}', 0)"
        )
    conn.close()
    async with SQLiteStore(path=path) as store:
        due = await store.due_outbox(T0, 5)
        assert [(r.incident_id, r.action) for r in due] == [
            ("i1", OutboxAction.POST),
            ("i2", OutboxAction.UNKNOWN),
        ]
        with pytest.raises(ValueError, match="no action"):
            await store.commit_cycle(
                CycleCommit("sales", outbox=(replace(row("i3"), action=OutboxAction.UNKNOWN),))
            )
