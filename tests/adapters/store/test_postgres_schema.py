"""The PostgreSQL schema is created and migrated at start, versioned, and a replica refuses
a schema newer than its code; the database's password never shows in what it says."""

from __future__ import annotations

import asyncio
import socket

import psycopg
import pytest
from psycopg import sql

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.postgres_schema import LATEST, MIGRATIONS, NUMBERED
from bot.services.ports.store import MessageRef, StoreOpenError
from tests.postgres_server import with_search_path


def versions(server: str, schema: str) -> list[int]:
    with psycopg.connect(server) as conn:
        query = sql.SQL("SELECT version FROM {}.schema_version ORDER BY version")
        return [row[0] for row in conn.execute(query.format(sql.Identifier(schema)))]


async def test_a_new_database_is_migrated_once_and_reopening_changes_nothing(
    pg_server: str, pg_schema: str, pg_url: str
) -> None:
    async with PostgresStore(url=pg_url) as store:
        await store.put_message_ref(MessageRef("i1", "C1", "1.0"))
    async with PostgresStore(url=pg_url) as store:
        assert await store.message_ref("i1") == MessageRef("i1", "C1", "1.0")

    assert versions(pg_server, pg_schema) == sorted(NUMBERED)
    assert max(NUMBERED) == LATEST
    assert list(NUMBERED)[: len(MIGRATIONS)] == list(range(1, len(MIGRATIONS) + 1))


async def test_replicas_starting_together_migrate_the_schema_once(
    pg_server: str, pg_schema: str, pg_url: str
) -> None:
    stores = [PostgresStore(url=pg_url) for _ in range(4)]
    await asyncio.gather(*(store.open() for store in stores))
    await asyncio.gather(*(store.close() for store in stores))

    assert versions(pg_server, pg_schema) == sorted(NUMBERED)


async def test_a_replica_refuses_a_schema_newer_than_its_code(
    pg_server: str, pg_schema: str, pg_url: str
) -> None:
    async with PostgresStore(url=pg_url):
        pass
    with psycopg.connect(pg_server) as conn:
        table = sql.Identifier(pg_schema, "schema_version")
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(table), (LATEST + 1,))

    with pytest.raises(StoreOpenError) as caught:
        await PostgresStore(url=pg_url).open()

    message = str(caught.value)
    assert f"schema version {LATEST + 1}, newer than this callbot knows ({LATEST})" in message
    assert "upgrade callbot on every replica" in message


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_database_is_named_without_its_password() -> None:
    url = f"postgresql://callbot:pg-5ecret@127.0.0.1:{closed_port()}/callbot"
    store = PostgresStore(url=url, open_timeout=1.0)

    with pytest.raises(StoreOpenError) as caught:
        await store.open()

    message = str(caught.value)
    assert "cannot open the store postgresql://callbot:***@127.0.0.1:" in message
    assert "pg-5ecret" not in message + repr(store)


def test_a_test_url_lands_in_its_schema() -> None:
    url = with_search_path("postgresql://postgres@127.0.0.1:5432/test", "s1")
    assert url.endswith("?options=-csearch_path%3Ds1")
