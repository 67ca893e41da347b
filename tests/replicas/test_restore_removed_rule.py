"""Two replicas starting at the same instant on one PostgreSQL store whose firing, posted
incident belongs to a rule no longer configured: both load the alert as firing before
either holds a lease, both close it, and the store takes one close (one final edit, one
thread note); the other is told it was already closed."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.store.postgres import PostgresStore
from bot.domain.alerts import Alert, AlertState
from bot.domain.specs import Severity
from bot.services.ports.store import ActionCommit, MessageRef, OutboxAction
from bot.services.restore import restore_state
from bot.services.state import RuntimeState
from tests.services.fakes import FakeSource, TextPresenter
from tests.support.config import make_settings, operation, rule

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
INCIDENT = "abandons:bogota:1"
FIRING = Alert(
    rule="abandons",
    operation="bogota",
    state=AlertState.FIRING,
    severity=Severity.WARNING,
    incident_id=INCIDENT,
    fired_at=T0,
    posted=True,
)
WITHOUT_THE_RULE = make_settings(
    operations=[operation("bogota")], rules=[rule("abandoned-inbound", window="10m", warning=3)]
)


class Together:
    """A replica's store whose `load` and `commit_action` each wait for the other
    replica's: both restore the alert while it still fires, then both commit at once."""

    def __init__(self, store: PostgresStore, loaded: asyncio.Barrier, commit: asyncio.Barrier):
        self._store = store
        self._loaded = loaded
        self._commit = commit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def load(self, now: datetime, **scope: Any) -> Any:
        stored = await self._store.load(now, **scope)
        await self._loaded.wait()
        return stored

    async def commit_action(self, commit: ActionCommit) -> list[int] | None:
        await self._commit.wait()
        return await self._store.commit_action(commit)


async def test_two_replicas_starting_together_close_a_removed_rules_incident_once(
    pg_stores: list[PostgresStore], caplog: pytest.LogCaptureFixture
) -> None:
    seed, a, b = pg_stores
    await seed.commit_action(ActionCommit(alerts=(FIRING,)))
    await seed.put_message_ref(MessageRef(INCIDENT, "C-ops", "1700000000.000100"))
    loaded, commit = asyncio.Barrier(2), asyncio.Barrier(2)
    now = T0 + timedelta(minutes=30)
    caplog.set_level(logging.INFO, logger="callbot.restore")

    await asyncio.gather(
        *(
            restore_state(
                RuntimeState.from_settings(WITHOUT_THE_RULE),
                store=Together(store, loaded, commit),  # type: ignore[arg-type]
                source=FakeSource(),
                now=now,
                presenter=TextPresenter(),
            )
            for store in (a, b)
        )
    )

    rows = [r for r in await seed.due_outbox(now, 10) if r.incident_id == INCIDENT]
    assert sorted(r.action for r in rows) == [OutboxAction.THREAD, OutboxAction.UPDATE]
    assert not (await seed.load(now)).alerts[("bogota", "abandons")].firing
    outcomes = sorted(
        r.getMessage().rsplit("outcome=", 1)[1]
        for r in caplog.records
        if r.getMessage().startswith("event=rule_removed")
    )
    assert outcomes == ["already_closed", "closed"]
