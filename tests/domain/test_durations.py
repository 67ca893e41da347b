from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2s", timedelta(seconds=2)),
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("1h", timedelta(hours=1)),
        ("1h30m", timedelta(minutes=90)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(days=14)),
        (" 10M ", timedelta(minutes=10)),
    ],
)
def test_durations_people_write_are_understood(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "5", "m5", "five minutes", "0s", "-5m", "5x", "1.5h"])
def test_bad_durations_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"30s|positive"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["45s", "5m", "1h30m", "1d2h", "7d"])
def test_format_is_the_inverse_of_parse(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 horas", timedelta(hours=2)),
        ("30 minutos", timedelta(minutes=30)),
        ("1 hora", timedelta(hours=1)),
        ("1 hora y 30 minutos", timedelta(minutes=90)),
        ("1 hora 30 minutos", timedelta(minutes=90)),
        ("2 hours", timedelta(hours=2)),
        ("1 hour and 30 minutes", timedelta(minutes=90)),
        ("2 hours, 5 minutes", timedelta(minutes=125)),
        ("90 seconds", timedelta(seconds=90)),
        ("45 segundos", timedelta(seconds=45)),
        ("7 días", timedelta(days=7)),
        ("7 dias", timedelta(days=7)),
        ("1 DÍA", timedelta(days=1)),
        ("2 semanas", timedelta(days=14)),
        ("10 min", timedelta(minutes=10)),
        ("2hrs", timedelta(hours=2)),
    ],
)
def test_durations_written_in_words_are_understood_in_both_languages(
    text: str, expected: timedelta
) -> None:
    # Issue 12: "2 horas" works wherever "2h" does (commands and configuration).
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["horas", "2 horasx", "2 y", "y 2h", "2 hours and", "dos horas"])
def test_words_that_are_not_a_duration_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"30s|positive"):
        parse_duration(text)
