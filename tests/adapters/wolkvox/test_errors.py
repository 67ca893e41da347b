"""What a Wolkvox error says once the client has given up: the facts, the attempts, and
whether the next poll will try again (never "retrying" when nothing is being retried)."""

from __future__ import annotations

import pytest

from bot.adapters.wolkvox.errors import ServerError, TokenRejectedError, WolkvoxError


@pytest.mark.parametrize(
    ("error", "attempts", "expected"),
    [
        (
            ServerError("Wolkvox had a server error (500).", status=500),
            3,
            "operation 'bogota': Wolkvox had a server error (500) (gave up after 3 attempts); "
            "the next poll tries again.",
        ),
        (
            ServerError("Wolkvox had a server error (502).", status=502),
            1,
            "operation 'bogota': Wolkvox had a server error (502); the next poll tries again.",
        ),
        (
            TokenRejectedError("the token was refused; generate a new one in wolkvox Manager."),
            1,
            "operation 'bogota': the token was refused; generate a new one in wolkvox Manager.",
        ),
    ],
)
def test_the_final_text_says_what_happens_next(
    error: WolkvoxError, attempts: int, expected: str
) -> None:
    error.operation, error.attempts = "bogota", attempts
    assert str(error) == expected
    assert "retrying" not in str(error).lower()
