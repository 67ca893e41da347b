"""Alert storms through the real poll cycle: many rules firing at once in one channel
become one digest message that follows its incidents to the end; below the threshold
nothing changes. Fake Wolkvox answers in, a fake chat out, the real call log, rules,
state machine, memory store, outbox and drainer in between."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.store.memory import MemoryStore, MemoryTables
from bot.domain.calls import CallRecord
from bot.services.ports import RenderedMessage
from bot.services.restore import restore_state
from bot.services.views.alert import AlertMessageView, DigestView
from bot.settings import parse_settings
from tests.support.config import config_text, rule
from tests.support.config import operation as operation_entry
from tests.support.world import assembled

from .fakes import Batch, FakeChat, FakeSource, Message, TextPresenter

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota
MENTION = "<!subteam^S0123>"


@dataclass(frozen=True)
class Rule:
    name: str
    window: int = 10
    warning: int = 3
    operations: tuple[str, ...] = ("bogota",)
    mention: bool = False
    ping: str = MENTION


def storm_rules(count: int) -> list[Rule]:
    """Rules that fire together on one burst of abandons and resolve one by one,
    as the burst leaves their windows (2, 3, 4... minutes); the last one pings."""
    return [Rule(f"r{i}", window=i, mention=i == count + 1) for i in range(2, count + 2)]


OPERATIONS = [
    operation_entry("bogota", token="t1"),
    operation_entry("medellin", server="0005", token="t2"),
]


def config(rules: list[Rule], **storm: str | int | None) -> str:
    """Two operations and `rules` (count rules on abandoned inbound calls); `storm` sets
    the storm keys (`storm_threshold`, `storm_window`)."""
    return config_text(
        **storm,
        operations=OPERATIONS,
        rules=[
            rule(
                r.name,
                operations=list(r.operations),
                window=f"{r.window}m",
                warning=r.warning,
                critical=6,
                repeat="30m",
                **{"for": 1},
                **({"mention": r.ping} if r.mention else {}),
            )
            for r in rules
        ],
    )


class StormPresenter(TextPresenter):
    """Renders a digest as one readable line: what is firing, acked, resolved."""

    def digest_message(self, view: DigestView) -> RenderedMessage:
        mentions = "".join(f"{m} " for m in view.mentions)
        members = "; ".join(
            f"{m.state} {m.rule} {m.operation}" + (f" acked by {m.acked_by}" if m.acked_by else "")
            for m in view.members
        )
        ops = ",".join(view.operations)
        text = f"{mentions}digest {view.firing}/{len(view.members)} firing in {ops}: {members}"
        return {"text": text, "blocks": []}

    def digest_note(self, view: AlertMessageView, event: str) -> RenderedMessage:
        mention = f" {view.mention}" if view.mention else ""
        return {"text": f"{event}: {view.rule} {view.operation}{mention}", "blocks": []}


class Bot:
    """The bot as bootstrap assembles it, around fakes."""

    def __init__(self, text: str, tables: MemoryTables, clock: ManualClock, chat: FakeChat) -> None:
        self.settings = parse_settings(text, source="test.yml", env={})
        self.store = MemoryStore(tables=tables)
        self.clock = clock
        self.source = FakeSource()
        self.chat = chat
        runtime = assembled(
            self.settings,
            clock=clock,
            store=self.store,
            source=self.source,
            chat=chat,
            presenter=StormPresenter(),
        )
        self.state = runtime.state
        self.drainer = runtime.drainer
        self.monitor = runtime.monitor
        self.controls = runtime.controls

    async def start(self) -> None:
        await self.store.open()
        await restore_state(self.state, store=self.store, source=self.source, now=self.clock.now())

    def queue(self, operation: str, abandons: int) -> None:
        """A calls_last_10 answer: `abandons` abandoned calls and 20 answered, 30 s ago."""
        now = self.clock.now()
        at = now - timedelta(seconds=30)
        records = [
            CallRecord(
                conn_id=f"{operation}-{now:%H%M%S}-{i}",
                at=at,
                call_type="inbound",
                result="abandon" if i < abandons else "answer",
            )
            for i in range(abandons + 20)
        ]
        self.source.queue(operation, Batch(records=records))

    async def cycle(self, abandons: int = 0, *, operations: tuple[str, ...] = ("bogota",)) -> None:
        for operation in operations:
            self.queue(operation, abandons)
            await self.monitor.poll(operation)
        await self.drainer.drain_once()
        self.clock.advance(timedelta(minutes=1))

    def firing(self) -> list[str]:
        return sorted(a.rule for a in self.state.alerts if a.firing)


@pytest.fixture
def world() -> tuple[MemoryTables, ManualClock, FakeChat]:
    return MemoryTables(), ManualClock(T0), FakeChat()


def only_message(chat: FakeChat) -> Message:
    [message] = chat.top_level()
    return message


async def test_eight_rules_firing_at_once_post_one_digest_that_follows_them_to_the_end(
    world,
) -> None:
    tables, clock, chat = world
    bot = Bot(config(storm_rules(8)), tables, clock, chat)
    await bot.start()
    await bot.cycle()  # a quiet first poll covers the window
    await bot.cycle(abandons=6)

    digest = only_message(chat)
    assert len(bot.firing()) == 8
    assert digest.incident_id.startswith("digest:C0ALERTS1:")
    assert digest.text.startswith(f"{MENTION} digest 8/8 firing in bogota:")
    assert digest.text.count(MENTION) == 1
    assert chat.thread(digest.ts) == []

    while len(bot.firing()) == 8:
        await bot.cycle()
    assert bot.firing() == [f"r{i}" for i in range(3, 10)]
    assert digest.text.startswith("digest 7/8 firing in bogota:")
    assert "resolved r2 bogota" in digest.text
    assert chat.thread(digest.ts) == ["resolved: r2 bogota"]

    for _ in range(12):
        await bot.cycle()
    assert bot.firing() == []
    assert only_message(chat) is digest
    assert digest.text.startswith("digest 0/8 firing in bogota:")
    assert sorted(chat.thread(digest.ts)) == sorted(f"resolved: r{i} bogota" for i in range(2, 10))
    assert await bot.store.outbox_depth() == 0
    assert bot.state.digests.digests == ()
    assert (await bot.store.load(clock.now())).digests == {}


async def test_three_rules_firing_below_the_threshold_post_three_messages(world) -> None:
    tables, clock, chat = world
    bot = Bot(config(storm_rules(3)), tables, clock, chat)
    await bot.start()
    await bot.cycle()
    await bot.cycle(abandons=6)

    texts = sorted(m.text for m in chat.top_level())
    assert texts == sorted(
        [
            "firing critical r2 bogota value=6.0",
            "firing critical r3 bogota value=6.0",
            f"{MENTION} firing critical r4 bogota value=6.0",
        ]
    )
    assert not any(m.incident_id.startswith("digest:") for m in chat.top_level())
    assert bot.state.digests.digests == ()


@pytest.mark.parametrize("threshold", [0, None], ids=["0", "null"])
async def test_a_threshold_of_zero_or_null_posts_every_alert_on_its_own(
    world, threshold: int | None
) -> None:
    tables, clock, chat = world
    bot = Bot(config(storm_rules(8), storm_threshold=threshold), tables, clock, chat)
    await bot.start()
    await bot.cycle()
    await bot.cycle(abandons=6)
    assert len(chat.top_level()) == 8


async def test_a_crash_between_posting_the_digest_and_recording_it_posts_no_second_one(
    world,
) -> None:
    tables, clock, chat = world
    text = config(storm_rules(8))
    bot = Bot(text, tables, clock, chat)
    await bot.start()
    await bot.cycle()
    bot.queue("bogota", abandons=6)
    await bot.monitor.poll("bogota")
    chat.crash_after_post = True
    with pytest.raises(RuntimeError):
        await bot.drainer.drain_once()
    digest = only_message(chat)

    # The process dies here; a new one starts on the same store.
    clock.advance(timedelta(minutes=1))
    again = Bot(text, tables, clock, chat)
    await again.start()
    await again.drainer.drain_once()
    assert only_message(chat) is digest
    assert await again.store.outbox_depth() == 0

    while len(again.firing()) == 8:
        await again.cycle()
    assert only_message(chat) is digest
    assert digest.text.startswith("digest 7/8 firing")
    assert chat.thread(digest.ts) == ["resolved: r2 bogota"]


async def test_acknowledging_one_alert_of_a_digest_edits_it_and_says_so_in_its_thread(
    world,
) -> None:
    tables, clock, chat = world
    bot = Bot(config(storm_rules(8)), tables, clock, chat)
    await bot.start()
    await bot.cycle()
    await bot.cycle(abandons=6)

    await bot.controls.acknowledge(by="U42", rule="r5", operation="bogota")
    await bot.drainer.drain_once()

    digest = only_message(chat)
    assert "firing r5 bogota acked by U42" in digest.text
    assert chat.thread(digest.ts) == ["acknowledged by U42: r5 "]


async def test_an_alert_of_another_operation_joins_a_young_digest_and_pings_in_its_thread(
    world,
) -> None:
    tables, clock, chat = world
    lead = "<@U0LEAD1>"
    rules = [
        *storm_rules(8),
        Rule("m1", operations=("medellin",), mention=True, ping=lead),
        Rule("m2", operations=("medellin",), mention=True),
    ]
    bot = Bot(config(rules), tables, clock, chat)
    await bot.start()
    await bot.cycle(operations=("bogota", "medellin"))
    await bot.cycle(abandons=6)
    await bot.cycle(abandons=6, operations=("medellin",))

    digest = only_message(chat)
    assert digest.text.startswith("digest 10/10 firing in bogota,medellin:")
    assert "firing m1 medellin" in digest.text
    # issue 12: a digest pings each distinct mention once. The on-call group was pinged
    # when the digest was posted (r9), so m2 joins without pinging it again; m1's own
    # mention is new to the digest and pings, once.
    assert chat.thread(digest.ts) == [f"joined: m1 medellin {lead}", "joined: m2 medellin"]


async def test_alerts_spread_over_cycles_count_towards_the_threshold(world) -> None:
    tables, clock, chat = world
    early = [Rule(f"e{i}", warning=3) for i in range(3)]
    late = [Rule(f"l{i}", warning=5) for i in range(4)]
    bot = Bot(config(early + late), tables, clock, chat)
    await bot.start()
    await bot.cycle()
    await bot.cycle(abandons=3)
    assert len(chat.top_level()) == 3

    await bot.cycle(abandons=2)  # 5 in the window: the other four rules fire too
    messages = chat.top_level()
    assert len(messages) == 4
    assert messages[-1].text.startswith("digest 4/4 firing in bogota:")


async def test_after_the_window_alerts_are_posted_one_by_one_again(world) -> None:
    tables, clock, chat = world
    rules = [*storm_rules(8), Rule("m1", operations=("medellin",))]
    bot = Bot(config(rules, storm_window="2m"), tables, clock, chat)
    await bot.start()
    await bot.cycle(operations=("bogota", "medellin"))
    await bot.cycle(abandons=6)
    for _ in range(2):
        await bot.cycle(operations=("medellin",))
    await bot.cycle(abandons=6, operations=("medellin",))

    digest, single = chat.top_level()
    assert "digest 8/8 firing in bogota:" in digest.text and "medellin" not in digest.text
    assert single.text == "firing critical m1 medellin value=6.0"
