"""`/calls history` (`historial`): what happened, from the record, newest first, escaped,
within Slack's limits (issue 12). The parser is table-driven; the rest runs the real
command service, controls, monitor and memory store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.slack.blocks_history import render_history
from bot.adapters.store.rows import to_micros
from bot.services.command_parser import parse_command
from bot.services.command_types import History, Usage, UsageReason
from bot.services.views.alert import Unit
from bot.services.views.history import HistoryIncident, HistorySilence, HistoryView
from tests.adapters.slack.limits import assert_within_limits
from tests.support.frontend_world import ADMIN, T0, make_world, mix, text_of

OPS = ("bogota", "medellin")
DAY = timedelta(hours=24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("history", History()),
        ("historial", History()),
        ("history abandon-rate", History(rule="abandon-rate")),
        ("history bogota", History(operation="bogota")),
        ("history abandon-rate Bogota 7d", History("abandon-rate", "bogota", timedelta(days=7))),
        ("history 7d abandon-rate", History(rule="abandon-rate", period=timedelta(days=7))),
        ("historial 2h public", History(period=timedelta(hours=2), public=True)),
        ("history abandon-rate cali", History(rule="abandon-rate", operation="cali")),
        ("history 8d", Usage(UsageReason.BAD_PERIOD, "8d", limit="7d")),
        ("history a b c", Usage(UsageReason.UNEXPECTED, "c")),
        ("history 1h 2h", Usage(UsageReason.UNEXPECTED, "2h")),
    ],
)
def test_history_is_parsed_in_any_order(text: str, expected: object) -> None:
    assert parse_command(text, operations=OPS) == expected


async def test_history_lists_incidents_and_silences_newest_first() -> None:
    world = await make_world()
    await world.poll(mix(world.clock.now(), abandons=4))  # abandons fires (warning)
    world.clock.advance(timedelta(minutes=5))
    await world.ask("ack abandons")
    world.clock.advance(timedelta(minutes=5))
    await world.ask("silence abandon-rate 30m bogota <!channel> lunch & <b>")
    world.clock.advance(timedelta(minutes=40))
    await world.service._commands._controls.expire_silences()

    reply = await world.ask("history")
    shown = text_of(reply)
    assert_within_limits_reply(reply)
    lines = [line for line in shown.splitlines() if "abandon" in line]
    silence = next(i for i, line in enumerate(lines) if "silenced by" in line)
    incident = next(i for i, line in enumerate(lines) if "*abandons*" in line)
    assert silence < incident, "newest first: the silence came after the incident began"
    assert "warning since 10:00, still firing" in shown
    assert f"acknowledged by <@{ADMIN}> at 10:05" in shown
    assert f"silenced by <@{ADMIN}> at 10:10 until 10:40" in shown
    assert "&lt;!channel&gt; lunch &amp; &lt;b&gt;" in shown, "the reason is escaped"
    assert "<!channel>" not in shown
    assert "ran out at 10:40" in shown
    assert "1 incident, 1 silence" in shown


async def test_history_filters_by_rule_and_operation_and_names_unknown_ones() -> None:
    world = await make_world(operations=OPS)
    await world.poll(mix(world.clock.now(), abandons=4), "bogota")
    await world.poll(mix(world.clock.now(), abandons=4, tag="m"), "medellin")
    only = text_of(await world.ask("history abandons medellin"))
    assert "medellin" in only and "· bogota" not in only
    assert "I don't know the rule `nope`" in text_of(await world.ask("history nope"))
    assert "I don't know the operation `cali`" in text_of(await world.ask("history abandons cali"))


async def test_historial_speaks_spanish_with_plural_forms() -> None:
    world = await make_world(language="es")
    await world.poll(mix(world.clock.now(), abandons=4))
    shown = text_of(await world.ask("historial 24h"))
    assert "1 incidente, 0 silencios" in shown
    assert "desde las 10:00, sigue activa" in shown


def assert_within_limits_reply(reply: object) -> None:
    from bot.adapters.slack.blocks_kit import Message

    text, blocks = reply.text, reply.blocks  # type: ignore[attr-defined]
    assert_within_limits(Message(text=text, blocks=tuple(blocks)))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_long_history_fits_slack_and_says_how_much_was_left_out(lang: str) -> None:
    entries: list[HistoryIncident | HistorySilence] = []
    for i in range(400):
        at = T0 - timedelta(minutes=i)
        entries.append(
            HistoryIncident(
                rule=f"rule-{i}-" + "x" * 60,
                operation="bogota",
                started_at=at,
                ended_at=at + timedelta(minutes=3),
                severity="critical",
                peak_value=0.25,
                unit=Unit.RATE,
                acked_by="U0123",
                acked_at=at,
            )
        )
        entries.append(
            HistorySilence("r", None, "U1", at + DAY, "why " * 100, started_at=at, ended="expiry")
        )
    view = HistoryView(as_of=T0, period=DAY, entries=tuple(entries), truncated=True)
    payload = assert_within_limits(render_history(view, lang))
    assert len(payload["blocks"]) <= 50
    more = "more" if lang == "en" else "más"
    assert more in str(payload["blocks"][-2]), "…and N more"


def test_an_empty_history_says_so() -> None:
    view = HistoryView(as_of=T0, period=DAY, entries=())
    assert "Nothing happened in the last" in str(render_history(view, "en").blocks)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "2 records could not be read and are left out."),
        ("es", "2 registros no se pudieron leer y se omiten."),
    ],
)
async def test_history_says_how_many_records_it_could_not_read(lang: str, said: str) -> None:
    world = await make_world(language=lang)
    await world.poll(mix(world.clock.now(), abandons=4))
    at = to_micros(world.clock.now(), what="at")
    world.store.tables.incidents["broken"] = ("broken", "abandons", "bogota", at, None, "{")
    world.store.tables.actions.append((at, "abandons", "bogota", '{"kind": "molten"}'))
    shown = text_of(await world.ask("history"))
    assert said in shown
    assert ("1 incident" if lang == "en" else "1 incidente") in shown, "the readable one stays"


@pytest.mark.parametrize(
    ("lang", "said", "nothing"),
    [
        ("en", "1 record could not be read and is left out.", "Nothing happened"),
        ("es", "1 registro no se pudo leer y se omite.", "No pasó nada"),
    ],
)
def test_a_history_of_only_unreadable_records_does_not_say_nothing_happened(
    lang: str, said: str, nothing: str
) -> None:
    view = HistoryView(as_of=T0, period=DAY, entries=(), unreadable=1)
    shown = str(render_history(view, lang).to_payload())
    assert said in shown
    assert nothing not in shown
