"""The composition root's own decisions: request limits that fit the poll period, the
response size cap from the configuration, and which missing credential stops `callbot
run` (named by its environment variable)."""

from __future__ import annotations

import pytest

from bot.adapters.clock import SystemClock
from bot.adapters.wolkvox.simulator import Fault, WolkvoxSimulator
from bot.bootstrap import build_runtime, missing_credentials
from bot.config.request_policy import request_policy
from bot.services.ports import SourceError
from bot.settings import parse_settings
from tests.services.fakes import FakeChat, TextPresenter
from tests.support.config import config_text, make_settings, operation


def config(a: str) -> str:
    """Operations `a` (polled every `a`) and `b` (every 5 minutes), 200 licenses each."""
    return config_text(
        operations=[
            operation("a", token="t-a", licenses=200, poll_every=a),
            operation("b", token="t-b", licenses=200, poll_every="5m"),
        ]
    )


@pytest.mark.parametrize(
    ("poll_every", "speed", "timeout", "deadline"),
    [
        ("5m", 1, 60.0, 240.0),  # the vendor's 60 s cap, retries within 4 minutes
        ("1m", 1, 48.0, 48.0),
        ("2s", 1, 1.6, 1.6),
        ("1s", 1, 1.0, 1.0),  # never below a second
        ("30s", 60, 1.0, 1.0),  # the demo: 30 simulated seconds are half a real one
    ],
)
def test_requests_fit_in_the_shortest_poll_period(poll_every, speed, timeout, deadline) -> None:
    settings = parse_settings(config(a=poll_every), source="t.yml", env={})
    policy = request_policy(settings, speed=speed)
    assert (policy.timeout_s, policy.deadline_s) == pytest.approx((timeout, deadline))


@pytest.mark.parametrize(
    ("env", "http", "named"),
    [
        ({}, False, "SLACK_BOT_TOKEN"),
        ({}, True, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, False, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, True, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, False, None),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, True, None),
    ],
)
def test_the_missing_credential_is_named(env, http, named) -> None:
    settings = parse_settings(config(a="5m"), source="t.yml", env=env)
    problem = missing_credentials(settings, http=http)
    if named is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith(f"{named} is not set")


async def test_max_response_mb_caps_what_the_client_reads(tmp_path) -> None:
    """A 60,000-record answer (about 10 MB) is refused under a 1 MB cap, with the key named."""
    async with WolkvoxSimulator(valid_tokens=["t-a"]) as simulator:
        simulator.set_fault(Fault.OVER_LIMIT)
        settings = make_settings(
            max_response_mb=1,
            store={"path": tmp_path / "s.sqlite3"},
            operations=[
                operation(
                    "a", token="t-a", licenses=200, poll_every=None, base_url=simulator.base_url
                )
            ],
            source="t.yml",
        )
        runtime = build_runtime(
            settings,
            clock=SystemClock(),
            chat=FakeChat(),
            presenter=TextPresenter(),
        )
        try:
            with pytest.raises(SourceError) as refused:
                await runtime.source.calls_last_10("a")
        finally:
            await runtime.close_quietly()
    assert "1,048,576 byte cap" in refused.value.message
    assert "max_response_mb" in refused.value.message
