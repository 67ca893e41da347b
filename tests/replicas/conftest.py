"""The replicas' shared fixture: a `Bot` of replicas on one PostgreSQL schema, each
replica stopped after the test (the last started first)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.replicas.test_actions import Bot


@pytest.fixture
async def bot(pg_url: str) -> AsyncIterator[Bot]:
    bot = Bot(pg_url)
    yield bot
    for replica in reversed(bot.replicas):
        await replica.runtime.stop()
