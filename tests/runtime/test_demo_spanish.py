"""Spanish all the way (issue 12): the demo, run in Spanish through its real code path (the
same `run_demo` as `callbot demo --language es`), shows no English sentence anywhere: not in
its own lines, the alert messages and their edits, the thread notes, the acknowledgement,
the silence and its end, `/calls historial` or `/calls últimos10`."""

from __future__ import annotations

import io
import re

import pytest

from bot.demo import DemoOptions, run_demo

pytestmark = pytest.mark.runtime

_ENGLISH_WORDS = """
    the and of with from since until last calls call alert alerts firing fired resolved
    acknowledged acknowledge silenced silence lifted minutes minute hours hour seconds second
    days day ago polled warning critical answered abandoned inbound outbound network failures
    failed busy rate breakdown updated update updates edited thread lower bound confidence
    peak after still by not is are was this that data poll trunk channel unavailable
    congestion history incident incidents nothing happened over simulated every scenario
    credentials store temporary file operation operations answering machine customer type
    result per latest previous vs as at in to for on it its ran out surge failure hold held
    stale carrier notified went goes only why when what which who whom your you we our
    monday tuesday wednesday thursday friday saturday sunday bogota demo's about normal
    traffic along shows level usual expected matching judge few enough polls
"""
ENGLISH = frozenset(_ENGLISH_WORDS.split())
"""Common English words that are not Spanish words: none may appear in a Spanish demo."""

IDENTIFIERS = re.compile(
    r"network-failures-spike|network-failures|abandon-rate|inbound-flatline|"
    r"wolkvox-unavailable|#?callbot-demo|callbot|'bogota'|· bogota|\(bogota\)|"
    r"/calls|@U0DEMO"
)
"""Names a person configured or typed (rules, operation, channel, user), not bot sentences."""


async def test_the_spanish_demo_speaks_only_spanish() -> None:
    out = io.StringIO()
    options = DemoOptions(minutes=60, speed=300, language="es")
    assert await run_demo(options, out=out, env={}) == 0
    shown = out.getvalue()

    for expected in (
        "callbot demo: 1 hora de tiempo simulado",  # the demo's own introduction
        "reconoció abandon-rate",  # an acknowledgement, in the thread
        "silenció network-failures",  # a silence
        "terminó a las",  # its end, edited and told
        "Historial · 24 horas anteriores",  # /calls historial
        "Llamadas de los últimos 10 minutos",  # /calls últimos10
        "Fin de la demo tras 1 hora de tiempo simulado",  # the closing line
        "nivel de servicio (20 s)",  # issue15: the queues on the abandon alert
        "disponibles",  # issue15: the agents by state
    ):
        assert expected in shown, f"the demo did not show {expected!r}"

    english: dict[str, str] = {}
    for line in shown.splitlines():
        text = IDENTIFIERS.sub(" ", line)
        for word in re.findall(r"[^\W\d_]+", text):
            if word.casefold() in ENGLISH:
                english.setdefault(word, line.strip())
    assert english == {}, "English words in the Spanish demo"
