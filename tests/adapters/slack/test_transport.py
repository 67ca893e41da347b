"""The real Bolt app served over real HTTP on 127.0.0.1, against a fake Slack Web API."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.app import (
    DEFAULT_ERROR_TEXT,
    DEFAULT_WORKING_TEXT,
    build_app,
    build_web_client,
)
from bot.adapters.slack.http_server import HttpServer, start_health_server, start_http
from bot.adapters.slack.ports import Reply
from tests.fakes.slack_api import (
    FakeSlackApi,
    post_block_action,
    post_event,
    post_raw,
    post_slash_command,
    signed_request_headers,
)
from tests.fakes.slack_frontend import FakeFrontend
from tests.fakes.slack_requests import FORM, http_get, slash_command_body

SECRET = "signing-secret-7f3a9c1e5b"
BOT_TOKEN = "xoxb-1111-2222-bot-token-e8d4"
NEEDLE = "needle-text-4711"
HOOK = "https://hooks.slack.test/commands/T0/123/hook-secret-9a8b"


@dataclass
class Health:
    healthy: bool = True
    reason: str = "ok"

    def __call__(self) -> tuple[bool, str]:
        return self.healthy, self.reason


@dataclass
class Served:
    server: HttpServer
    frontend: FakeFrontend
    slack: FakeSlackApi
    health: Health

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.port}{path}"


def metrics() -> bytes:
    return b'# TYPE callbot_polls_total counter\ncallbot_polls_total{outcome="ok"} 3\n'


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(bot_token=BOT_TOKEN) as fake:
        yield fake


@pytest.fixture
async def served(slack: FakeSlackApi) -> AsyncIterator[Served]:
    frontend = FakeFrontend()
    health = Health()
    app = build_app(
        frontend=frontend,
        bot_token=BOT_TOKEN,
        signing_secret=SECRET,
        api_url=slack.api_url,
        command_timeout_s=0.3,
    )
    server = await start_http(app, host="127.0.0.1", port=0, health=health, metrics=metrics)
    yield Served(server=server, frontend=frontend, slack=slack, health=health)
    await server.stop()


@pytest.mark.parametrize(
    ("in_channel", "response_type"), [(False, "ephemeral"), (True, "in_channel")]
)
async def test_signed_command_is_answered_in_the_http_response(
    served: Served, in_channel: bool, response_type: str
) -> None:
    served.frontend.command_reply = Reply(
        text="summary", blocks=[{"type": "divider"}], in_channel=in_channel
    )

    result = await post_slash_command(
        served.events_url, SECRET, "last10 public", user_id="U42", response_url=HOOK
    )

    assert result.status == 200
    assert result.json() == {
        "text": "summary",
        "blocks": [{"type": "divider"}],
        "response_type": response_type,
    }
    [request] = served.frontend.commands
    assert (request.user_id, request.channel_id, request.text, request.response_url) == (
        "U42",
        "C0CHAN",
        "last10 public",
        HOOK,
    )


async def test_failing_frontend_gets_a_short_ephemeral_message(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    served.frontend.error = ValueError(f"boom {NEEDLE}")

    result = await post_slash_command(served.events_url, SECRET, NEEDLE)

    assert result.status == 200
    assert result.json() == {"text": DEFAULT_ERROR_TEXT, "response_type": "ephemeral"}
    assert "ValueError" in caplog.text
    assert NEEDLE not in caplog.text


async def test_slow_frontend_still_answers_before_slack_gives_up(served: Served) -> None:
    served.frontend.block_commands = True

    result = await post_slash_command(served.events_url, SECRET, "status")

    assert result.status == 200
    assert result.json()["text"] == DEFAULT_WORKING_TEXT


def _now() -> int:
    return int(time.time())


def _unsigned(body: str) -> dict[str, str]:
    return {"Content-Type": FORM}


def _wrong_secret(body: str) -> dict[str, str]:
    return signed_request_headers("not-the-secret", body)


def _stale(body: str) -> dict[str, str]:
    return signed_request_headers(SECRET, body, timestamp=_now() - 6 * 60)


def _from_the_future(body: str) -> dict[str, str]:
    return signed_request_headers(SECRET, body, timestamp=_now() + 6 * 60)


def _replayed_with_fresh_timestamp(body: str) -> dict[str, str]:
    headers = signed_request_headers(SECRET, body, timestamp=_now() - 6 * 60)
    headers["X-Slack-Request-Timestamp"] = str(_now())
    return headers


def _signature_of_another_body(body: str) -> dict[str, str]:
    return signed_request_headers(SECRET, body.replace("status", "silence"))


@pytest.mark.parametrize(
    "forge",
    [
        _unsigned,
        _wrong_secret,
        _stale,
        _from_the_future,
        _replayed_with_fresh_timestamp,
        _signature_of_another_body,
    ],
)
async def test_unverified_requests_get_401_and_never_reach_the_frontend(
    served: Served, forge: Any
) -> None:
    body = slash_command_body("status", response_url=HOOK)

    result = await post_raw(served.events_url, body, forge(body))

    assert result.status == 401
    assert served.frontend.commands == []


async def test_button_click_is_acked_then_answered_on_the_response_url(served: Served) -> None:
    result = await post_block_action(
        served.events_url,
        SECRET,
        action_id="callbot_ack",
        value="incident:abandon_rate:sales",
        user_id="U7",
        channel_id="C9",
        message_ts="1700000001.000001",
        response_url=served.slack.response_url("click1"),
    )

    assert result.status == 200
    [response] = [c.params for c in await served.slack.wait_for("response")]
    assert response["text"] == "Acknowledged by <@U0USER>"
    assert response["response_type"] == "ephemeral"
    assert response["replace_original"] is False
    [action] = served.frontend.actions
    assert (
        action.user_id,
        action.channel_id,
        action.message_ts,
        action.action_id,
        action.value,
    ) == (
        "U7",
        "C9",
        "1700000001.000001",
        "callbot_ack",
        "incident:abandon_rate:sales",
    )


async def test_failing_button_tells_the_user_and_logs_no_payload(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    served.frontend.error = KeyError(NEEDLE)

    result = await post_block_action(
        served.events_url,
        SECRET,
        action_id="callbot_silence_1h",
        value=NEEDLE,
        response_url=served.slack.response_url("click2"),
    )

    assert result.status == 200
    [call] = await served.slack.wait_for("response")
    assert call.params["text"] == DEFAULT_ERROR_TEXT
    assert "KeyError" in caplog.text
    assert NEEDLE not in caplog.text


async def test_other_apps_actions_do_not_reach_the_frontend(served: Served) -> None:
    result = await post_block_action(served.events_url, SECRET, action_id="someone_else", value="x")

    assert result.status == 404
    assert served.frontend.actions == []


async def test_opening_the_home_tab_publishes_the_frontends_view(served: Served) -> None:
    await post_event(
        served.events_url, SECRET, {"type": "app_home_opened", "user": "U1", "tab": "messages"}
    )
    result = await post_event(
        served.events_url, SECRET, {"type": "app_home_opened", "user": "U2", "tab": "home"}
    )

    assert result.status == 200
    [publish] = await served.slack.wait_for("views.publish")
    assert publish.params["user_id"] == "U2"
    assert served.slack.views["U2"]["type"] == "home"
    assert served.frontend.home_users == ["U2"]


@pytest.mark.parametrize(
    ("healthy", "reason", "status", "body"),
    [
        (True, "ok", 200, "ok\n"),
        (False, "wolkvox poll stale for 180 s", 503, "wolkvox poll stale for 180 s\n"),
    ],
)
async def test_healthz_reports_status_and_reason(
    served: Served, healthy: bool, reason: str, status: int, body: str
) -> None:
    served.health.healthy, served.health.reason = healthy, reason

    result = await http_get(served.url("/healthz"))

    assert (result.status, result.text) == (status, body)


async def test_livez_answers_while_healthz_reports_a_problem_a_restart_cannot_fix(
    served: Served,
) -> None:
    served.health.healthy, served.health.reason = False, "operation bogota: token refused"

    assert (await http_get(served.url("/healthz"))).status == 503
    live = await http_get(served.url("/livez"))
    assert (live.status, live.text) == (200, "ok\n")


async def test_metrics_are_served_as_prometheus_text(served: Served) -> None:
    result = await http_get(served.url("/metrics"))

    assert result.status == 200
    assert result.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'callbot_polls_total{outcome="ok"} 3' in result.text


async def test_health_server_is_off_on_port_zero() -> None:
    assert await start_health_server(0, host="127.0.0.1", health=Health(), metrics=metrics) is None


async def test_health_server_serves_health_and_metrics_but_not_slack() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await start_health_server(
        port, host="127.0.0.1", health=Health(False, "slack unreachable"), metrics=metrics
    )
    assert server is not None
    try:
        health = await http_get(f"http://127.0.0.1:{port}/healthz")
        scrape = await http_get(f"http://127.0.0.1:{port}/metrics")
        events = await post_slash_command(f"http://127.0.0.1:{port}/slack/events", SECRET, "x")
    finally:
        await server.stop()

    assert (health.status, health.text) == (503, "slack unreachable\n")
    assert scrape.status == 200
    assert events.status == 404


@pytest.mark.parametrize(
    ("status", "failures", "expected_statuses"),
    [
        (429, 1, [429, 200]),
        (500, 2, [500, 500, 200]),
        (503, 1, [503, 200]),
    ],
)
async def test_web_client_retries_rate_limits_and_server_errors(
    slack: FakeSlackApi, status: int, failures: int, expected_statuses: list[int]
) -> None:
    client = build_web_client(
        bot_token=BOT_TOKEN, api_url=slack.api_url, server_error_backoff_s=0.01
    )
    slack.fail_next("chat.postMessage", status=status, times=failures, retry_after=0)

    await client.chat_postMessage(channel="C1", text="hello")

    assert [m["text"] for m in slack.messages("C1")] == ["hello"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == expected_statuses


async def test_web_client_gives_up_after_its_rate_limit_retries(slack: FakeSlackApi) -> None:
    client = build_web_client(bot_token=BOT_TOKEN, api_url=slack.api_url, rate_limit_retries=1)
    slack.fail_next("chat.postMessage", status=429, times=2, retry_after=0)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hello")

    assert raised.value.response.status_code == 429
    assert slack.messages("C1") == []
    assert BOT_TOKEN not in str(raised.value)


async def test_bad_signature_leaves_no_secret_and_no_body_in_logs(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = slash_command_body(NEEDLE, response_url=HOOK)

    result = await post_raw(served.events_url, body, _wrong_secret(body))

    assert result.status == 401
    _assert_clean(caplog)


async def test_library_log_lines_are_reduced_even_when_their_level_is_lowered(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    verification = logging.getLogger("slack_bolt.RequestVerification")
    level = verification.level
    verification.setLevel(logging.DEBUG)
    try:
        body = slash_command_body(NEEDLE, response_url=HOOK)
        result = await post_raw(served.events_url, body, _wrong_secret(body))
    finally:
        verification.setLevel(level)

    assert result.status == 401
    assert "Invalid request signature detected" in caplog.messages
    _assert_clean(caplog)


def _assert_clean(caplog: pytest.LogCaptureFixture) -> None:
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for leak in (SECRET, BOT_TOKEN, NEEDLE, HOOK, "hook-secret", "legacy-verification-token"):
        assert leak not in logged


async def test_building_the_app_with_slack_bot_token_in_the_environment_warns_of_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt would warn at every start that the environment's token "will be unused"."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    caplog.set_level(logging.DEBUG)
    build_app(frontend=FakeFrontend(), bot_token="xoxb-given", signing_secret="s3cret")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
