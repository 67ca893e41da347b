from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.slack.blocks import (
    Message,
    render_alert_message,
    render_alerts,
    render_help,
    render_home,
    render_last10,
    render_notice,
    render_rules,
    render_status,
    render_usage,
)
from bot.domain.day_budget import DayBudget
from bot.services.command_types import Usage, UsageReason
from bot.services.views.alert import CallLine
from bot.services.views.replies import (
    AlertsView,
    NoticeKind,
    NoticeView,
    OperationStatus,
    StaleInfo,
    StatusView,
)
from tests.adapters.slack import samples
from tests.adapters.slack.limits import (
    HOME_BLOCK_CAP,
    assert_blocks_within_limits,
    assert_within_limits,
    markup,
)
from tests.adapters.slack.samples import ACKER, CUSTOMER, HOSTILE, NOW, PHONE, TZ
from tests.support.slack_text import strings

LANGS = ("en", "es")
MORE = re.compile(r"(?:and|y) ([\d.,]+) (?:more|más)")

LARGEST: dict[str, Callable[[str], Message]] = {
    "last10": lambda lang: render_last10(samples.huge_last10(), lang),
    "last10 x40": lambda lang: render_last10([samples.huge_last10(50)] * 40, lang),
    "status": lambda lang: render_status(samples.huge_status(), lang),
    "alerts": lambda lang: render_alerts(samples.huge_alerts(), lang),
    "rules": lambda lang: render_rules(samples.huge_rules(), lang),
    "alert": lambda lang: render_alert_message(samples.huge_alert(), lang),
    "resolved": lambda lang: render_alert_message(
        replace(samples.huge_alert(), state="resolved", resolved_at=NOW), lang
    ),
    "notice": lambda lang: render_notice(
        NoticeView(NoticeKind.UNKNOWN_RULE, "x" * 5000, tuple("y" * 300 for _ in range(1000))),
        lang,
    ),
}


def _more(payload: dict[str, Any]) -> int:
    found = [MORE.search(s) for s in strings(payload["blocks"])]
    counts = [int(m.group(1).replace(",", "").replace(".", "")) for m in found if m]
    assert len(counts) <= 1
    return counts[0] if counts else 0


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(LARGEST))
def test_the_largest_inputs_respect_every_limit(name: str, lang: str) -> None:
    assert_within_limits(LARGEST[name](lang))


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_home_tab_respects_its_limits(lang: str) -> None:
    view = render_home(samples.huge_home(), lang)
    assert view["type"] == "home"
    assert_blocks_within_limits(view["blocks"], HOME_BLOCK_CAP)
    assert len(view["blocks"]) > 50
    last = view["blocks"][-1]
    assert last["type"] == "context" and MORE.search(last["elements"][0]["text"])


@pytest.mark.parametrize(
    "block",
    [
        {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "x"}] * 11},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11},
        {"type": "section", "text": {"type": "mrkdwn", "text": ""}},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "x" * 76},
                 "action_id": "a", "value": "v"}
            ],
        },
    ],
)  # fmt: skip
def test_the_limit_checker_itself_catches_what_slack_would_reject(block: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        assert_within_limits(Message(text="x", blocks=(block,)))


def test_the_limit_checker_counts_blocks() -> None:
    divider = {"type": "divider"}
    assert_within_limits(Message(text="x", blocks=(divider,) * 50))
    with pytest.raises(AssertionError):
        assert_within_limits(Message(text="x", blocks=(divider,) * 51))


def test_a_long_alert_list_is_cut_with_and_n_more_that_adds_up() -> None:
    payload = assert_within_limits(render_alerts(samples.huge_alerts(3000, "rule"), "en"))
    shown = sum(s.count(":red_circle:") for s in strings(payload["blocks"]))
    assert 0 < shown < 3000
    assert shown + _more(payload) == 3000


def test_many_operations_are_cut_with_and_n_more_that_adds_up() -> None:
    payload = assert_within_limits(render_last10([samples.last10()] * 30, "en"))
    headers = [b for b in payload["blocks"] if b["type"] == "header"]
    assert 0 < len(headers) < 30
    assert len(headers) + _more(payload) == 30


def test_a_short_list_is_not_cut() -> None:
    payload = assert_within_limits(render_alerts(samples.huge_alerts(3, "rule"), "en"))
    assert _more(payload) == 0
    assert sum(s.count(":red_circle:") for s in strings(payload["blocks"])) == 3


HOSTILE_RENDERS: dict[str, Callable[[str], Message]] = {
    "last10": lambda lang: render_last10(samples.huge_last10(3, HOSTILE), lang),
    "status": lambda lang: render_status(samples.huge_status(2, HOSTILE), lang),
    "alerts": lambda lang: render_alerts(samples.huge_alerts(2, HOSTILE), lang),
    "rules": lambda lang: render_rules(samples.huge_rules(2, HOSTILE), lang),
    "alert": lambda lang: render_alert_message(samples.huge_alert(HOSTILE), lang),
    "usage": lambda lang: render_usage(Usage(UsageReason.UNKNOWN_COMMAND, HOSTILE), lang),
    "notice": lambda lang: render_notice(
        NoticeView(NoticeKind.UNKNOWN_OPERATION, HOSTILE, (HOSTILE,)), lang
    ),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(HOSTILE_RENDERS))
def test_vendor_and_user_values_never_become_slack_markup(name: str, lang: str) -> None:
    payload = assert_within_limits(HOSTILE_RENDERS[name](lang))
    assert markup(payload) <= {f"<@{ACKER}>"}
    everything = "\n".join(strings(payload))
    assert "&lt;!channel" in everything
    assert "\x00" not in everything and "\u202e" not in everything


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_tab_escapes_vendor_and_user_values(lang: str) -> None:
    view = render_home(samples.huge_home(2, HOSTILE), lang)
    assert markup(view) <= {f"<@{ACKER}>"}


def test_the_text_fallback_is_escaped_too() -> None:
    message = render_last10(samples.last10(operation="R&D <!here>"), "en")
    assert message.text == "R&amp;D &lt;!here&gt;: 49 calls in the last 10 minutes"


def test_to_payload_is_a_copy_without_link_names_or_parse() -> None:
    message = render_help("en")
    payload = message.to_payload()
    payload["blocks"][0]["text"]["text"] = "changed"
    assert message.to_payload()["blocks"][0]["text"]["text"] != "changed"
    assert set(payload) == {"text", "blocks"}


@pytest.mark.parametrize("render", ["last10", "alert"])
def test_personal_data_is_masked_by_default(render: str) -> None:
    message = (
        render_last10(samples.last10(), "en")
        if render == "last10"
        else render_alert_message(samples.alert(recent=samples.last10().recent), "en")
    )
    everything = "\n".join(strings(assert_within_limits(message)))
    assert "tel. •••• 4567" in everything
    assert "customer •••• 6789" in everything
    assert "300 123" not in everything and "1032456" not in everything


def test_personal_data_is_shown_when_masking_is_turned_off() -> None:
    message = render_last10(samples.last10(), "en", mask_personal_data=False)
    everything = "\n".join(strings(assert_within_limits(message)))
    assert f"tel. {PHONE}" in everything and f"customer {CUSTOMER}" in everything


def _texts(message: Message) -> list[str]:
    return list(strings(assert_within_limits(message)["blocks"]))


def test_last10_in_english() -> None:
    texts = _texts(render_last10(samples.last10(), "en"))
    assert "Calls in the last 10 minutes · bogota" in texts
    assert "As of 14:32, polled 41 seconds ago" in texts
    assert "*49* calls · +12 vs the previous 10 minutes (37)" in texts
    assert "*By result*\n`████████░░` answered *38* (77.6%)" in "\n".join(texts)
    assert any("Abandoned among inbound: *20.0%* (9 of 45)" in t for t in texts)
    assert any("Network failures among outbound: *50.0%* (2 of 4)" in t for t in texts)
    assert "Per minute: ▄▆▅▇█▆▅▇▆▅" in texts


def test_last10_in_spanish() -> None:
    texts = _texts(render_last10(samples.last10(), "es"))
    assert "Llamadas de los últimos 10 minutos · bogota" in texts
    assert "*49* llamadas · +12 frente a los 10 minutos anteriores (37)" in texts
    assert any("`██░░░░░░░░` abandonada *9* (18,4 %)" in t for t in texts)
    assert any("Abandono entre entrantes: *20,0 %* (9 de 45)" in t for t in texts)


def test_last10_without_a_previous_window_or_calls_says_so() -> None:
    view = samples.last10(total=0, previous_total=None, by_result=(), by_type=(), recent=())
    texts = _texts(render_last10(view, "en"))
    assert "*0* calls · no previous 10 minutes to compare with" in texts
    assert "No calls in this window." in texts


def test_last10_says_when_data_is_stale_and_why() -> None:
    stale = StaleInfo(NOW - timedelta(minutes=7), "HTTP 503 <!channel>")
    texts = _texts(render_last10(samples.last10(stale=stale), "en"))
    assert (
        ":warning: Data is stale: no successful poll since 14:25 (7 minutes ago).\n"
        "Last error: HTTP 503 &lt;!channel&gt;"
    ) in texts


def test_status_shows_budget_and_staleness_per_operation() -> None:
    view = StatusView(
        as_of=NOW,
        tz=TZ,
        operations=(
            OperationStatus("bogota", NOW - timedelta(seconds=41), "ok", timedelta(minutes=1),
                            duration_s=1.23, calls_today=DayBudget(NOW.date(), 812, 1440)),
            OperationStatus("lima", NOW - timedelta(minutes=3), "error", timedelta(minutes=1),
                            last_error="timeout"),
        ),
    )  # fmt: skip
    texts = _texts(render_status(view, "en"))
    assert "*Wolkvox calls today*\n812 of 1,440" in texts
    assert "*Outcome*\nOK in 1.2 s" in texts
    assert "*bogota*" in texts
    assert "*lima*\n:warning: Stale: older than two poll periods." in texts
    assert "Last error: timeout" in texts


def test_alerts_show_value_threshold_and_who_acknowledged() -> None:
    texts = _texts(render_alerts(AlertsView(NOW, (samples.alert_line(),), TZ), "en"))
    assert (
        ":red_circle: *abandon-rate-0* · bogota: firing since 14:27\n"
        "20.0%; critical at 15%\n"
        f":eyes: acknowledged by <@{ACKER}>"
    ) in texts


def test_no_alerts_is_said_plainly() -> None:
    message = render_alerts(AlertsView(NOW, (), TZ), "es")
    assert message.text == ":white_check_mark: No hay alertas activas."


@pytest.mark.parametrize("lang", LANGS)
def test_help_lists_every_subcommand(lang: str) -> None:
    everything = "\n".join(_texts(render_help(lang)))
    # Issue 12: Spanish help names the Spanish subcommands (which the parser accepts).
    subs = {
        "en": ("last10", "status", "alerts", "rules", "silence", "unsilence", "ack", "public"),
        "es": ("últimos10", "estado", "alertas", "reglas", "silenciar", "desilenciar",
               "reconocer", "público"),
    }[lang]  # fmt: skip
    for sub in subs:
        assert f"`/calls {sub}" in everything or f"`{sub}`" in everything


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("reason", list(UsageReason))
def test_every_usage_message_renders(reason: UsageReason, lang: str) -> None:
    message = render_usage(Usage(reason, word="soon", example="/calls ack x", limit="30d"), lang)
    assert_within_limits(message)
    assert ("/calls help" if lang == "en" else "/calls ayuda") in "\n".join(_texts(message))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_notice_renders(kind: NoticeKind, lang: str) -> None:
    view = NoticeView(kind, "nowhere", ("bogota", "lima"), covered=timedelta(minutes=30))
    assert_within_limits(render_notice(view, lang))


def test_a_notice_names_the_options() -> None:
    view = NoticeView(NoticeKind.UNKNOWN_OPERATION, "nowhere", ("bogota", "lima"))
    assert render_notice(view, "en").text == (
        "I don't know the operation `nowhere`. Known: `bogota`, `lima`."
    )


def test_no_operations_still_makes_a_valid_message() -> None:
    assert_within_limits(render_last10([], "en"))


VENDOR_TEXT = st.text(max_size=400)


@settings(max_examples=60, deadline=None)
@given(VENDOR_TEXT, VENDOR_TEXT, VENDOR_TEXT, st.sampled_from(LANGS))
def test_any_vendor_text_renders_within_limits_and_pings_no_one(
    operation: str, result: str, reason: str, lang: str
) -> None:
    messages = [
        render_last10(
            samples.last10(
                operation=operation,
                by_result=((result, 3),),
                by_type=((result, 3),),
                stale=StaleInfo(NOW, reason),
                recent=(CallLine(NOW, result, result, reason, reason),),
            ),
            lang,
        ),
        render_alert_message(
            samples.alert(
                operation=operation, rule=reason, breakdown=((result, 1),), detail=reason
            ),
            lang,
        ),
        render_usage(Usage(UsageReason.UNEXPECTED, reason), lang),
    ]
    for message in messages:
        payload = assert_within_limits(message)
        assert markup(payload) == set()
