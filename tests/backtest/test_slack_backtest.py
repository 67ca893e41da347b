"""`/calls backtest`: the stored history replayed with a rule as configured or with
candidate values, answered in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.text import TIMES
from bot.backtest.slack_reply import ChangeError, apply_changes, render_result, replay_rule
from bot.domain.specs import RuleKind, RuleSpec, Severity
from bot.services import command_types as ct
from bot.services.backtest import Incident, ReplayResult
from bot.services.command_parser import parse_command
from tests.support.frontend_world import T0, World, make_world, mix, text_of, typed


async def _history(world: World) -> None:
    """Half an hour of 5-minute polls: quiet, then 5 abandons a poll for two polls."""
    for i in range(7):
        world.clock.set(T0 + timedelta(minutes=5 * i))
        await world.poll(mix(world.clock.now(), abandons=5 if i in (3, 4) else 0, tag=str(i)))
    world.clock.set(T0 + timedelta(minutes=40))


async def test_the_rule_as_configured_would_have_fired_once() -> None:
    world = await make_world()
    await _history(world)
    text = text_of(await world.ask("backtest abandons 24h"))
    assert "*abandons* (bogota) would have fired once in the last 24 hours:" in text
    # 10:15 in Bogota: the first poll whose 10 minutes hold 5 abandons or more.
    assert "Tue 10:15-10:30 critical, peak 10" in text


async def test_candidate_values_replay_the_same_history() -> None:
    world = await make_world()
    await _history(world)
    text = text_of(await world.ask("backtest abandons bogota 24h warning=20 critical=30"))
    assert "*abandons* (bogota) with warning=20, critical=30 would not have fired" in text


async def test_spanish_and_a_bad_value() -> None:
    world = await make_world(language="es")
    await _history(world)
    text = text_of(await world.ask("backtest abandons 24h"))
    assert "habría disparado una vez en 24 horas de historial" in text
    assert "mar 10:15-10:30" in text
    text = text_of(await world.ask("backtest abandons warning=mucho"))
    assert "`warning=mucho` no es un número" in text


async def test_an_unknown_rule_lists_the_known_ones() -> None:
    world = await make_world()
    text = text_of(await world.ask("backtest nope"))
    assert "nope" in text and "abandons" in text


async def test_a_frontend_not_handed_the_replay_does_not_offer_backtest() -> None:
    world = await make_world()
    await _history(world)
    bare = CallsFrontend(commands=world.service._commands, language="en", mask_personal_data=True)

    reply = await bare.on_command(typed("backtest abandons"))

    assert "I don't know `backtest`." in text_of(reply)
    assert not reply.in_channel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("backtest abandon-rate", ct.Backtest("abandon-rate")),
        (
            "backtest abandon-rate bogota 24h warning=10% for=3 public",
            ct.Backtest(
                "abandon-rate",
                "bogota",
                timedelta(hours=24),
                (("warning", "10%"), ("for", "3")),
                public=True,
            ),
        ),
        ("simular abandon-rate 7d", ct.Backtest("abandon-rate", window=timedelta(days=7))),
        (
            "backtest",
            ct.Usage(ct.UsageReason.MISSING_RULE, example="/calls backtest abandon-rate 7d"),
        ),
        ("backtest abandon-rate 90d", ct.Usage(ct.UsageReason.BAD_WINDOW, "90d", limit="35d")),
        ("backtest abandon-rate bogota lima", ct.Usage(ct.UsageReason.UNEXPECTED, "lima")),
    ],
)
def test_parse(text: str, expected: object) -> None:
    assert parse_command(text) == expected


async def test_days_before_the_history_begins_are_not_replayed_as_silence() -> None:
    world = await make_world()
    await _history(world)
    op = world.state.operation("bogota")
    spec = op.rule("abandons")
    assert spec is not None
    result = await replay_rule(
        world.state, op, spec, now=world.clock.now(), window=timedelta(days=7)
    )
    # The log covers 09:50-10:30: polls run from 10:00 (a full window kept) to 10:40.
    assert result.polls == 9
    assert result.start == T0


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "/calls backtest &lt;rule&gt;"), ("es", "/calls simular &lt;regla&gt;")],
)
async def test_help_names_backtest(language: str, words: str) -> None:
    world = await make_world(language=language)
    text = text_of(await world.ask("help"))
    assert words in text


_AT = T0 + timedelta(minutes=15)


@pytest.mark.parametrize(
    ("kind", "peak", "language", "shown"),
    [
        (RuleKind.BUDGET, 2.71828, "en", f"peak {TIMES}2.7"),
        (RuleKind.BUDGET, 2.71828, "es", f"pico {TIMES}2,7"),
        (RuleKind.SPIKE, 3.24, "es", f"pico {TIMES}3,2"),
        (RuleKind.EXPECTED, 4.0, "en", "peak 4"),
        (RuleKind.RATE, 0.224, "es", "pico 22,4"),
    ],
)
def test_the_peak_reads_in_the_rules_unit_and_the_readers_language(
    kind: RuleKind, peak: float, language: str, shown: str
) -> None:
    """A budget's peak is a burn rate (x2.7), as its live message shows it, not 2.71828."""
    spec = RuleSpec(name="r", kind=kind)
    incident = Incident(
        rule="r",
        operation="bogota",
        incident_id="i",
        fired_at=_AT,
        resolved_at=_AT + timedelta(minutes=10),
        severity=Severity.WARNING,
        peak=peak,
        kind=kind.value,
    )
    result = ReplayResult("bogota", T0, _AT, 9, 0, (spec,), (incident,))
    text = render_result(result, spec, ct.Backtest("r"), lang=language, tz="America/Bogota")
    assert shown in text


async def test_a_value_the_rule_does_not_read_is_refused_not_ignored() -> None:
    """`factor` means nothing to a count rule: the reply says so instead of a replay
    that claims to have used it."""
    world = await make_world()
    await _history(world)
    text = text_of(await world.ask("backtest abandons factor=2"))
    assert "`factor` is not one of warning, critical, recover, min_calls, for, window" in text
    assert "would have fired" not in text


@pytest.mark.parametrize(
    ("kind", "key", "takes"),
    [
        (RuleKind.BUDGET, "warning", False),
        (RuleKind.BUDGET, "recover", True),
        (RuleKind.EXPECTED, "critical", False),
        (RuleKind.EXPECTED, "window", True),
        (RuleKind.FLATLINE, "below", True),
        (RuleKind.FLATLINE, "warning", False),
        (RuleKind.SPIKE, "factor", True),
        (RuleKind.RATE, "below", False),
    ],
)
def test_each_kind_takes_only_the_values_it_reads(kind: RuleKind, key: str, takes: bool) -> None:
    spec = RuleSpec(name="r", kind=kind)
    if takes:
        apply_changes(spec, ((key, "5m" if key == "window" else "2"),))
    else:
        with pytest.raises(ChangeError):
            apply_changes(spec, ((key, "2"),))


@pytest.mark.parametrize(
    ("kind", "changes", "refused"),
    [
        (RuleKind.COUNT, (("recover_critical", "4"),), False),
        (RuleKind.COUNT, (("recover_critical", "7"),), True),  # above critical 6
        (RuleKind.COUNT, (("recover_critical", "2"),), True),  # below recover (warning 3)
        (RuleKind.COUNT, (("recover", "1"), ("recover_critical", "2")), False),
        (RuleKind.RATE, (("recover_critical", "8%"),), False),
        (RuleKind.BUDGET, (("recover_critical", "1.5"),), False),
        (RuleKind.SPIKE, (("recover_critical", "4"),), True),  # a spike does not read it
    ],
)
def test_recover_critical_is_a_candidate_in_the_configured_order(
    kind: RuleKind, changes: tuple[tuple[str, str], ...], refused: bool
) -> None:
    levels = (0.05, 0.1) if kind is RuleKind.RATE else (3.0, 6.0)
    spec = RuleSpec(name="r", kind=kind, warning=levels[0], critical=levels[1])
    if refused:
        with pytest.raises(ChangeError):
            apply_changes(spec, changes)
    else:
        assert apply_changes(spec, changes).recover_critical is not None


async def test_a_recover_critical_candidate_is_replayed_and_a_bad_one_explained() -> None:
    world = await make_world()
    await _history(world)
    text = text_of(await world.ask("backtest abandons bogota 24h recover_critical=4"))
    assert "*abandons* (bogota) with recover_critical=4 would have fired once" in text
    text = text_of(await world.ask("backtest abandons bogota 24h recover_critical=9"))
    assert "`recover_critical=9` must lie between recover and critical" in text
    assert "would have fired" not in text
