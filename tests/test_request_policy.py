"""One RequestPolicy: what the client may spend on a call, as the configuration implies it."""

from __future__ import annotations

import pytest

from bot.config.report import render_report
from bot.config.request_policy import DEFAULT_POLICY, RequestPolicy, request_policy
from bot.settings import parse_settings

CONFIG = """\
defaults: false
operations:
  - {name: bogota, server: '0004', token: tok-policy-1, licenses: 10, channel: C0123456789,
     poll_every: 2m}
"""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timeout_s": 0}, "timeout_s and deadline_s must be positive"),
        ({"deadline_s": -1}, "timeout_s and deadline_s must be positive"),
        ({"attempts": 0}, "attempts must be at least 1"),
        ({"backoff_base_s": 40, "backoff_max_s": 30}, "backoff_base_s must be between"),
        ({"token_hold_s": -0.5}, "token_hold_s must not be negative"),
    ],
)
def test_a_policy_that_could_not_work_is_refused(fields: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RequestPolicy(**fields)  # type: ignore[arg-type]


def test_the_default_keeps_wolkvox_limits() -> None:
    assert DEFAULT_POLICY.timeout_s == DEFAULT_POLICY.token_hold_s == 60.0
    assert DEFAULT_POLICY.attempts == 4


def test_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RequestPolicy(backoff_base_s=2, backoff_max_s=10)
    assert [policy.backoff_ceiling(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 10]


def test_check_config_counts_the_attempts_of_the_policy_the_client_is_built_with() -> None:
    settings = parse_settings(CONFIG, source="t.yml", env={})
    attempts = request_policy(settings).attempts
    assert f"(720 x {attempts} attempts per poll = {720 * attempts:,}:" in render_report(settings)


def test_the_demo_speed_scales_the_token_hold() -> None:
    settings = parse_settings(CONFIG, source="t.yml", env={})
    assert request_policy(settings, speed=60).token_hold_s == pytest.approx(1.0)
