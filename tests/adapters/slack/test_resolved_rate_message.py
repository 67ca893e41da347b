"""A rate judged by its lower bound resolves with a message that agrees with itself.

The demo's network-failures incident ended on 8 failures of 55 calls: a raw 14.5%
whose 95% lower bound (7.6%) is below the 10% recovery level. Its resolved message
said "14.5% ...; recovered below 10%" beside "not yet below the recovery level 10%".
The same sequence of values runs here through the real rules, state machine, view
and renderer, with the demo rule's thresholds (warning 15%, critical 30%, recover 10%,
95% confidence), in both languages.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.adapters.slack.blocks import render_alert_message
from bot.domain.call_log import CallLog
from bot.services.views.alert_build import alert_view
from tests.domain.test_supervisor_day import ABANDON_RATE, Poll, local, run_day
from tests.support.slack_text import strings

NETWORK_LIKE = replace(
    ABANDON_RATE, min_calls=30, warning=0.15, critical=0.30, recover=0.10, confidence=0.95
)
# 16 of 59 (27.1%, warning), 51 of 60 (85.0%, critical), 13 of 55 (23.6%, bound 14.4%:
# held), 8 of 55 (14.5%, bound 7.6%: below recover, resolved).
DEMO_END = [
    Poll("10:30", 43, 16),
    Poll("10:40", 9, 51),
    Poll("10:50", 42, 13),
    Poll("11:00", 47, 8),
]


def _message(polls: list[Poll], lang: str) -> str:
    alert = run_day(NETWORK_LIKE, polls)[-1].alert
    view = alert_view(
        alert,
        NETWORK_LIKE,
        log=CallLog(),
        now=local(polls[-1].at),
        tz="America/Bogota",
        channel="C1",
    )
    return "\n".join(strings(render_alert_message(view, lang).to_payload()))


@pytest.mark.parametrize(
    ("lang", "says", "never"),
    [
        (
            "en",
            [
                "*14.5%* of 55 inbound calls; recovered: lower bound 7.6% below 10%",
                "8 of 55 in 10 minutes, lower bound 7.6% at 95% confidence",
                "peak 85.0% (critical)",
            ],
            ["not yet below", "recovered below 10%"],
        ),
        (
            "es",
            [
                "*14,5 %* de 55 llamadas entrantes; recuperada: límite inferior 7,6 % por "
                "debajo de 10 %",
                "límite inferior 7,6 % con 95 % de confianza",
            ],
            ["aún no baja", "recuperada por debajo de 10 %"],
        ),
    ],
)
def test_the_resolved_message_says_the_bound_that_resolved_it(
    lang: str, says: list[str], never: list[str]
) -> None:
    text = _message(DEMO_END, lang)
    assert run_day(NETWORK_LIKE, DEMO_END)[-1].alert.state == "resolved"
    for expected in says:
        assert expected in text
    for wrong in never:
        assert wrong not in text


def test_the_held_value_before_it_still_says_it_is_not_yet_below_recovery() -> None:
    text = _message(DEMO_END[:3], "en")
    assert "*23.6%* of 55 inbound calls; warning at 15%" in text
    assert "lower bound 14.4% at 95% confidence, not yet below the recovery level 10%" in text


def test_a_raw_rate_already_below_recovery_keeps_the_short_label() -> None:
    text = _message([*DEMO_END[:3], Poll("11:00", 53, 2)], "en")
    assert "*3.6%* of 55 inbound calls; recovered below 10%" in text
    assert "not yet below" not in text
