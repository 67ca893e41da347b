"""Validation of an operation's Wolkvox target, and the token kept out of its repr."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import TOKEN, make_target


@pytest.mark.parametrize("server", ["12a4", "../x", "4", "00045", "", "0004 ", "٠٠٠٤"])
def test_server_codes_other_than_four_digits_are_rejected(server: str) -> None:
    with pytest.raises(ValueError, match="4 digits"):
        make_target(server=server)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"token": ""}, "token"),
        ({"token": "abc def"}, "token"),
        ({"token": "abc\r\nX-Evil: 1"}, "token"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"licenses": 0}, "licenses"),
        ({"licenses": 1, "reserved_calls": 1000}, "reserved_calls"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "https://example.com/?token=1"}, "base_url"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_targets_are_rejected_with_the_field_named(
    overrides: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        make_target(**overrides)


def test_the_target_repr_hides_the_token() -> None:
    target = make_target()

    assert TOKEN not in repr(target)
    assert "<redacted>" in repr(target)
    assert TOKEN not in target.budget_key
    assert target.root_url == "https://wv0004.wolkvox.com"
