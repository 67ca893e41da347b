"""The PostgreSQL server the benchmarks write to: the test server on 127.0.0.1:5432 (database
`test`, trust authentication; `CALLBOT_TEST_DATABASE_URL` points elsewhere on loopback), one
schema of its own per measurement, dropped after it, as the tests do."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from tests.postgres_server import BASE_URL, with_search_path


@contextmanager
def pg_schema_url(label: str) -> Iterator[str]:
    """A URL whose connections land in a new empty schema (dropped afterwards)."""
    name = f"callbot_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(BASE_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield with_search_path(BASE_URL, name)
    finally:
        with psycopg.connect(BASE_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
