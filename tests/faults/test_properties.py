"""Property tests: whatever Wolkvox answers and whatever a person types after /calls, the
bot gets a value or a clear, typed error, never an exception that escapes.

The mapping's public entry points (`map_calls_response` for the bytes of an answer,
`map_calls_payload` for a decoded one) are fed arbitrary envelopes: codes of any type,
`data` as a list, an object, null or missing, rows with any keys and any JSON values
(huge strings, odd dates, nested documents) and plain bytes. The slash command goes
through the real command service, so the parse and the reply it renders are both covered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.clock import ManualClock
from bot.adapters.slack.frontend import CallsFrontend
from bot.adapters.slack.ports import CommandRequest, Reply
from bot.adapters.slack.presenter import SlackPresenter
from bot.adapters.wolkvox.errors import WolkvoxError
from bot.adapters.wolkvox.mapping import MappedBatch, map_calls_payload
from bot.adapters.wolkvox.response import map_calls_response
from bot.bootstrap import calls_frontend
from bot.domain.calls import CallRecord
from bot.services.authorization import AllowList
from bot.services.command_parser import MAX_REASON, MAX_SILENCE, MAX_WINDOW, parse_command
from bot.settings import parse_settings
from tests.support.config import config_text, operation, rule
from tests.support.world import assembled

pytestmark = pytest.mark.faults

BOGOTA = ZoneInfo("America/Bogota")
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELDS = (
    "conn_id", "date", "type_interaction", "type_call", "result", "telephone",
    "tel_number", "customer_id", "agent_name", "skill", "",
)  # fmt: skip
DATES = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(str),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.strftime("%Y%m%d%H%M%S")
    ),
    st.sampled_from(
        [
            "9999-12-31 23:59:59",
            "0001-01-01T00:00:00+14:00",
            "0000-00-00 00:00:00",
            "2026-02-30 10:00:00",
            "2026-01-19 24:00:00",
            "2026-01-19T10:30:15Z",
            "2026/01/19 10:30",
            "20260119",
            "",
        ]
    ),
    st.text(max_size=25),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.just("<!channel>" * 2_000),
    st.just("\x00\x1b[31m\u202e"),
    DATES,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
ROWS = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=len(FIELDS)),
    st.fixed_dictionaries({"conn_id": st.text(min_size=1, max_size=12), "date": DATES}),
    JSON,
)
DATA = st.one_of(st.lists(ROWS, max_size=6), ROWS, st.none(), st.just(...))
CODES = st.one_of(
    st.sampled_from([200, "200", 400, "403", 404, 500, "OK", None, 200.0, True]), JSON
)


@st.composite
def envelopes(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(JSON)
    payload: dict[str, Any] = {"code": draw(CODES), "error": draw(JSON), "msg": draw(JSON)}
    data = draw(DATA)
    if data is not ...:
        payload["data"] = data
    return payload


def check(mapped: MappedBatch) -> None:
    """A mapped answer holds only usable, de-duplicated calls at aware UTC times."""
    assert isinstance(mapped, MappedBatch)
    ids = [r.conn_id for r in mapped.records]
    assert len(ids) == len(set(ids))
    for record in mapped.records:
        assert isinstance(record, CallRecord) and record.conn_id
        assert record.at.tzinfo is UTC
        assert all(
            isinstance(v, str)
            for v in (record.call_type, record.result, record.telephone, record.customer_id)
        )
    assert all(count > 0 for count in mapped.skipped.values())


@FAST
@given(envelopes(), st.sampled_from([200, 200, 200, 400, 401, 403, 404, 429, 500, 503]))
def test_any_decoded_answer_maps_or_raises_a_wolkvox_error(payload: Any, status: int) -> None:
    try:
        mapped = map_calls_payload(payload, BOGOTA, status=status)
    except WolkvoxError as exc:
        assert str(exc) and exc.kind
        return
    check(mapped)


@FAST
@given(envelopes())
def test_every_row_of_a_list_is_a_call_or_a_counted_skip(payload: Any) -> None:
    try:
        mapped = map_calls_payload(payload, BOGOTA)
    except WolkvoxError:
        return
    # A successful answer; other codes (404: an empty window) carry no calls by design.
    success = isinstance(payload, dict) and payload.get("code") in (200, "200")
    data = payload.get("data") if success else None
    if isinstance(data, list):
        assert len(mapped.records) + sum(mapped.skipped.values()) == len(data)


@FAST
@given(
    st.one_of(
        st.binary(max_size=300),
        envelopes().map(orjson.dumps),
        envelopes().map(lambda p: orjson.dumps(p)[: len(orjson.dumps(p)) // 2]),
        envelopes().map(lambda p: b"<br /><b>Warning</b>" + orjson.dumps(p)),
        envelopes().map(lambda p: orjson.dumps(p).replace(b'"', b'"\xff', 1)),
    ),
    st.sampled_from([200, 200, 200, 403, 404, 500, 502]),
)
def test_any_bytes_map_or_raise_a_wolkvox_error(body: bytes, status: int) -> None:
    try:
        mapped = map_calls_response(status, body, BOGOTA)
    except WolkvoxError as exc:
        assert str(exc) and exc.kind
        return
    check(mapped)


CONFIG = config_text(
    operations=[operation(token="t-props")],
    rules=[rule(match={"result": ["abandon"]}, window="10m", warning=3)],
)
WORDS = st.sampled_from(
    [
        "last10", "last", "30", "2d", "1h", "silence", "unsilence", "ack", "abandons", "for",
        "until", "25:00", "08:00", "hasta", "status", "alerts", "rules", "public", "bogota",
        "inbound", "<!channel>", "&lt;@U123&gt;", "\x00", "\u202e", "99999999999999999999m",
    ]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS, max_size=7).map(" ".join),
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace")),
    st.just("last10 " + "x" * 5_000),
)


@dataclass
class Frontend:
    service: CallsFrontend
    loop: asyncio.AbstractEventLoop

    def ask(self, text: str) -> Reply:
        request = CommandRequest(
            user_id="U0PROPS", channel_id="C0PROPS", team_id="T0", text=text, response_url=""
        )
        return self.loop.run_until_complete(self.service.on_command(request))


@pytest.fixture(scope="module")
def frontend() -> Iterator[Frontend]:
    """The real command service over an empty state; nobody may silence (so examples
    cannot change it) and Wolkvox is never asked. Its own loop, never installed as the
    current one, so pytest-asyncio's loops are left alone."""
    runtime = assembled(
        parse_settings(CONFIG, source="props.yml", env={}),
        clock=ManualClock(datetime(2026, 11, 24, 15, 0, tzinfo=UTC)),
        presenter=SlackPresenter(language="en", mask_personal_data=True),
    )
    service = calls_frontend(runtime, authorizer=AllowList([]))
    loop = asyncio.new_event_loop()
    try:
        yield Frontend(service, loop)
    finally:
        loop.close()


@FAST
@given(TEXTS)
def test_any_text_parses_within_the_commands_bounds(text: str) -> None:
    command = parse_command(text)
    for name in ("rule", "operation", "call_type"):
        value = getattr(command, name, None)
        if value:
            assert value == value.strip() and value.isprintable()
            assert name == "call_type" or " " not in value
    window = getattr(command, "window", None)
    if window is not None:
        assert timedelta(0) < window <= MAX_WINDOW
    duration = getattr(command, "duration", None)
    if duration is not None:
        assert timedelta(0) < duration <= MAX_SILENCE
    assert len(getattr(command, "reason", "")) <= MAX_REASON


@FAST
@given(TEXTS)
def test_any_text_gets_a_reply_that_pings_nobody(frontend: Frontend, text: str) -> None:
    reply = frontend.ask(text)

    assert reply.text.strip()
    shown = reply.text + orjson.dumps(reply.blocks).decode()
    assert "<!channel>" not in shown and "<@U123>" not in shown
    assert "\x00" not in shown and "\u202e" not in shown
    assert len(shown) < 20_000
