from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.command_parser import MAX_INPUT, parse_command
from bot.services.command_types import (
    Ack,
    Alerts,
    Command,
    Help,
    Last10,
    Rules,
    Silence,
    Status,
    Unsilence,
    Usage,
    UsageReason,
)

TEN = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Help()),
        ("   ", Help()),
        (None, Help()),
        ("help", Help()),
        ("ayuda", Help()),
        ("public", Help(public=True)),
        ("last10", Last10()),
        ("LAST10", Last10()),
        ("last 10", Last10()),
        ("last", Last10()),
        ("10m", Last10()),
        ("last30", Last10(window=timedelta(minutes=30))),
        ("last 30m", Last10(window=timedelta(minutes=30))),
        ("30m", Last10(window=timedelta(minutes=30))),
        ("1h", Last10(window=timedelta(hours=1))),
        ("last60", Last10(window=timedelta(hours=1))),
        ("last1h", Last10(window=timedelta(hours=1))),
        ("ultimos10", Last10()),
        ("últimos 30", Last10(window=timedelta(minutes=30))),
        ("last10 inbound", Last10(call_type="inbound")),
        ("last10 outbound bogota", Last10(call_type="outbound", operation="bogota")),
        ("last10 bogota outbound", Last10(call_type="outbound", operation="bogota")),
        ("last10 entrantes", Last10(call_type="inbound")),
        ("last10 out_pre", Last10(call_type="out_pre")),
        ("last10 internal call_inb", Last10(call_type="internal call_inb")),
        ("last10 Transfer Medellin", Last10(call_type="transfer", operation="Medellin")),
        ("last10 bogota public", Last10(operation="bogota", public=True)),
        ("public last10 inbound", Last10(call_type="inbound", public=True)),
        ("last10 inbound PUBLIC bogota", Last10(TEN, "inbound", "bogota", True)),
        ("status", Status()),
        ("estado lima public", Status(operation="lima", public=True)),
        ("alerts", Alerts()),
        ("alertas", Alerts()),
        ("rules bogota", Rules(operation="bogota")),
        ("reglas", Rules()),
        ("silence abandon-rate 1h", Silence("abandon-rate", duration=timedelta(hours=1))),
        (
            "silence abandon-rate 30m lunch break, back soon",
            Silence("abandon-rate", timedelta(minutes=30), reason="lunch break, back soon"),
        ),
        (
            "silence abandon-rate bogota 2h",
            Silence("abandon-rate", timedelta(hours=2), operation="bogota"),
        ),
        ("silence trunk for 1h30m", Silence("trunk", timedelta(minutes=90))),
        (
            "silenciar trunk 1d mantenimiento",
            Silence("trunk", timedelta(days=1), reason="mantenimiento"),
        ),
        ("silence trunk until 08:00", Silence("trunk", until=time(8, 0))),
        ("silence trunk hasta las 8", Silence("trunk", until=time(8, 0))),
        (
            "silence trunk until 7:30 night shift",
            Silence("trunk", until=time(7, 30), reason="night shift"),
        ),
        (
            "silence abandon-rate 1h &lt;!channel&gt; &amp; co",
            Silence("abandon-rate", timedelta(hours=1), reason="<!channel> & co"),
        ),
        ("unsilence trunk", Unsilence("trunk")),
        ("unsilence trunk bogota", Unsilence("trunk", operation="bogota")),
        ("ack abandon-rate", Ack("abandon-rate")),
        ("reconocer abandon-rate lima", Ack("abandon-rate", operation="lima")),
        ("  ack \t abandon-rate \n ", Ack("abandon-rate")),
    ],
)
def test_commands(text: str | None, command: object) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    ("text", "reason", "word"),
    [
        ("foo", UsageReason.UNKNOWN_COMMAND, "foo"),
        ("<!channel>", UsageReason.UNKNOWN_COMMAND, "<!channel>"),
        ("help me", UsageReason.UNEXPECTED, "me"),
        ("status bogota lima", UsageReason.UNEXPECTED, "lima"),
        ("last10 bogota lima", UsageReason.UNEXPECTED, "lima"),
        ("last10 inbound outbound", UsageReason.UNEXPECTED, "outbound"),
        ("last0", UsageReason.BAD_WINDOW, "0"),
        ("last 2d", UsageReason.BAD_WINDOW, "2d"),
        ("last90s", UsageReason.BAD_WINDOW, "90s"),
        ("last99999999999999999999", UsageReason.BAD_WINDOW, "99999999999999999999"),
        ("lastly", UsageReason.BAD_WINDOW, "ly"),
        ("silence", UsageReason.MISSING_RULE, ""),
        ("silence trunk", UsageReason.MISSING_DURATION, ""),
        ("silence trunk soon", UsageReason.BAD_DURATION, "soon"),
        ("silence trunk 45d", UsageReason.DURATION_TOO_LONG, "45d"),
        ("silence trunk 99999999999999999999w", UsageReason.BAD_DURATION, "99999999999999999999w"),
        ("silence trunk until", UsageReason.BAD_TIME, "until"),
        ("silence trunk until 25:00", UsageReason.BAD_TIME, "25:00"),
        ("ack", UsageReason.MISSING_RULE, ""),
        ("unsilence", UsageReason.MISSING_RULE, ""),
        ("ack trunk bogota extra", UsageReason.UNEXPECTED, "extra"),
    ],
)
def test_anything_else_gets_a_usage_message(text: str, reason: UsageReason, word: str) -> None:
    result = parse_command(text)
    assert isinstance(result, Usage)
    assert (result.reason, result.word) == (reason, word)


def test_usage_for_a_missing_rule_shows_a_working_example() -> None:
    result = parse_command("silence")
    assert isinstance(result, Usage)
    assert isinstance(parse_command(result.example.removeprefix("/calls ")), Silence)


def test_overlong_input_is_refused_before_parsing() -> None:
    assert parse_command("ack " + "x" * MAX_INPUT) == Usage(UsageReason.TOO_LONG)
    assert parse_command("ack " + "x" * (MAX_INPUT - 4)) == Ack("x" * (MAX_INPUT - 4))


def test_control_characters_separate_words_and_never_reach_a_name() -> None:
    assert parse_command("ack\x00abandon-rate\u202e") == Ack("abandon-rate")


def test_binary_input_is_decoded_not_fatal() -> None:
    assert parse_command(b"ack \xff\xfe") == Ack("\ufffd\ufffd")


def test_reasons_are_bounded() -> None:
    result = parse_command("silence trunk 1h " + "why " * 400)
    assert isinstance(result, Silence)
    assert len(result.reason) == 500


# Every command the parser can return (read from its union, so a new command is never
# mistaken for a parser bug), or a usage message.
COMMANDS = (*get_args(Command), Usage)
WORDS = st.sampled_from(
    [
        "last10", "last", "10", "1h", "30m", "silence", "until", "08:00", "for", "ack",
        "unsilence", "status", "public", "inbound", "outbound", "bogota", "&lt;", "\x00", "",
    ]
)  # fmt: skip


@given(st.text(max_size=3000))
def test_any_text_is_a_command_or_a_usage_message(text: str) -> None:
    assert isinstance(parse_command(text), COMMANDS)


@given(st.binary(max_size=500))
def test_any_bytes_are_a_command_or_a_usage_message(data: bytes) -> None:
    assert isinstance(parse_command(data), COMMANDS)


@given(st.lists(WORDS, max_size=8))
def test_near_miss_commands_are_a_command_or_a_usage_message(words: list[str]) -> None:
    assert isinstance(parse_command(" ".join(words)), COMMANDS)


@given(st.lists(WORDS, max_size=8), st.integers(min_value=0, max_value=8))
def test_public_anywhere_asks_for_an_answer_in_the_channel(words: list[str], at: int) -> None:
    words = [w for w in words if w != "public"]
    private = parse_command(" ".join(words))
    public = parse_command(" ".join([*words[:at], "public", *words[at:]]))
    if isinstance(private, Usage):
        assert isinstance(public, Usage)
    else:
        assert not private.public
        assert public == replace(private, public=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "silence abandon-rate 1h bogota",
            Silence("abandon-rate", timedelta(hours=1), operation="bogota"),
        ),
        (
            "silence abandon-rate 1h Bogota lunch",
            Silence("abandon-rate", timedelta(hours=1), reason="lunch", operation="bogota"),
        ),
        (
            "silence trunk until 08:00 medellin",
            Silence("trunk", until=time(8, 0), operation="medellin"),
        ),
        (
            "silence abandon-rate 1h cali is not configured",
            Silence("abandon-rate", timedelta(hours=1), reason="cali is not configured"),
        ),
    ],
)
def test_an_operation_named_after_the_duration_scopes_the_silence(
    text: str, expected: Silence
) -> None:
    assert parse_command(text, operations=("bogota", "medellin")) == expected
