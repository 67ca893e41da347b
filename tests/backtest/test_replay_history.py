"""A replay starts from what the bot had kept before it: a rule that learns from weeks of
history (expected) judges the replayed day as the live bot would, instead of staying quiet
for want of history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.backtest.command import Calls, replay_calls
from bot.backtest.sources import history_rows, snapshot_before
from bot.domain.call_log import LogSnapshot
from bot.settings import parse_settings
from tests.support.config import config_text, operation, rule

CONFIG = config_text(
    defaults=True,
    channel="C0BACKTEST",
    operations=[
        operation("steady", server="0001", token="backtest", poll_every="5m", timezone="UTC")
    ],
    history_days=29,
    rules=[
        rule(
            "inbound-expected",
            description="Far fewer inbound calls than usual",
            kind="expected",
            match={"type": ["inbound"]},
            window="15m",
            severity="critical",
        )
    ],
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
END = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""A Wednesday noon: 22 days of 6 inbound calls a minute, then a silent last hour."""


def _minute(at: datetime) -> int:
    return int((at - EPOCH).total_seconds() // 60)


def _snapshot() -> LogSnapshot:
    first = _minute(END - timedelta(days=22))
    quiet = _minute(END - timedelta(hours=1))
    buckets = tuple((m, "inbound", "answer", 6) for m in range(first, quiet))
    return LogSnapshot(buckets=buckets, covered=((first, _minute(END)),))


async def _replay(history: LogSnapshot | None) -> list[str]:
    settings = parse_settings(CONFIG, source="test", env={})
    operation = settings.operations[0]
    snapshot = _snapshot()
    start = END - timedelta(hours=3)
    rows, gaps = history_rows(snapshot_before(snapshot, END), operation.timezone)
    recent = tuple(r for r in rows if r.at >= start - timedelta(minutes=10))
    calls = Calls(recent, gaps=gaps, history=history)
    result = await replay_calls(settings, operation, calls, start=start, end=END)
    return [i.rule for i in result.incidents if i.rule == "inbound-expected"]


async def test_the_silent_hour_is_seen_when_the_replay_starts_from_the_kept_history() -> None:
    assert await _replay(_snapshot()) == ["inbound-expected"]


async def test_without_the_kept_history_the_rule_cannot_judge_and_stays_quiet() -> None:
    assert await _replay(None) == []


def test_the_history_before_a_cut_keeps_only_earlier_minutes_and_coverage() -> None:
    snapshot = LogSnapshot(
        buckets=((10, "inbound", "answer", 2), (20, "inbound", "answer", 3)), covered=((5, 30),)
    )
    cut = EPOCH + timedelta(minutes=15)
    kept = snapshot_before(snapshot, cut)
    assert kept.buckets == ((10, "inbound", "answer", 2),)
    assert kept.covered == ((5, 15),)
