"""The real PostgreSQL server the store tests talk to, one schema per test.

The machine's server listens on 127.0.0.1:5432 (trust authentication, database `test`);
`CALLBOT_TEST_DATABASE_URL` points elsewhere on loopback if needed. Each test gets a schema
of its own, named after this run (process id and a random tag) and dropped after the test,
and reaches it through the URL's `search_path`: concurrent runs (other people, other
worktrees) and the tests of one run never see each other's rows.

Without a server the PostgreSQL tests skip, saying why; under CI (`CI=true`) they fail
instead, so a CI run that silently tested no PostgreSQL cannot pass. `.ci/run` starts the
server first.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from bot.adapters.store.postgres import PostgresStore

BASE_URL = os.environ.get("CALLBOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
RUN_TAG = f"callbot_test_{os.getpid()}_{secrets.token_hex(3)}"
"""The prefix of every schema this run creates."""

_numbers = itertools.count(1)


def with_search_path(url: str, schema: str) -> str:
    """`url` whose connections put `schema` first in their search path."""
    glue = "&" if "?" in url else "?"
    return f"{url}{glue}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The server's base URL; skips (or, under CI, fails) when it cannot be reached."""
    try:
        with psycopg.connect(BASE_URL, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        reason = (
            f"PostgreSQL is not reachable at {BASE_URL} ({str(exc).strip()}); start it with "
            "`pg_ctlcluster --skip-systemctl-redirect 15 main start` or run .ci/run"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {reason}", pytrace=False)
        pytest.skip(reason)
    return BASE_URL


@pytest.fixture
def pg_schema(pg_server: str) -> Iterator[str]:
    """A new empty schema for this test (dropped after it, with everything in it)."""
    name = f"{RUN_TAG}_{next(_numbers)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def pg_url(pg_server: str, pg_schema: str) -> str:
    """A URL whose connections land in this test's own schema."""
    return with_search_path(pg_server, pg_schema)


@pytest.fixture
async def pg_stores(pg_url: str) -> AsyncIterator[list[PostgresStore]]:
    """Three stores open on this test's schema, as three replicas' would be (closed after)."""
    stores = [PostgresStore(url=pg_url) for _ in range(3)]
    for store in stores:
        await store.open()
    yield stores
    for store in stores:
        await store.close()
