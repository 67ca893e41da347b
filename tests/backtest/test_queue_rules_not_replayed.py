"""A queue rule reads Wolkvox's skills snapshot of a moment, which call history does not
keep: `callbot backtest`, `callbot test-rules` and `/calls backtest` say it cannot be
replayed instead of pretending it stayed quiet (issue 15)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.backtest.slack_reply import backtest_reply
from bot.cli import main
from bot.services import command_types as ct
from bot.services.state import RuntimeState
from bot.settings import parse_settings
from tests.support.config import config_text, operation, rule
from tests.support.frontend_world import T0

CONFIG = config_text(
    channel="C0123456789",
    operations=[operation(token="x", poll_every="5m")],
    rules=[
        rule(match={"result": ["abandon"]}, warning=20),
        rule("queue-waiting", kind="queue", match=None, metric="waiting", warning=5),
    ],
)
SCENARIO = ["--scenario", "abandon_surge", "--from", "2026-11-23 09:00", "--to", "2026-11-23 11:00"]


async def test_the_cli_backtest_says_queue_rules_are_not_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "callbot.yml"
    config.write_text(CONFIG, encoding="utf-8")
    code = await asyncio.to_thread(main, ["backtest", "--config", str(config), *SCENARIO])
    out = capsys.readouterr().out
    assert code == 0
    assert "Not replayed: queue-waiting. Queue rules read Wolkvox's skills snapshot" in out
    assert "cannot be replayed" in out
    assert "queue-waiting: none" not in out, "a rule not replayed is not reported as quiet"
    assert "abandons: 1 incident" in out
    code = await asyncio.to_thread(
        main, ["backtest", "--config", str(config), "--format", "json", *SCENARIO]
    )
    data = json.loads(capsys.readouterr().out)
    assert data["not_replayed"] == ["queue-waiting"]
    assert [r["rule"] for r in data["rules"]] == ["wolkvox-unavailable", "abandons"]


RULE_TESTS = """\
operations:
  - name: lima
    timezone: America/Lima
    poll_every: 1m
defaults: false
rules:
  - {name: queue-waiting, kind: queue, metric: waiting, warning: 5}
tests:
  - name: callers wait
    traffic:
      inbound/answer: 10x20
    expect:
      - at: 15m
        alerts:
          - {rule: queue-waiting}
"""


async def test_test_rules_fails_a_test_that_expects_a_queue_rule_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "queue.yml"
    path.write_text(RULE_TESTS, encoding="utf-8")
    assert await asyncio.to_thread(main, ["test-rules", str(path)]) == 1
    out = capsys.readouterr().out
    assert "note: not replayed: queue-waiting." in out
    assert "FAIL  callers wait" in out
    assert "queue-waiting: Queue rules read Wolkvox's skills snapshot" in out


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "*queue-waiting* is a queue rule: it reads Wolkvox's skills snapshot"),
        ("es", "*queue-waiting* es una regla de colas"),
    ],
)
async def test_slash_backtest_of_a_queue_rule_says_it_cannot_be_replayed(
    lang: str, words: str
) -> None:
    settings = parse_settings(CONFIG, source="t.yml", env={})
    state = RuntimeState.from_settings(settings)
    command = ct.Backtest("queue-waiting", window=timedelta(days=1))
    reply = await backtest_reply(state, command, now=T0, lang=lang)
    assert words in reply.text or any(words in str(b) for b in reply.blocks), reply
    assert "would have fired" not in str(reply.blocks)
