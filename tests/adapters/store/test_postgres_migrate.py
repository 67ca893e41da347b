"""`callbot migrate --from sqlite:PATH --to postgresql://...`: every alert, message
reference, silence, acknowledgement, history bucket, budget counter, poll state, digest,
incident and action record and outbox row is copied, so the contract's reads on PostgreSQL
answer what they answered on SQLite; nothing is copied over existing data."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.postgres_import import MigrateError, migrate_sqlite_to_postgres
from bot.adapters.store.sqlite import SQLiteStore
from bot.cli import main
from bot.domain.digests import Digest
from bot.services.ports.store import ActionCommit, CycleCommit, MessageRef, Store
from tests.adapters.store.test_context_snapshots import agents, queues
from tests.adapters.store.test_store_contract import (
    FULL_CYCLE,
    T0,
    action,
    alert,
    draft,
    incident,
    minute,
    silence,
)

FAR = T0 + timedelta(days=3650)
ROOT = Path(__file__).resolve().parents[3]


async def fill(store: Store) -> None:
    """A deployment's worth of state: acknowledged alert, deferred and waiting outbox rows,
    a delivered one (its message ref), a silence, a storm digest, the record and the
    latest queue and agent snapshots."""
    [first] = await store.commit_cycle(FULL_CYCLE)
    await store.complete(first, message=MessageRef("sales/abandon/1", "C1", "1714999999.000100"))
    storm = Digest("digest:C1:20240506T140000", "C1", T0, ("a:sales:1", "b:sales:1"))
    await store.commit_cycle(
        CycleCommit(
            "lima",
            alerts=(alert("trunk", "lima", acked_by="U9", acked_at=minute(3)),),
            outbox=(draft("C2", "lima/trunk/1"), draft("C2", "lima/trunk/1", action="update")),
            digests={storm.id: storm},
            incidents=(incident(1, op="lima", end=9), incident(2, op="lima")),
        )
    )
    [waiting, _] = [row.id for row in await store.due_outbox(FAR, 10)]
    await store.defer(waiting, not_before=minute(30), error="rate_limited")
    await store.commit_action(
        ActionCommit(silences=(silence("s1", 60),), actions=(action(1), action(2, op=None)))
    )
    await store.put_context("sales", queues(T0))
    await store.put_context("sales", agents(T0))


async def answers(store: Store) -> tuple[object, ...]:
    """What every contract read says."""
    return (
        await store.load(T0),
        await store.due_outbox(FAR, 100),
        await store.due_outbox(minute(1), 100),
        await store.outbox_depth(),
        await store.history(since=minute(-60)),
        await store.budget_used("sales", "2024-05-06"),
        await store.message_ref("sales/abandon/1"),
        await store.load_context(),
    )


async def test_the_contract_reads_answer_the_same_after_the_copy(
    tmp_path: Path, pg_url: str
) -> None:
    source = tmp_path / "callbot.sqlite3"
    async with SQLiteStore(path=source) as sqlite_store:
        await fill(sqlite_store)
        [*_, last] = await sqlite_store.due_outbox(FAR, 100)
        await sqlite_store.complete(last.id, message=None)
        before = await answers(sqlite_store)

    counts = await migrate_sqlite_to_postgres(source, pg_url)

    assert counts["outbox"] == 1 and counts["alerts"] == 3 and counts["actions"] == 2
    async with PostgresStore(url=pg_url) as postgres:
        assert await answers(postgres) == before
        [new] = await postgres.commit_cycle(CycleCommit("sales", outbox=(draft("C3", "x"),)))
    assert new == last.id + 1  # the ids SQLite gave out, delivered ones too, are not reused


async def test_nothing_is_copied_over_existing_data(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "callbot.sqlite3"
    async with SQLiteStore(path=source) as sqlite_store:
        await fill(sqlite_store)
    async with PostgresStore(url=pg_url) as postgres:
        await postgres.put_message_ref(MessageRef("other", "C9", "9.0"))

    with pytest.raises(MigrateError, match="already holds callbot data"):
        await migrate_sqlite_to_postgres(source, pg_url)

    async with PostgresStore(url=pg_url) as postgres:
        state = await postgres.load(T0)
        assert list(state.message_refs) == ["other"] and state.alerts == {}


async def test_the_command_copies_and_says_how_much(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "callbot.sqlite3"
    async with SQLiteStore(path=source) as sqlite_store:
        await fill(sqlite_store)

    command = [sys.executable, "-m", "bot", "migrate", "--from", f"sqlite:{source}", "--to", pg_url]
    result = await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert f"copied {source} into postgresql://postgres@127.0.0.1:5432/test" in result.stdout
    assert "alerts 3, silences 1, message_refs 1, " in result.stdout
    assert "outbox 2, digests 1, incidents 2, actions 2" in result.stdout


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--from", "callbot.sqlite3", "--to", "postgresql://127.0.0.1/x"], "sqlite:PATH"),
        (["--from", "sqlite:a.db", "--to", "mysql://u:pw@127.0.0.1/x"], "u:***@"),
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["migrate", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "pw@" not in err


async def test_a_missing_source_fails_and_writes_nothing(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["migrate", "--from", f"sqlite:{tmp_path / 'none.sqlite3'}", "--to", pg_url]
    code = await asyncio.to_thread(main, argv)  # main runs its own event loop
    assert code == 1
    assert "no such SQLite store" in capsys.readouterr().err
