from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.adapters.slack.blocks import (
    ACK_ACTION,
    SILENCE_1H_ACTION,
    SILENCE_TOMORROW_ACTION,
    Message,
    render_alert_message,
    render_alert_note,
    render_home,
    render_thread_note,
)
from bot.services.views.alert import ActionKind, ActionResultView, AlertEvent, Unit
from bot.services.views.replies import HomeOperation, HomeView, SilenceLine
from tests.adapters.slack import samples
from tests.adapters.slack.limits import (
    HOME_BLOCK_CAP,
    assert_blocks_within_limits,
    assert_within_limits,
    markup,
)
from tests.adapters.slack.samples import ACKER, HOSTILE, NOW, ONCALL, TZ
from tests.support.slack_text import strings

LANGS = ("en", "es")


def _blocks(message: Message) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = assert_within_limits(message)["blocks"]
    return blocks


def _buttons(message: Message) -> list[dict[str, Any]]:
    return [e for b in _blocks(message) if b["type"] == "actions" for e in b["elements"]]


def _all_text(message: Message) -> str:
    return "\n".join(strings(message.to_payload()))


def test_a_firing_alert_says_what_against_what_and_offers_three_buttons() -> None:
    message = render_alert_message(samples.alert(), "en")
    blocks = _blocks(message)
    assert blocks[0]["text"]["text"] == ":red_circle: Critical: abandon-rate · bogota"
    assert blocks[1]["text"]["text"] == (
        "Abandoned calls: *18.4%* of 49 inbound calls; critical at 15%"
    )
    text = _all_text(message)
    assert "*Breakdown*\n`████████░░` answered *40* (81.6%)" in text
    assert "Since 14:20 (12 minutes)" in text
    assert "Last hour: ▁▁▁" in text and text.count("█") > 5
    buttons = _buttons(message)
    assert [b["action_id"] for b in buttons] == [
        ACK_ACTION,
        SILENCE_1H_ACTION,
        SILENCE_TOMORROW_ACTION,
    ]
    assert [b["text"]["text"] for b in buttons] == [
        "Acknowledge",
        "Silence 1 h",
        "Silence until tomorrow 08:00",
    ]
    assert {b["value"] for b in buttons} == {"inc-42"}
    assert message.text == (
        "Critical: abandon-rate on bogota: "
        "Abandoned calls: *18.4%* of 49 inbound calls; critical at 15%"
    )


def test_a_firing_alert_in_spanish() -> None:
    message = render_alert_message(samples.alert(), "es")
    blocks = _blocks(message)
    assert blocks[0]["text"]["text"] == ":red_circle: Crítica: abandon-rate · bogota"
    assert blocks[1]["text"]["text"] == (
        "Llamadas abandonadas: *18,4 %* de 49 llamadas entrantes; crítica desde 15 %"
    )
    assert [b["text"]["text"] for b in _buttons(message)] == [
        "Reconocer",
        "Silenciar 1 h",
        "Silenciar hasta mañana 08:00",
    ]


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            {"unit": Unit.COUNT, "value": 12, "threshold": 10, "measure_label": "chanunavail",
             "window": timedelta(minutes=10), "severity": "warning"},
            "*12* calls with channel unavailable in the last 10 minutes; warning at 10",
        ),
        (
            {"unit": Unit.RATIO, "value": 3.24, "threshold": 3, "baseline": 13.1,
             "measure_label": "", "severity": "warning"},
            "Calls: *\u00d73.2* the usual level (13.1); warning at \u00d73",
        ),
        (
            {"unit": Unit.COUNT, "value": 0, "threshold": 1, "below": True, "measure_label": "",
             "population_label": "inbound", "window": timedelta(minutes=15)},
            "*0* calls in the last 15 minutes; critical below 1",
        ),
        (
            {"value": None, "threshold": None, "status": "held",
             "detail": "held: wolkvox-unavailable <!here>"},
            "On hold while Wolkvox is unavailable.",
        ),
    ],
)  # fmt: skip
def test_every_kind_of_value_reads_as_a_sentence(overrides: dict[str, Any], line: str) -> None:
    blocks = _blocks(render_alert_message(samples.alert(**overrides), "en"))
    assert blocks[1]["text"]["text"] == line


def test_an_acknowledged_alert_shows_who_and_drops_the_acknowledge_button() -> None:
    view = samples.alert(acked_by=ACKER, acked_at=NOW - timedelta(minutes=3))
    message = render_alert_message(view, "en")
    assert f":eyes: Acknowledged by <@{ACKER}> at 14:29" in _all_text(message)
    assert [b["action_id"] for b in _buttons(message)] == [
        SILENCE_1H_ACTION,
        SILENCE_TOMORROW_ACTION,
    ]


def test_a_silenced_alert_shows_until_when_and_by_whom() -> None:
    view = samples.alert(silenced_until=NOW + timedelta(hours=1), silenced_by=ACKER)
    assert f":zzz: Silenced by <@{ACKER}> until 15:32" in _all_text(
        render_alert_message(view, "en")
    )


def test_a_resolved_alert_shows_duration_and_peak_and_has_no_buttons() -> None:
    view = samples.alert(
        state="resolved",
        since=NOW - timedelta(minutes=42),
        resolved_at=NOW,
        value=0.08,
        peak_value=0.22,
        peak_severity="critical",
        mention=ONCALL,
    )
    message = render_alert_message(view, "en")
    blocks = _blocks(message)
    assert blocks[0]["text"]["text"] == ":white_check_mark: Resolved: abandon-rate · bogota"
    assert (
        ":white_check_mark: Resolved at 14:32 after 42 minutes; peak 22.0% (critical)"
        in _all_text(message)
    )
    assert _buttons(message) == []
    assert markup(message.to_payload()) == set()
    assert message.text == "Resolved: abandon-rate on bogota after 42 minutes"


@pytest.mark.parametrize(
    ("mention", "markup_expected"),
    [
        (ONCALL, f"<!subteam^{ONCALL}>"),
        (f"<!subteam^{ONCALL}|oncall>", f"<!subteam^{ONCALL}>"),
        ("U0LEAD01", "<@U0LEAD01>"),
        ("<@U0LEAD01>", "<@U0LEAD01>"),
        ("here", "<!here>"),
        ("@channel", "<!channel>"),
    ],
)
def test_a_configured_mention_pings_in_the_first_section_and_the_notification(
    mention: str, markup_expected: str
) -> None:
    message = render_alert_message(samples.alert(mention=mention), "en")
    assert _blocks(message)[1]["text"]["text"].startswith(markup_expected + "\n")
    assert message.text.startswith(markup_expected + " ")
    assert markup(message.to_payload()) == {markup_expected}


def test_a_mention_that_is_not_a_slack_id_pings_no_one() -> None:
    message = render_alert_message(samples.alert(mention="@oncall <!everyone> x"), "en")
    assert markup(message.to_payload()) == set()
    assert "@oncall &lt;!everyone&gt; x" in message.text


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_alert_values_are_escaped_everywhere(lang: str) -> None:
    view = samples.alert(
        rule=HOSTILE,
        operation=HOSTILE,
        detail=HOSTILE,
        description=HOSTILE,
        breakdown=((HOSTILE, 3),),
        population_label=HOSTILE,
        measure_label=HOSTILE,
        severity=HOSTILE,
        acked_by=HOSTILE,
        silenced_until=NOW,
        silenced_by=HOSTILE,
    )
    message = render_alert_message(view, lang)
    assert_within_limits(message)
    assert markup(message.to_payload()) == set()
    assert "&lt;!channel&gt;" in message.text


@pytest.mark.parametrize(
    ("event", "text"),
    [
        (AlertEvent.REMINDER, ":bell: Still firing since 14:20: Abandoned calls: *18.4%*"),
        (AlertEvent.ESCALATED, f"<!subteam^{ONCALL}> :arrow_up: Escalated to critical:"),
        (AlertEvent.DEESCALATED, ":arrow_down: Down to critical:"),
        (AlertEvent.RESOLVED, ":white_check_mark: Resolved after 12 minutes."),
        (AlertEvent.RESOLVED_SILENCED, "Resolved after 12 minutes while silenced."),
    ],
)
def test_thread_notes_for_alert_events(event: AlertEvent, text: str) -> None:
    message = render_alert_note(samples.alert(mention=ONCALL), event, "en")
    assert _blocks(message)[0]["text"]["text"].startswith(text)
    assert message.text.startswith(text)
    if event != AlertEvent.ESCALATED:
        assert markup(message.to_payload()) == set()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(ActionKind))
def test_every_action_result_renders_with_the_reason_escaped(kind: ActionKind, lang: str) -> None:
    view = ActionResultView(
        kind, ACKER, "abandon-rate", "bogota", at=NOW, until=NOW + timedelta(hours=1),
        reason="lunch <!channel>", tz=TZ,
    )  # fmt: skip
    message = render_thread_note(view, lang)
    assert_within_limits(message)
    assert markup(message.to_payload()) <= {f"<@{ACKER}>"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", f":zzz: <@{ACKER}> silenced *abandon-rate* (bogota) until 15:32.\n"
               "Reason: lunch &lt;!channel&gt;"),
        ("es", f":zzz: <@{ACKER}> silenció *abandon-rate* (bogota) hasta las 15:32.\n"
               "Motivo: lunch &lt;!channel&gt;"),
    ],
)  # fmt: skip
def test_a_silence_note_says_who_until_when_and_why(lang: str, expected: str) -> None:
    view = ActionResultView(
        ActionKind.SILENCED, ACKER, "abandon-rate", "bogota", at=NOW,
        until=NOW + timedelta(hours=1), reason="lunch <!channel>", tz=TZ,
    )  # fmt: skip
    message = render_thread_note(view, lang)
    assert message.text == expected


def test_a_silence_days_away_shows_its_date() -> None:
    view = ActionResultView(
        ActionKind.SILENCED, ACKER, "trunk", None, at=NOW, until=NOW + timedelta(days=2), tz=TZ
    )
    assert render_thread_note(view, "en").text == (
        f":zzz: <@{ACKER}> silenced *trunk* (all operations) until 2024-03-07 14:32."
    )


def test_the_home_tab_shows_each_operation() -> None:
    op = HomeOperation(
        "bogota", NOW - timedelta(seconds=41), "ok", timedelta(minutes=1), 49,
        (("answer", 38), ("abandon", 11)), (1, 2, 3), firing=(samples.alert_line(),),
        silences=(SilenceLine("trunk", "bogota", NOW + timedelta(hours=2), ACKER, "maint"),),
    )  # fmt: skip
    view = render_home(HomeView(NOW, (op,), TZ), "en")
    assert view["type"] == "home"
    assert_blocks_within_limits(view["blocks"], HOME_BLOCK_CAP)
    text = "\n".join(strings(view))
    assert "Last poll 14:31 (41 seconds ago): OK" in text
    assert "Last 10 minutes: *49* calls  ▃▆█" in text
    assert ":red_circle: *abandon-rate-0* · bogota: firing since 14:27" in text
    assert f":zzz: trunk (bogota) until 16:32 by <@{ACKER}> · Reason: maint" in text


def test_an_empty_home_tab_says_nothing_is_configured() -> None:
    view = render_home(HomeView(NOW, (), TZ), "es")
    assert "No hay operaciones configuradas." in list(strings(view))
