"""Control actions on any replica: an Acknowledge click or `/calls silence` handled by a
replica that does not poll the operation reaches the one that does (the single writer of
its alerts), which stores it and edits the living message once; the person is told the
truth (done, or passed on and not yet done)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.slack.blocks import ACK_ACTION
from bot.config.model import Settings
from bot.services.ports.store import StoreBusyError
from tests.replicas.harness import ADMIN, WAIT_S, Replica, start_replica
from tests.services.fakes import FakeChat
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES, mix, text_of

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 10:00 in Bogota


class Bot:
    """Two replicas of one bot: `leader` polls bogota, `other` follows it; one Slack."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.settings: Settings = make_settings(
            operations=[operation("bogota", poll_every="5m")], rules=RULES
        )
        self.clock = ManualClock(T0)
        self.chat = FakeChat()
        self.replicas: list[Replica] = []

    async def start(self, name: str, *, holds: set[str]) -> Replica:
        replica = await start_replica(
            name, self.settings, url=self.url, clock=self.clock, holds=holds, chat=self.chat
        )
        self.replicas.append(replica)
        return replica

    async def firing(self, leader: Replica, other: Replica) -> str:
        """An incident fired on the leader, posted, and known to the other replica."""
        await leader.poll(mix(self.clock.now(), abandons=8))
        await other.refreshed_after("bogota")
        await leader.delivered()
        [alert] = [a for a in other.runtime.state.alerts if a.firing and a.rule == "abandons"]
        assert alert.incident_id is not None and alert.posted
        return alert.incident_id

    def thread(self, incident_id: str) -> list[str]:
        [message] = [m for m in self.chat.top_level() if m.incident_id == incident_id]
        return [m.text for m in self.chat.messages if m.thread_ts == message.ts]

    def message(self, incident_id: str) -> tuple[str, int]:
        """The living message's text now, and how many times it was edited."""
        [message] = [m for m in self.chat.top_level() if m.incident_id == incident_id]
        return message.text, len(message.edits)


async def test_an_ack_on_another_replica_reaches_the_holder_and_edits_the_message_once(
    bot: Bot,
) -> None:
    leader = await bot.start("a", holds={"bogota"})
    other = await bot.start("b", holds=set())
    incident = await bot.firing(leader, other)
    edits_before = bot.message(incident)[1]

    reply = await other.click(ACK_ACTION, incident)

    assert reply is not None and "acknowledged *abandons*" in text_of(reply)
    assert leader.runtime.state.alerts.get("abandons", "bogota").acked_by == ADMIN
    await leader.delivered()
    await other.refreshed_after("bogota")
    assert other.runtime.state.alerts.get("abandons", "bogota").acked_by == ADMIN
    acked = [text for text in bot.thread(incident) if "acknowledged" in text]
    assert len(acked) == 1
    assert bot.message(incident)[1] == edits_before + 1

    again = await other.click(ACK_ACTION, incident)  # a double click changes nothing more
    assert again is not None and "already acknowledged" in text_of(again)
    await leader.delivered()
    assert len([text for text in bot.thread(incident) if "acknowledged" in text]) == 1
    assert other.source.calls == []  # nothing asked of Wolkvox on the way


async def test_a_silence_on_another_replica_holds_the_holders_alerts_and_shows_on_the_message(
    bot: Bot,
) -> None:
    leader = await bot.start("a", holds={"bogota"})
    other = await bot.start("b", holds=set())
    incident = await bot.firing(leader, other)

    reply = await other.ask("silence abandons bogota 1h lunch")

    assert "silenced *abandons*" in text_of(reply)
    assert await leader.answered_one() == "silenced"
    assert leader.runtime.state.alerts.get("abandons", "bogota").silenced
    [silence] = leader.runtime.state.silences.active(bot.clock.now())
    assert (silence.rule, silence.created_by) == ("abandons", ADMIN)
    await leader.delivered()
    notes = [text for text in bot.thread(incident) if "silenced" in text]
    assert len(notes) == 1  # in the incident's thread, once
    assert [m.incident_id for m in bot.chat.top_level()] == [incident]  # no channel note too

    # The holder's next poll steps the alert with the silence: held, nothing more said.
    heard = len(bot.chat.messages)
    bot.clock.advance(timedelta(minutes=5))
    await leader.poll(mix(bot.clock.now(), abandons=12))
    await leader.delivered()
    assert leader.runtime.state.alerts.get("abandons", "bogota").silenced
    assert len(bot.chat.messages) == heard


async def test_an_ack_nobody_answers_is_queued_and_done_by_the_next_holder(bot: Bot) -> None:
    leader = await bot.start("a", holds={"bogota"})
    other = await bot.start("b", holds=set())
    incident = await bot.firing(leader, other)
    await leader.runtime.stop()  # the holder is gone: nobody carries the request out yet
    bot.replicas.remove(leader)

    reply = await other.click(ACK_ACTION, incident)

    assert reply is not None and "was passed to the replica that polls it" in text_of(reply)
    successor = await bot.start("c", holds={"bogota"})
    assert await successor.answered_one() == "acknowledged"
    assert successor.runtime.state.alerts.get("abandons", "bogota").acked_by == ADMIN


async def test_a_silence_that_runs_out_is_recorded_once_and_told_once(bot: Bot) -> None:
    leader = await bot.start("a", holds={"bogota"})
    other = await bot.start("b", holds=set())
    incident = await bot.firing(leader, other)
    await other.ask("silence abandons bogota 30m")
    assert await leader.answered_one() == "silenced"
    await leader.delivered()
    told = len(bot.thread(incident))

    bot.clock.advance(timedelta(minutes=31))
    for replica in (other, leader, other, leader):  # each replica's housekeeping, twice
        await replica.runtime.controls.expire_silences()
    await leader.delivered()

    page = await other.store.history(since=T0)
    assert [a.kind.value for a in page.actions] == ["expiry", "silence"]
    assert len(bot.thread(incident)) == told + 1  # one note: heard again
    assert not leader.runtime.state.alerts.get("abandons", "bogota").silenced


async def test_a_holder_that_crashes_before_answering_never_has_a_silence_carried_out_twice(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader = await bot.start("a", holds={"bogota"})
    other = await bot.start("b", holds=set())
    incident = await bot.firing(leader, other)

    async def crash(request_id: int, outcome: str) -> None:
        raise StoreBusyError("the holder died before it answered")

    monkeypatch.setattr(leader.store.requests, "answer", crash)
    await other.ask("silence abandons bogota 1h lunch")
    for _ in range(int(WAIT_S / 0.02)):  # the holder carries it out, then "dies"
        if leader.runtime.state.alerts.get("abandons", "bogota").silenced:
            break
        await asyncio.sleep(0.02)
    await leader.delivered()
    notes = [text for text in bot.thread(incident) if "silenced" in text]
    assert len(notes) == 1
    await leader.runtime.stop()
    bot.replicas.remove(leader)

    successor = await bot.start("c", holds=set())
    successor.runtime.follower.holds = {"bogota"}.__contains__  # it takes the lease now
    assert successor.runtime.desk is not None
    assert await successor.runtime.desk.serve() == 0  # answered with the silence's effect
    await successor.delivered()
    assert [text for text in bot.thread(incident) if "silenced" in text] == notes
    assert successor.runtime.state.alerts.get("abandons", "bogota").silenced
