"""The `/calls` frontend over an assembled bot: what a person types, what Slack shows.

`make_world` assembles the bot the way `callbot run` does (`tests.support.world.assembled`,
then `bootstrap.calls_frontend`) with the Slack presenter, over a memory store and a
`FakeSource` whose answers a test queues (`World.poll`); `World.ask` and `World.click`
are a slash command and a button press, and `text_of` is what a person reads in the reply.
`mix` is a poll's worth of calls with every kind of call the replies count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.adapters.clock import ManualClock
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.ports import ActionRequest, CommandRequest, Reply
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.store.memory import MemoryStore
from bot.bootstrap import calls_frontend
from bot.domain.calls import CallRecord
from bot.runtime import Runtime
from bot.services.authorization import AllowAll, Authorizer
from bot.services.monitor import Monitor
from bot.services.ports import SourceError
from bot.services.state import RuntimeState
from tests.services.fakes import Batch, FakeSource
from tests.support.config import make_settings, operation, rule
from tests.support.slack_text import texts
from tests.support.world import T0, assembled

__all__ = ["ADMIN", "PHONE", "RULES", "T0", "World", "call", "make_world", "mix", "text_of"]

RULES = [
    rule(
        description="Inbound calls hung up before an agent answered",
        window="10m",
        warning=3,
        critical=6,
    ),
    rule("abandon-rate", kind="rate", match={"result": ["abandon"]}, among={"type": ["inbound"]},
         warning=0.5),
]  # fmt: skip
ADMIN = "U0ADMIN"
PHONE = "+57 300 123 4567"


def typed(text: str, user: str = "U1") -> CommandRequest:
    """`/calls <text>` as Slack sends it, typed by `user` in channel C0."""
    return CommandRequest(user_id=user, channel_id="C0", team_id="T0", text=text, response_url="")


def call(i: int, at: datetime, call_type: str, result: str, **personal: str) -> CallRecord:
    return CallRecord(f"c{at:%H%M}-{i}", at, call_type, result, **personal)


def mix(now: datetime, *, abandons: int = 4, tag: str = "") -> list[CallRecord]:
    """10 answered + `abandons` abandoned inbound, 5 answered + 3 chanunavail outbound,
    and one result Wolkvox never documented, spread over the last 5 minutes."""
    kinds = (
        [("inbound", "answer")] * 10
        + [("inbound", "abandon")] * abandons
        + [("out_pre", "answer")] * 5
        + [("outbound_ma", "chanunavail")] * 3
        + [("inbound", "transferred to ivr")]
    )
    return [
        call(i, now - timedelta(minutes=1 + i % 5), t, r, telephone=PHONE, customer_id=f"{tag}{i}")
        for i, (t, r) in enumerate(kinds)
    ]


def text_of(reply: Reply) -> str:
    """Everything a person can read in a reply: the fallback and every text in the blocks."""
    return texts(reply.text, reply.blocks)


@dataclass
class World:
    state: RuntimeState
    clock: ManualClock
    source: FakeSource
    monitor: Monitor
    service: CallsFrontend
    store: MemoryStore
    runtime: Runtime

    async def poll(
        self, records: list[CallRecord] | SourceError, operation: str = "bogota"
    ) -> None:
        answer = records if isinstance(records, SourceError) else Batch(records=records)
        self.source.queue(operation, answer)
        await self.monitor.poll(operation)

    async def ask(self, text: str, user: str = ADMIN) -> Reply:
        return await self.service.on_command(typed(text, user))

    async def click(self, action_id: str, value: str, user: str = ADMIN) -> Reply | None:
        return await self.service.on_action(
            ActionRequest(
                user_id=user,
                channel_id="C0ALERTS1",
                message_ts="1.2",
                action_id=action_id,
                value=value,
                response_url="",
            )
        )


async def make_world(
    *,
    operations: tuple[str, ...] = ("bogota",),
    language: str = "en",
    authorizer: Authorizer | None = None,
    mask: bool = True,
) -> World:
    config = make_settings(
        operations=[operation(name, poll_every="5m") for name in operations],
        rules=RULES,
        language=language,
        mask_personal_data=mask,
    )
    clock = ManualClock(T0)
    store = MemoryStore()
    await store.open()
    source = FakeSource()
    presenter = SlackPresenter(language=language, mask_personal_data=mask)
    runtime = assembled(config, clock=clock, store=store, source=source, presenter=presenter)
    service = calls_frontend(runtime, authorizer=authorizer or AllowAll())
    state, monitor = runtime.state, runtime.monitor
    return World(state, clock, source, monitor, service, store, runtime)
