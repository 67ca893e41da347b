"""Remembered conn_ids move from a row each to groups (issue 11): a store written by an older
callbot, SQLite or PostgreSQL, opens with every conn_id it remembered, and forgets them as
before."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from bot.adapters.store import postgres_schema, sqlite_schema
from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.sqlite import SQLiteStore
from bot.services.ports.store import CycleCommit, LogDelta, RememberedCall, Store

T0 = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
ODD_IDS = ("plain", 'quote " and \\ backslash', "ñandú 📞", "tab\there", "")


def micros(minutes: int) -> int:
    return int((T0 + timedelta(minutes=minutes)).timestamp()) * 1_000_000


def old_rows() -> list[tuple[str, str, int, str, str]]:
    """conn_id rows as an older callbot wrote them: two operations, shared and odd values."""
    rows = [("sales", f"c-{i}", micros(i % 3), "inbound", "answer") for i in range(7)]
    rows += [("sales", conn_id, micros(1), "out_pre", "no answer") for conn_id in ODD_IDS]
    rows += [("support", "c-1", micros(2), "inbound", "abandon")]
    return rows


def expected() -> dict[str, dict[str, RememberedCall]]:
    found: dict[str, dict[str, RememberedCall]] = {}
    for op, conn_id, at, call_type, result in old_rows():
        when = datetime.fromtimestamp(at / 1_000_000, tz=UTC)
        found.setdefault(op, {})[conn_id] = RememberedCall(when, call_type, result)
    return found


async def remembered(store: Store) -> dict[str, dict[str, RememberedCall]]:
    logs = (await store.load(T0)).logs
    return {op: dict(log.conn_ids) for op, log in logs.items()}


async def check_upgraded(store: Store) -> None:
    assert await remembered(store) == expected()
    cutoff = T0 + timedelta(minutes=1)
    await store.commit_cycle(
        CycleCommit(
            "sales",
            log=LogDelta(
                conn_ids={"c-1": RememberedCall(T0 + timedelta(minutes=2), "inbound", "abandon")},
                forget_conn_ids_before=cutoff,
            ),
        )
    )
    sales = {c: call for c, call in expected()["sales"].items() if call.at >= cutoff}
    sales["c-1"] = RememberedCall(T0 + timedelta(minutes=2), "inbound", "abandon")
    assert (await remembered(store))["sales"] == sales


async def test_an_older_sqlite_store_keeps_its_conn_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
    for version in (1, 2, 3, 4):
        for statement in sqlite_schema.NUMBERED[version]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    conn.executemany("INSERT INTO conn_ids VALUES (?, ?, ?, ?, ?)", old_rows())
    conn.close()
    async with SQLiteStore(path=path) as store:
        await check_upgraded(store)
    conn = sqlite3.connect(path)
    assert sqlite_schema.schema_version(conn) == sqlite_schema.LATEST
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "conn_ids" not in tables


async def test_an_older_postgres_schema_keeps_its_conn_ids(pg_url: str) -> None:
    groups = next(
        number
        for number, statements in postgres_schema.NUMBERED.items()
        if any("CREATE TABLE conn_id_groups" in statement for statement in statements)
    )
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        for version in sorted(n for n in postgres_schema.NUMBERED if n != groups):
            for statement in postgres_schema.NUMBERED[version]:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO conn_ids VALUES (%s, %s, %s, %s, %s)", old_rows())
    async with PostgresStore(url=pg_url) as store:
        await check_upgraded(store)
    with psycopg.connect(pg_url) as conn:
        found = conn.execute("SELECT to_regclass('conn_ids') IS NULL").fetchone()
    assert found == (True,)
