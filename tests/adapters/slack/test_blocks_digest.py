"""The digest of an alert storm as Slack (and the demo's console) shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.adapters.console import render_message
from bot.adapters.slack.blocks_digest import render_digest_message, render_digest_note
from bot.adapters.slack.presenter import SlackPresenter
from bot.services.views.alert import AlertMessageView, DigestView, Unit
from tests.adapters.slack import samples
from tests.adapters.slack.limits import assert_within_limits, markup
from tests.adapters.slack.samples import ACKER, HOSTILE, NOW, ONCALL, TZ
from tests.support.slack_text import strings

LANGS = ("en", "es")
WINDOW = timedelta(minutes=10)


def member(i: int, **overrides: Any) -> AlertMessageView:
    operation = "bogota" if i % 2 == 0 else "medellin"
    values: dict[str, Any] = {
        "incident_id": f"rule-{i}:{operation}:x",
        "rule": f"rule-{i}",
        "operation": operation,
        "severity": "warning",
    }
    values.update(overrides)
    return samples.alert(**values)


def digest(*members: AlertMessageView, mentions: tuple[str, ...] = ()) -> DigestView:
    return DigestView(
        digest_id="digest:C1:20240305T191500",
        opened_at=NOW - timedelta(minutes=17),
        as_of=NOW,
        members=members,
        mentions=mentions,
        tz=TZ,
    )


def texts(payload: dict[str, Any]) -> str:
    return "\n".join(strings(payload["blocks"]))


def test_a_storm_is_one_message_with_a_counting_header_and_a_line_per_alert() -> None:
    view = digest(member(0, severity="critical"), *(member(i) for i in range(1, 7)))
    payload = assert_within_limits(render_digest_message(view, "en"))

    assert payload["blocks"][0]["text"]["text"] == (
        ":red_circle: 7 alerts firing in bogota, medellin"
    )
    body = texts(payload)
    assert "*Critical* · rule-0 · bogota: Abandoned calls: *18.4%* of 49 inbound calls" in body
    assert "critical at 15%" in body
    for i in range(1, 7):
        assert f"*Warning* · rule-{i} · " in body
    assert payload["text"].startswith("7 alerts firing in bogota, medellin: Critical rule-0")
    assert "/calls ack" in body


def test_critical_alerts_come_first_and_resolved_ones_last_struck_through() -> None:
    resolved = member(1, state="resolved", resolved_at=NOW - timedelta(minutes=2))
    view = digest(member(0), resolved, member(2, severity="critical"))
    payload = assert_within_limits(render_digest_message(view, "en"))

    assert payload["blocks"][0]["text"]["text"].endswith(
        "2 of 3 alerts still firing in bogota, medellin"
    )
    body = texts(payload)
    assert body.index("rule-2") < body.index("rule-0") < body.index("rule-1")
    assert ":white_check_mark: ~rule-1 · medellin~ resolved after 10 min" in body


def test_when_every_alert_resolved_the_digest_says_so_and_pings_no_one() -> None:
    view = digest(
        *(member(i, state="resolved", resolved_at=NOW) for i in range(6)), mentions=(ONCALL,)
    )
    payload = assert_within_limits(render_digest_message(view, "en"))
    assert payload["blocks"][0]["text"]["text"] == (
        ":white_check_mark: All 6 alerts resolved in bogota, medellin"
    )
    assert payload["text"] == "All 6 alerts resolved in bogota, medellin"
    assert markup(payload) == set()


def test_mentions_ping_once_however_many_alerts_carry_them() -> None:
    view = digest(*(member(i, severity="critical") for i in range(8)), mentions=(ONCALL, ONCALL))
    payload = assert_within_limits(render_digest_message(view, "en"))
    assert payload["text"].count(f"<!subteam^{ONCALL}>") == 1
    assert texts(payload).count(f"<!subteam^{ONCALL}>") == 1


def test_acknowledged_and_silenced_alerts_say_so_on_their_line() -> None:
    view = digest(
        member(0, acked_by=ACKER),
        member(1, silenced_until=NOW + timedelta(hours=1)),
        *(member(i) for i in range(2, 6)),
    )
    body = texts(assert_within_limits(render_digest_message(view, "en")))
    assert (
        f"rule-0 · bogota: Abandoned calls: *18.4%* of 49 inbound calls; warning at 15% · "
        f":eyes: <@{ACKER}>" in body
    )
    assert ":zzz: until 15:32" in body


@pytest.mark.parametrize("lang", LANGS)
def test_a_huge_storm_stays_within_block_kit_limits_with_and_n_more(lang: str) -> None:
    huge = samples.huge_alert()
    members = [replace(huge, incident_id=f"i{i}", severity="critical") for i in range(3000)]
    payload = assert_within_limits(render_digest_message(digest(*members), lang))
    last = payload["blocks"][-3]["elements"][0]["text"]
    assert "more" in last or "más" in last


@pytest.mark.parametrize("lang", LANGS)
def test_untrusted_words_are_escaped_and_ping_no_one(lang: str) -> None:
    hostile = member(0, rule=HOSTILE, operation=HOSTILE, detail=HOSTILE, value=None)
    view = digest(hostile, *(member(i) for i in range(1, 6)))
    payload = assert_within_limits(render_digest_message(view, lang))
    assert markup(payload) == set()
    note = render_digest_note(hostile, "joined", lang).to_payload()
    assert markup(note) == set()


def test_spanish_digest() -> None:
    view = digest(*(member(i) for i in range(6)))
    payload = assert_within_limits(render_digest_message(view, "es"))
    assert payload["blocks"][0]["text"]["text"] == (
        ":large_orange_circle: 6 alertas activas en bogota, medellin"
    )
    assert "*Advertencia*" in texts(payload)


@pytest.mark.parametrize(
    ("event", "expected", "pings"),
    [
        (
            "joined",
            "*rule-3* · medellin: :heavy_plus_sign: Joined this digest: Abandoned calls",
            True,
        ),
        ("escalated", "*rule-3* · medellin: :arrow_up: Escalated to critical", True),
        ("reminder", "*rule-3* · medellin: :bell: Still firing since 14:20", False),
        ("resolved", "*rule-3* · medellin: :white_check_mark: Resolved after 12 min", False),
        ("something_new", "*rule-3* · medellin: Abandoned calls: *18.4%*", False),
    ],
)
def test_notes_in_the_shared_thread_name_their_alert(
    event: str, expected: str, pings: bool
) -> None:
    view = member(3, severity="critical", mention=ONCALL)
    payload = render_digest_note(view, event, "en").to_payload()
    text = payload["blocks"][0]["text"]["text"]
    assert expected in text
    assert (f"<!subteam^{ONCALL}>" in text) is pings


def test_the_presenter_and_the_console_render_a_digest() -> None:
    presenter = SlackPresenter(language="en", mask_personal_data=True)
    view = digest(
        member(0, state="resolved", resolved_at=NOW),
        *(
            member(i, unit=Unit.COUNT, value=12.0, threshold=10.0, window=WINDOW)
            for i in range(1, 6)
        ),
    )
    lines = render_message(presenter.digest_message(view))
    assert lines[0] == "🟠 5 of 6 alerts still firing in bogota, medellin"
    assert (
        "🟠 Warning · rule-1 · medellin: 12 abandoned calls in the last 10 minutes; warning at 10"
        in (lines)
    )
    assert "✅ rule-0 · bogota resolved after 12 minutes" in lines
    note = render_message(presenter.digest_note(view.members[1], "resolved"))
    assert note[0].startswith("rule-1 · medellin: ✅ Resolved after")


def test_each_mention_rides_on_the_line_of_its_first_critical_alert_once() -> None:
    """Issue 12: seven alerts of rules that share a mention ping it once, on one line."""
    members = [member(0, severity="warning")]
    members += [member(i, severity="critical") for i in range(1, 8)]
    members[2] = replace(members[2], mention=ONCALL)
    view = digest(*members, mentions=(ONCALL,))
    payload = assert_within_limits(render_digest_message(view, "en"))
    body = texts(payload)
    assert body.count(f"<!subteam^{ONCALL}>") == 1
    (line,) = [x for x in body.splitlines() if f"<!subteam^{ONCALL}>" in x]
    assert "rule-2" in line
    assert payload["text"].count(f"<!subteam^{ONCALL}>") == 1
