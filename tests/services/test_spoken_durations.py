"""Durations written in words work in commands wherever `2h` does (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.command_parser import parse_command
from bot.services.command_types import History, Last10, Silence

OPS = ("bogota",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "silenciar abandon-rate 2 horas bogota almuerzo",
            Silence("abandon-rate", timedelta(hours=2), reason="almuerzo", operation="bogota"),
        ),
        ("silence abandon-rate 30 minutos", Silence("abandon-rate", timedelta(minutes=30))),
        (
            "silence abandon-rate 1 hour and 30 minutes lunch",
            Silence("abandon-rate", timedelta(minutes=90), reason="lunch"),
        ),
        (
            "silence abandon-rate for 2 hours",
            Silence("abandon-rate", timedelta(hours=2)),
        ),
        (
            "silence abandon-rate 1h back in 2 hours",
            Silence("abandon-rate", timedelta(hours=1), reason="back in 2 hours"),
        ),
        ("silence abandon-rate 1h back at 2",
         Silence("abandon-rate", timedelta(hours=1), reason="back at 2")),
        ("last 30 minutes", Last10(window=timedelta(minutes=30))),
        ("últimos 30 minutos bogota", Last10(window=timedelta(minutes=30), operation="bogota")),
        ("1 hora", Last10(window=timedelta(hours=1))),
        ("historial 24 horas", History(period=timedelta(hours=24))),
        ("history 7 días bogota", History(operation="bogota", period=timedelta(days=7))),
    ],
)  # fmt: skip
def test_a_duration_in_words_is_one_duration(text: str, expected: object) -> None:
    assert parse_command(text, operations=OPS) == expected
