"""A reload that removes the rule of a firing, posted incident, on every replica (they read
one configuration file): the incident's message is closed once, by the replica that polls
its operation, not once per replica."""

from __future__ import annotations

from bot.reload import apply_settings
from tests.replicas.test_actions import Bot
from tests.support.config import make_settings, operation
from tests.support.frontend_world import RULES


async def test_a_removed_rules_incident_is_closed_once_by_the_holder(bot: Bot) -> None:
    leader = await bot.start("a", holds={"bogota"})
    other = await bot.start("b", holds=set())
    incident = await bot.firing(leader, other)
    thread_before = len(bot.thread(incident))
    edits_before = bot.message(incident)[1]
    without = make_settings(
        operations=[operation("bogota", poll_every="5m")],
        rules=[r for r in RULES if r["name"] != "abandons"],
    )

    for replica in (other, leader):
        await apply_settings(replica.runtime, without)
    await leader.delivered()
    await other.delivered()

    assert len(bot.thread(incident)) == thread_before + 1  # one note that the rule is gone
    assert bot.message(incident)[1] == edits_before + 1  # its final state, edited once
    stored = await other.store.load(bot.clock.now())
    assert not stored.alerts[("bogota", "abandons")].firing
