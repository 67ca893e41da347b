"""The /calls frontend, the buttons and the Home tab, over the real state, call log, rules,
alert book and controls, as a person reads them (the Slack frontend words and renders the
services' view models); Wolkvox is a queue of records, Slack's transport is not involved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.slack.blocks import ACK_ACTION, SILENCE_1H_ACTION, SILENCE_TOMORROW_ACTION
from bot.adapters.slack.ports import Reply
from bot.services.authorization import AllowList
from bot.services.commands import next_local_time
from bot.services.ports import SourceError
from tests.support.frontend_world import (
    ADMIN,
    PHONE,
    T0,
    World,
    make_world,
    mix,
    text_of,
)


@pytest.fixture
async def world() -> World:
    return await make_world()


async def test_help_explains_every_subcommand(world: World) -> None:
    for text in ("", "help", "ayuda"):
        reply = await world.ask(text)
        shown = text_of(reply)
        for sub in ("last10", "status", "alerts", "rules", "silence", "unsilence", "ack"):
            assert f"/calls {sub}" in shown
        assert not reply.in_channel
    assert (await world.ask("help public")).in_channel


@pytest.mark.parametrize("text", ["garbage", "last10 inbound outbound", "silence", "ack"])
async def test_anything_else_gets_a_short_usage_message(world: World, text: str) -> None:
    reply = await world.ask(text)

    assert "/calls help" in text_of(reply)
    assert not reply.in_channel


async def test_last10_counts_shares_change_and_age_from_the_last_poll(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    world.clock.advance(timedelta(seconds=41))

    reply = await world.ask("last10")

    shown = text_of(reply)
    assert "*23* calls" in shown
    assert "Abandoned among inbound: *26.7%* (4 of 15)" in shown
    assert "Network failures among outbound: *37.5%* (3 of 8)" in shown
    assert "transferred to ivr" in shown  # an undocumented result is counted, not dropped
    assert "As of 10:00, polled 41 seconds ago" in shown  # Bogota time
    assert "no previous 10 minutes to compare with" in shown
    assert "Per minute:" in shown
    assert "Data is stale" not in shown
    assert not reply.in_channel


async def test_last10_compares_with_the_previous_window_once_it_is_covered(world: World) -> None:
    await world.poll(mix(world.clock.now(), tag="a"))
    world.clock.advance(timedelta(minutes=5))
    await world.poll([])
    world.clock.advance(timedelta(minutes=5))
    await world.poll(mix(world.clock.now(), abandons=0, tag="b"))

    shown = text_of(await world.ask("last10 public"))

    assert "*19* calls" in shown
    assert "\u22124 vs the previous 10 minutes (23)" in shown


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("last10", "10 minutes"),
        ("last 10", "10 minutes"),
        ("10m", "10 minutes"),
        ("last30", "30 minutes"),
        ("last 30", "30 minutes"),
        ("30m", "30 minutes"),
        ("1h", "1 hour"),
        ("ultimos10", "10 minutes"),
    ],
)
async def test_window_synonyms(world: World, text: str, window: str) -> None:
    for i in range(13):  # an hour of polls every 5 minutes
        await world.poll(mix(world.clock.now(), abandons=0, tag=f"w{i}"))
        world.clock.advance(timedelta(minutes=5))

    shown = text_of(await world.ask(text))

    assert f"Calls in the last {window} · bogota" in shown


async def test_a_window_the_log_does_not_cover_says_how_far_back_it_goes(world: World) -> None:
    await world.poll(mix(world.clock.now()))

    shown = text_of(await world.ask("last 1h"))

    assert "I only have the last 10 minutes of calls" in shown


@pytest.mark.parametrize(
    ("text", "total", "absent"),
    [
        ("last10 inbound", 15, "Network failures"),
        ("last10 outbound", 8, "Abandoned among inbound"),
        ("last10 out_pre", 5, "Abandoned among inbound"),
        ("last10 bogota entrantes", 15, "Network failures"),
    ],
)
async def test_last10_filters_by_type(world: World, text: str, total: int, absent: str) -> None:
    await world.poll(mix(world.clock.now()))

    shown = text_of(await world.ask(text))

    assert f"*{total}* calls" in shown and "Only " in shown
    assert absent not in shown


async def test_stale_data_is_flagged_with_the_reason(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    for _ in range(3):
        world.clock.advance(timedelta(minutes=5))
        await world.poll(
            SourceError("connection refused by wv0004", kind="connection", transient=True)
        )

    for text in ("last10", "alerts", "rules"):
        shown = text_of(await world.ask(text))
        assert "Data is stale: no successful poll since 10:00 (15 minutes ago)" in shown, text
        assert "Last error: connection refused by wv0004" in shown, text
    status = text_of(await world.ask("status"))
    assert "connection refused by wv0004" in status and "error" in status


async def test_no_data_yet_and_why(world: World) -> None:
    assert "No data yet for `bogota`" in text_of(await world.ask("last10"))

    await world.poll(SourceError("token rejected (401)", kind="token_rejected", transient=False))

    shown = text_of(await world.ask("last10"))
    assert "No data yet for `bogota`" in shown and "Last error: token rejected (401)" in shown


@pytest.mark.parametrize("text", ["last10 lima", "status lima", "alerts lima", "rules lima"])
async def test_an_unknown_operation_lists_the_known_ones(text: str) -> None:
    world = await make_world(operations=("bogota", "medellin"))

    shown = text_of(await world.ask(text))

    assert "I don't know the operation `lima`. Known: `bogota`, `medellin`." in shown


async def test_without_an_operation_every_operation_is_shown() -> None:
    world = await make_world(operations=("bogota", "medellin"))
    await world.poll(mix(world.clock.now()), "bogota")
    await world.poll(mix(world.clock.now(), abandons=0), "medellin")

    both = text_of(await world.ask("last10"))
    one = text_of(await world.ask("last10 MEDELLIN"))

    assert "· bogota" in both and "· medellin" in both
    assert "· medellin" in one and "· bogota" not in one and "*19* calls" in one


async def test_status_shows_polls_budget_alerts_and_silences(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    await world.ask("silence abandon-rate 1h")

    shown = text_of(await world.ask("status"))

    assert "Polling status" in shown and "bogota" in shown
    assert "1 of 8,000" in shown  # FakeSource counts calls against a limit of 8000
    assert "*Alerts firing*\n1" in shown  # abandons: 4 >= 3
    assert "*Silences active*\n1" in shown


async def test_alerts_show_value_threshold_and_who_acknowledged(world: World) -> None:
    assert "No alerts are firing" in text_of(await world.ask("alerts"))
    await world.poll(mix(world.clock.now()))
    await world.ask("ack abandons", user="U0ANA")

    shown = text_of(await world.ask("alerts"))

    assert "*abandons* · bogota: firing since 10:00" in shown
    assert "4; warning at 3" in shown
    assert "acknowledged by <@U0ANA>" in shown


async def test_rules_show_each_rules_current_value_and_state(world: World) -> None:
    await world.poll(mix(world.clock.now()))

    shown = text_of(await world.ask("rules"))

    assert "*abandons* (count) · bogota: 4, firing" in shown
    assert "*abandon-rate* (rate) · bogota: 26.7%, OK" in shown
    assert "warning at 50%" in shown
    # issue 12: the built-in rule's value is an age, with its limit as an age too
    assert "*wolkvox-unavailable* (availability) · bogota: last data 0 seconds ago, OK" in shown
    assert "critical after " in shown
    assert "Inbound calls hung up before an agent answered" in shown


async def test_silence_and_unsilence_change_state_and_answer(world: World) -> None:
    reply = await world.ask("silence abandons 2h lunch <!channel> public", user="U0ANA")

    [silence] = world.state.silences.silences
    assert (silence.rule, silence.operation, silence.created_by) == ("abandons", None, "U0ANA")
    assert silence.ends_at == T0 + timedelta(hours=2)
    assert silence.reason == "lunch <!channel>"
    shown = text_of(reply)
    assert "<@U0ANA> silenced *abandons* (all operations) until 12:00" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert reply.in_channel

    assert "lifted the silence" in text_of(await world.ask("unsilence abandons"))
    assert world.state.silences.active(world.clock.now()) == ()
    assert "is not silenced" in text_of(await world.ask("unsilence abandons"))


async def test_silence_until_a_time_of_day_means_the_next_one_locally(world: World) -> None:
    await world.ask("silence abandons bogota until 08:00")

    [silence] = world.state.silences.silences
    assert silence.operation == "bogota"
    assert silence.ends_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 08:00 in Bogota


async def test_an_operation_after_the_duration_silences_that_operation_only(world: World) -> None:
    reply = await world.ask("silence abandons 1h bogota lunch")

    [silence] = world.state.silences.silences
    assert (silence.operation, silence.reason) == ("bogota", "lunch")
    assert "(all operations)" not in text_of(reply)


async def test_ack_twice_acknowledges_once(world: World) -> None:
    assert "is not firing" in text_of(await world.ask("ack abandons"))
    await world.poll(mix(world.clock.now()))

    first = text_of(await world.ask("ack abandons", user="U0ANA"))
    second = text_of(await world.ask("ack abandons", user="U0BEA"))

    assert "<@U0ANA> acknowledged *abandons*" in first
    assert "was already acknowledged" in second
    assert world.state.alerts.get("abandons", "bogota").acked_by == "U0ANA"


@pytest.mark.parametrize("text", ["silence nope 1h", "unsilence nope", "ack nope"])
async def test_an_unknown_rule_lists_the_known_ones(world: World, text: str) -> None:
    shown = text_of(await world.ask(text))

    assert "I don't know the rule `nope`. Known: `wolkvox-unavailable`, `abandons`" in shown


@pytest.mark.parametrize("text", ["silence abandons 1h", "unsilence abandons", "ack abandons"])
async def test_only_admins_may_change_alerts(text: str) -> None:
    world = await make_world(authorizer=AllowList({ADMIN}))
    await world.poll(mix(world.clock.now()))

    refused = text_of(await world.ask(text, user="U0STRANGER"))

    assert "You are not allowed to do that here." in refused
    assert world.state.silences.silences == ()
    assert world.state.alerts.get("abandons", "bogota").acked_by is None
    assert "not allowed" not in text_of(await world.ask(text, user=ADMIN))


async def test_the_ack_button_acknowledges_the_incident_once(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    incident = world.state.alerts.get("abandons", "bogota").incident_id
    assert incident is not None

    first = await world.click(ACK_ACTION, incident, user="U0ANA")
    second = await world.click(ACK_ACTION, incident, user="U0BEA")

    assert first is not None and "<@U0ANA> acknowledged" in text_of(first)
    assert second is not None and "already acknowledged" in text_of(second)


async def test_a_double_click_on_silence_1h_records_one_silence(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    incident = world.state.alerts.get("abandons", "bogota").incident_id or ""
    world.clock.advance(timedelta(seconds=59))

    await world.click(SILENCE_1H_ACTION, incident)
    world.clock.advance(timedelta(seconds=2))  # across a minute mark
    again = await world.click(SILENCE_1H_ACTION, incident, user="U0BEA")

    [silence] = world.state.silences.silences
    assert (silence.rule, silence.operation) == ("abandons", "bogota")
    assert silence.ends_at == datetime(2026, 11, 24, 16, 1, tzinfo=UTC)
    assert again is not None and f"<@{ADMIN}> silenced" in text_of(again)


async def test_silence_until_tomorrow_is_the_next_8_in_the_operations_timezone(
    world: World,
) -> None:
    await world.poll(mix(world.clock.now()))
    incident = world.state.alerts.get("abandons", "bogota").incident_id or ""

    await world.click(SILENCE_TOMORROW_ACTION, incident)

    [silence] = world.state.silences.silences
    assert silence.ends_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


async def test_buttons_check_who_clicks_and_ignore_other_actions() -> None:
    world = await make_world(authorizer=AllowList({ADMIN}))
    await world.poll(mix(world.clock.now()))
    incident = world.state.alerts.get("abandons", "bogota").incident_id or ""

    refused = await world.click(ACK_ACTION, incident, user="U0STRANGER")

    assert refused is not None and "you may not change *abandons*" in text_of(refused)
    assert world.state.alerts.get("abandons", "bogota").acked_by is None
    assert await world.click("callbot_something_else", incident) is None
    unknown = await world.click(ACK_ACTION, "not-an-incident")
    assert unknown is not None and "I don't know the rule" in text_of(unknown)


@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        (datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 25, 8, 0)),
        (datetime(2026, 11, 24, 2, 30), datetime(2026, 11, 24, 8, 0)),
        (datetime(2026, 11, 24, 8, 0), datetime(2026, 11, 25, 8, 0)),
    ],
)
def test_next_local_time(local_now: datetime, expected: datetime) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("America/Bogota")
    now = local_now.replace(tzinfo=tz).astimezone(UTC)

    assert next_local_time(now, expected.time(), tz) == expected.replace(tzinfo=tz).astimezone(UTC)


async def test_home_shows_each_operation_its_alerts_and_silences(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    await world.ask("silence abandon-rate 1h")

    view = await world.service.home_view("U0ANA")

    shown = text_of(Reply(text="", blocks=view["blocks"]))
    assert view["type"] == "home"
    assert "bogota" in shown and "*23* calls" in shown
    assert "*abandons* · bogota: firing" in shown
    assert "abandon-rate (all operations) until 11:00" in shown


async def test_phone_numbers_are_masked_unless_configured_otherwise() -> None:
    masked = await make_world()
    await masked.poll(mix(masked.clock.now(), tag="CUST-000"))
    plain = await make_world(mask=False)
    await plain.poll(mix(plain.clock.now(), tag="CUST-000"))

    hidden = text_of(await masked.ask("last10"))
    shown = text_of(await plain.ask("last10"))

    assert "4567" in hidden and "300 123" not in hidden and "CUST-000" not in hidden
    assert PHONE in shown and "CUST-000" in shown


async def test_spanish(world: World) -> None:
    spanish = await make_world(language="es")
    await spanish.poll(mix(spanish.clock.now()))

    shown = text_of(await spanish.ask("ultimos10"))

    assert "Llamadas de los últimos 10 minutos · bogota" in shown
    assert "*23* llamadas" in shown and "26,7 %" in shown


async def test_answers_never_ask_wolkvox(world: World) -> None:
    await world.poll(mix(world.clock.now()))
    asked = len(world.source.calls)

    for text in ("", "last10", "1h", "status", "alerts", "rules", "silence abandons 1h"):
        await world.ask(text)
    await world.service.home_view(ADMIN)

    assert len(world.source.calls) == asked
