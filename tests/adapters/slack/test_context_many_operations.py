"""`/calls queues` over more operations than one Slack message holds: every operation shown
is whole, and the reply says how many operations it left out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.adapters.slack.blocks_context import ContextReply, render_queues
from bot.adapters.slack.blocks_kit import MAX_BLOCKS
from bot.domain.queues import QueueSnapshot, QueueStat
from bot.services.context import Reading

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def _reply(i: int) -> ContextReply:
    snapshot = QueueSnapshot(at=NOW, queues=(QueueStat(skill_id="1", name=f"Ventas {i}"),))
    return ContextReply(operation=f"op{i:02d}", tz="UTC", now=NOW, queues=Reading(snapshot))


@pytest.mark.parametrize(("language", "more"), [("en", "more"), ("es", "más")])
def test_operations_beyond_the_block_cap_are_counted_not_cut(language: str, more: str) -> None:
    message = render_queues([_reply(i) for i in range(40)], language)
    blocks = message.blocks
    assert len(blocks) <= MAX_BLOCKS
    texts = [str(b) for b in blocks]
    shown = [i for i in range(40) if any(f"op{i:02d}" in t for t in texts)]
    assert shown == list(range(len(shown)))
    for i in shown:  # whole: its queue line came with its title
        assert any(f"op{i:02d}" in t and f"Ventas {i}" in t for t in texts)
    assert more in texts[-1] and str(40 - len(shown)) in texts[-1]


def test_a_few_operations_need_no_note() -> None:
    blocks = render_queues([_reply(i) for i in range(3)], "en").blocks
    assert not any("more" in str(b) for b in blocks)
