"""Every person's action on an alert leaves one audit line: who, what, the scope, the outcome."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.adapters.slack.blocks import ACK_ACTION, SILENCE_1H_ACTION
from bot.logevents import AUDIT_LOGGER, FIELDS_ATTR
from bot.services.authorization import AllowList
from tests.support.frontend_world import ADMIN, T0, World, make_world, mix

Trail = list[dict[str, object]]


@pytest.fixture
def trail(caplog: pytest.LogCaptureFixture) -> Iterator[Trail]:
    """The audit fields logged so far (a live view: read it after acting)."""
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    lines: Trail = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(dict(getattr(record, FIELDS_ATTR)))

    handler = Collect()
    logging.getLogger(AUDIT_LOGGER).addHandler(handler)
    yield lines
    logging.getLogger(AUDIT_LOGGER).removeHandler(handler)


async def test_commands_write_one_line_per_action_with_its_outcome(trail: Trail) -> None:
    world = await make_world()
    await world.poll(mix(world.clock.now()))

    await world.ask("silence abandons 2h call me at 3001234567", user="U0ANA")
    await world.ask("unsilence abandons", user="U0BEA")
    await world.ask("unsilence abandons", user="U0BEA")
    await world.ask("ack abandons bogota", user="U0ANA")
    await world.ask("last10")  # reading changes nothing: no audit line

    assert [
        (a["action"], a["actor"], a["outcome"], a["rule"], a.get("operation")) for a in trail
    ] == [
        ("silence", "U0ANA", "silenced", "abandons", None),
        ("unsilence", "U0BEA", "unsilenced", "abandons", None),
        ("unsilence", "U0BEA", "not_silenced", "abandons", None),
        ("ack", "U0ANA", "acknowledged", "abandons", "bogota"),
    ]
    assert trail[0]["until"] == (T0 + timedelta(hours=2)).isoformat()
    assert {a["event"] for a in trail} == {"audit"} and {a["via"] for a in trail} == {"command"}
    assert not [a for a in trail if "3001234567" in str(a)], "free text stays out of the trail"


async def test_buttons_and_refusals_are_audited_too(trail: Trail) -> None:
    world: World = await make_world(authorizer=AllowList({ADMIN}))
    await world.poll(mix(world.clock.now()))
    incident = world.state.alerts.get("abandons", "bogota").incident_id or ""

    await world.click(SILENCE_1H_ACTION, incident, user="U0STRANGER")
    await world.ask("ack abandons", user="U0STRANGER")
    await world.click(ACK_ACTION, incident, user=ADMIN)

    assert [(a["action"], a["actor"], a["outcome"], a["via"]) for a in trail] == [
        ("silence", "U0STRANGER", "refused", "button"),
        ("ack", "U0STRANGER", "refused", "command"),
        ("ack", ADMIN, "acknowledged", "button"),
    ]
    assert trail[0]["operation"] == "bogota" and trail[2]["rule"] == "abandons"


async def test_a_backtest_is_audited_without_the_values_typed(trail: Trail) -> None:
    world = await make_world()
    await world.poll(mix(world.clock.now()))

    await world.ask("backtest abandons bogota 24h warning=7% critical=12%", user="U0ANA")

    [line] = trail
    assert (line["action"], line["actor"], line["rule"], line["operation"]) == (
        "backtest",
        "U0ANA",
        "abandons",
        "bogota",
    )
    assert line["window_s"] == 24 * 3600 and line["candidates"] == 2
    assert "7%" not in str(line) and "12%" not in str(line)
