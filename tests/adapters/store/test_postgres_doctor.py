"""`callbot doctor` with store.url: the database is reached and its schema version read
without changing anything; an unreachable one fails with its fix, its password never shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.postgres_schema import LATEST
from tests.fakes.slack_api import FakeSlackApi
from tests.postgres_server import with_search_path
from tests.runtime.bot_process import free_port
from tests.support.config import operation, write_config
from tests.test_doctor import APP_TOKEN, BOT_TOKEN, doctor, env_for, fix_after, line_of

PASSWORD = "pg-doctor-5ecret"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as api:
        yield api


def config_for(tmp_path: Path, url: str) -> Path:
    return write_config(
        tmp_path / "callbot.yml",
        store={"url": url},
        operations=[operation(token="wv-1", licenses=2)],
    )


def with_password(url: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")


async def test_a_new_database_is_reached_and_left_untouched(
    slack: FakeSlackApi, tmp_path: Path, pg_server: str, pg_schema: str
) -> None:
    url = with_search_path(with_password(pg_server), pg_schema)

    code, text = await doctor(config_for(tmp_path, url), env_for(slack))

    line = line_of(text, "[ok]   store postgresql://postgres:***@127.0.0.1:5432/test")
    assert f"created at start (schema version {LATEST})" in line
    assert PASSWORD not in text
    assert code == 0, text
    with psycopg.connect(pg_server) as conn:
        query = sql.SQL("SELECT count(*) FROM pg_tables WHERE schemaname = {}")
        [(tables,)] = conn.execute(query.format(sql.Literal(pg_schema))).fetchall()
    assert tables == 0


async def test_a_database_the_bot_created_is_current_and_a_newer_one_fails(
    slack: FakeSlackApi, tmp_path: Path, pg_server: str, pg_schema: str, pg_url: str
) -> None:
    async with PostgresStore(url=pg_url):
        pass
    code, text = await doctor(config_for(tmp_path, pg_url), env_for(slack))
    assert f"schema version {LATEST} (current)" in line_of(text, "[ok]   store")
    assert code == 0

    with psycopg.connect(pg_server) as conn:
        table = sql.Identifier(pg_schema, "schema_version")
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(table), (LATEST + 1,))
    code, text = await doctor(config_for(tmp_path, pg_url), env_for(slack))
    assert "newer than this callbot knows" in line_of(text, "[FAIL] store")
    assert "upgrade callbot on every replica" in fix_after(text, "[FAIL] store")
    assert code == 1


async def test_an_unreachable_database_fails_with_its_fix_and_no_password(
    slack: FakeSlackApi, tmp_path: Path
) -> None:
    url = f"postgresql://callbot:{PASSWORD}@127.0.0.1:{free_port()}/callbot"

    code, text = await doctor(config_for(tmp_path, url), env_for(slack))

    line = line_of(text, "[FAIL] store postgresql://callbot:***@127.0.0.1:")
    assert "cannot be reached" in line
    assert "check store.url" in fix_after(text, "[FAIL] store")
    assert PASSWORD not in text
    assert code == 1
