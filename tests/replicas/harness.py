"""Replicas of one bot on one PostgreSQL schema, in one process: each with its own store,
memory, Wolkvox fake and clock view, assembled as `callbot run` assembles them, talking only
through the database (commits, NOTIFY). Events are awaited with generous timeouts, never
slept on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.adapters.clock import ManualClock
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.ports import ActionRequest, CommandRequest, Reply
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.postgres import PostgresStore
from bot.adapters.store.postgres_changes import PostgresChanges
from bot.bootstrap import CycleHooks, assemble, calls_frontend, wire_context
from bot.config.model import Settings
from bot.domain.calls import CallRecord
from bot.runtime import Runtime
from bot.services.authorization import AllowAll
from bot.services.commands import CommandService
from bot.services.context_alerts import AlertContextRefresher
from bot.services.monitor import CycleReport
from tests.services.fakes import Batch, FakeChat, FakeContext, FakeSource

WAIT_S = 10.0
"""How long a test waits for what it expects to happen (it happens in milliseconds)."""
ADMIN = "U0ADMIN"


@dataclass
class Replica:
    name: str
    runtime: Runtime
    store: PostgresStore
    source: FakeSource
    chat: FakeChat
    frontend: CallsFrontend
    refreshed: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    answered: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    """The outcome of each request this replica carried out for another one."""
    contexts: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    """Each operation whose queue and agent snapshots this replica reloaded."""
    context: FakeContext | None = None
    """Wolkvox's `skills` and `agents` as this replica sees them (None: not wired)."""
    refresher: AlertContextRefresher | None = None

    @property
    def commands(self) -> CommandService:
        return self.frontend._commands

    async def poll(self, records: list[CallRecord], operation: str = "bogota") -> CycleReport:
        self.source.queue(operation, Batch(records=records))
        return await self.runtime.monitor.poll(operation)

    async def refreshed_after(self, operation: str = "bogota") -> None:
        """Wait until this replica has reloaded `operation` from the store."""
        while await asyncio.wait_for(self.refreshed.get(), WAIT_S) != operation:
            pass

    async def context_reloaded(self, operation: str = "bogota") -> None:
        """Wait until this replica has reloaded `operation`'s snapshots from the store."""
        while await asyncio.wait_for(self.contexts.get(), WAIT_S) != operation:
            pass

    async def answered_one(self) -> str:
        """Wait until this replica has carried out a request of another one."""
        return await asyncio.wait_for(self.answered.get(), WAIT_S)

    async def delivered(self) -> None:
        """Wait until the shared outbox is empty (every replica's drainer delivers)."""
        for _ in range(int(WAIT_S / 0.02)):
            if await self.store.outbox_depth() == 0:
                return
            self.runtime.drainer.wake()
            await asyncio.sleep(0.02)
        raise AssertionError("the outbox was never drained")

    async def ask(self, text: str, user: str = ADMIN) -> Reply:
        request = CommandRequest(
            user_id=user, channel_id="C0", team_id="T0", text=text, response_url=""
        )
        return await self.frontend.on_command(request)

    async def click(self, action_id: str, value: str, user: str = ADMIN) -> Reply | None:
        request = ActionRequest(
            user_id=user,
            channel_id="C0ALERTS1",
            message_ts="1.2",
            action_id=action_id,
            value=value,
            response_url="",
        )
        return await self.frontend.on_action(request)


async def start_replica(
    name: str,
    settings: Settings,
    *,
    url: str,
    clock: ManualClock,
    holds: set[str] | None,
    chat: FakeChat | None = None,
    context: FakeContext | None = None,
    feed: PostgresChanges | None = None,
) -> Replica:
    """A started replica that polls (holds) the operations in `holds` and follows the rest
    (None: those whose lease it holds, as `callbot run`). Its scheduler never fires on its
    own: the test polls. Replicas of one bot share `chat` (one Slack workspace). With
    `context`, queue and agent context is wired as `callbot run` wires it. `feed`: the
    change feed to listen with instead of the store's (through a proxy a test can cut)."""
    store = PostgresStore(url=url)
    if feed is not None:
        store.changes = feed
    source, chat = FakeSource(), chat if chat is not None else FakeChat()
    presenter = SlackPresenter(language=settings.language.value, mask_personal_data=True)
    hooks = CycleHooks()
    runtime = assemble(
        settings,
        store=store,
        source=source,
        chat=chat,
        presenter=presenter,
        clock=clock,
        first_poll_after=timedelta(hours=1),
        changes=store.changes,
        requests=store.requests,
        on_cycle=hooks,
        context_source=context,
    )
    if holds is not None:
        runtime.follower.holds = holds.__contains__
    wired = refresher = None
    if context is not None:
        wired, refresher = wire_context(
            runtime, presenter, hooks, request_limit=timedelta(seconds=10)
        )
    replica = Replica(
        name,
        runtime,
        store,
        source,
        chat,
        calls_frontend(runtime, authorizer=AllowAll(), context=wired),
        context=context,
        refresher=refresher,
    )
    runtime.follower.on_refresh.append(replica.refreshed.put_nowait)
    runtime.follower.on_context.append(replica.contexts.put_nowait)
    assert runtime.desk is not None
    runtime.desk.on_answer.append(lambda _, outcome: replica.answered.put_nowait(outcome))
    await runtime.start()
    # The feed listens once its first RESYNC was handled (a first reload, then the
    # snapshots of what it follows).
    await asyncio.wait_for(replica.refreshed.get(), WAIT_S)
    for _ in runtime.follower.followed() if context is not None else ():
        await asyncio.wait_for(replica.contexts.get(), WAIT_S)
    return replica


def without_recent(views: list[object]) -> list[object]:
    """Views less the latest calls, which only the poller has (never stored)."""
    return [replace(view, recent=()) if hasattr(view, "recent") else view for view in views]  # type: ignore[type-var]
