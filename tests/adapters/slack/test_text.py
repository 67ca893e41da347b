from __future__ import annotations

import html
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack.text import (
    ELLIPSIS,
    bar,
    clip,
    clip_escaped,
    escape,
    format_age,
    format_decimal,
    format_number,
    format_percent,
    mask_customer_id,
    mask_phone,
    resample,
    safe,
    sparkline,
    strip_controls,
)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("R&D", "R&amp;D"),
        ("&lt;", "&amp;lt;"),
        ("quotes \" and ' stay", "quotes \" and ' stay"),
    ],
)
def test_escape_neutralises_slack_control_characters(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


@given(st.text())
def test_escape_is_exactly_html_escape_without_quotes(text: str) -> None:
    assert escape(text) == html.escape(text, quote=False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b\x07c", "abc"),
        ("line\nbreak\r\nand\ttab", "line break and tab"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("zero\u200bwidth", "zerowidth"),
        ("ñandú 🙂", "ñandú 🙂"),
    ],
)
def test_strip_controls_removes_what_would_break_or_disguise_a_line(
    raw: str, expected: str
) -> None:
    assert strip_controls(raw) == expected


def test_strip_controls_can_keep_line_breaks() -> None:
    assert strip_controls("a\r\nb\x00\tc", keep_newlines=True) == "a\nb c"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("abcdefghijk", 5, "abcd…"),
        ("x", 0, ""),
    ],
)
def test_clip(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected


@given(st.text(), st.integers(min_value=1, max_value=60))
def test_clip_escaped_never_leaves_half_an_entity(text: str, limit: int) -> None:
    escaped = escape(text)
    clipped = clip_escaped(escaped, limit)
    assert len(clipped) <= limit
    body = clipped.removesuffix(ELLIPSIS) if clipped != escaped else clipped
    assert text.startswith(html.unescape(body))
    assert "<" not in clipped and ">" not in clipped


@given(st.text(max_size=500), st.integers(min_value=1, max_value=100))
def test_safe_output_is_bounded_escaped_and_single_line(text: str, limit: int) -> None:
    out = safe(text, limit)
    assert "<" not in out and ">" not in out
    assert "\n" not in out and "\x00" not in out
    assert len(html.unescape(out)) <= limit


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+57 300 123 4567", "•••• 4567"),
        ("3001234567", "•••• 4567"),
        ("12345", "••••"),
        ("", ""),
        ("anonymous", "••••"),
        ("<!channel>", "••••"),
    ],
)
def test_mask_phone_keeps_only_the_last_four_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("customer", "masked"),
    [("CC1032456789", "•••• 6789"), ("1032-456-789", "•••• 6789"), ("AB12", "••••"), ("", "")],
)
def test_mask_customer_id(customer: str, masked: str) -> None:
    assert mask_customer_id(customer) == masked


@pytest.mark.parametrize(
    ("series", "width", "expected"),
    [
        ([0, 1, 2, 3, 4, 5, 6, 7], None, "▁▂▃▄▅▆▇█"),
        ([0, 0, 0], None, "▁▁▁"),
        ([], None, ""),
        ([5, 5], None, "██"),
        ([-3, float("nan"), 4], None, "▁▁█"),
        ([7, 0, 0, 7], 2, "▁█"),
        ([1, 2], 0, ""),
    ],
)
def test_sparkline(series: list[float], width: int | None, expected: str) -> None:
    assert sparkline(series, width) == expected


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.0, "░░░░░░░░░░"),
        (1.0, "██████████"),
        (0.5, "█████░░░░░"),
        (0.01, "█░░░░░░░░░"),
        (1.7, "██████████"),
        (float("nan"), "░░░░░░░░░░"),
    ],
)
def test_bar(share: float, expected: str) -> None:
    assert bar(share) == expected


@pytest.mark.parametrize(
    ("lang", "number", "percent", "decimal"),
    [
        ("en", "1,234,567", "18.4%", "-1,234.5"),
        ("es", "1.234.567", "18,4 %", "-1.234,5"),
    ],
)
def test_numbers_follow_the_readers_language(
    lang: str, number: str, percent: str, decimal: str
) -> None:
    assert format_number(1234567, lang) == number
    assert format_percent(0.1842, lang) == percent
    assert format_decimal(-1234.5, lang, 1) == decimal


@pytest.mark.parametrize(("lang", "expected"), [("en", "15%"), ("es", "15 %")])
def test_whole_percentages_can_drop_their_decimals(lang: str, expected: str) -> None:
    assert format_percent(0.15, lang, trim=True) == expected
    assert format_percent(0.155, lang, trim=True) != expected


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=41), "41 s"),
        (timedelta(minutes=3, seconds=59), "3 min"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(days=3, hours=4), "3 d 4 h"),
        (timedelta(seconds=-5), "0 s"),
    ],
)
def test_format_age(delta: timedelta, expected: str) -> None:
    assert format_age(delta) == expected


@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=3000), st.integers(1, 120))
def test_resample_keeps_the_total_within_the_width(series: list[int], width: int) -> None:
    out = resample(series, width)
    assert len(out) <= width
    assert sum(out) == sum(series)
    if len(series) <= width:
        assert out == series
