"""`/calls last10` answered over real HTTP without Bolt's dispatch (command_route.py): the
same answer Bolt gives, and every request it cannot vouch for left to Bolt, which refuses a
forged or stale one exactly as before."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.adapters.slack.app import DEFAULT_ERROR_TEXT, build_app
from bot.adapters.slack.command_route import CommandShortcut
from bot.adapters.slack.http_server import HttpServer, start_http
from bot.adapters.slack.ports import CommandRequest, Reply
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_frontend import FakeFrontend
from tests.fakes.slack_requests import (
    HttpResult,
    block_action_body,
    post_raw,
    signed_request_headers,
    slash_command_body,
)

SECRET = "signing-secret-route-5c2e"
BOT_TOKEN = "xoxb-3333-4444-route-token"
HOOK = "https://hooks.slack.test/commands/T0/55/route-hook-secret"
LAST10 = Reply(
    text="37 calls in the last 10 minutes ñ <&>",
    blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*37 calls* “quoted”"}}],
)


class QuickFrontend(FakeFrontend):
    """A FakeFrontend that also answers `last10...` commands quickly, and counts them."""

    def __init__(self) -> None:
        super().__init__()
        self.quick: list[CommandRequest] = []
        self.quick_error: Exception | None = None

    def quick_reply(self, request: CommandRequest) -> Reply | None:
        self.quick.append(request)
        if self.quick_error is not None:
            raise self.quick_error
        return self.command_reply if request.text.startswith("last10") else None


@dataclass
class Served:
    server: HttpServer
    frontend: QuickFrontend

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/slack/events"


async def _serve(slack: FakeSlackApi, *, shortcut: bool) -> Served:
    frontend = QuickFrontend()
    frontend.command_reply = LAST10
    app = build_app(
        frontend=frontend, bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=slack.api_url
    )
    route = CommandShortcut(signing_secret=SECRET, answer=frontend.quick_reply)
    server = await start_http(
        app,
        host="127.0.0.1",
        port=0,
        health=lambda: (True, "ok"),
        metrics=lambda: b"",
        shortcut=route if shortcut else None,
    )
    return Served(server, frontend)


@pytest.fixture
async def servers() -> AsyncIterator[tuple[Served, Served]]:
    """The bot with the shortcut, and the bot as it was (Bolt only), side by side."""
    async with FakeSlackApi(bot_token=BOT_TOKEN) as slack:
        quick, bolt = await _serve(slack, shortcut=True), await _serve(slack, shortcut=False)
        try:
            yield quick, bolt
        finally:
            await quick.server.stop()
            await bolt.server.stop()


async def _post(served: Served, body: str, headers: dict[str, str]) -> HttpResult:
    return await post_raw(served.url, body, headers)


@pytest.mark.parametrize("public", [False, True])
async def test_last10_gets_the_answer_bolt_gives_without_reaching_bolt(
    servers: tuple[Served, Served], public: bool
) -> None:
    quick, bolt = servers
    for served in servers:
        served.frontend.command_reply = Reply(LAST10.text, LAST10.blocks, in_channel=public)
    body = slash_command_body("last10 sales", user_id="U42", response_url=HOOK)

    fast = await _post(quick, body, signed_request_headers(SECRET, body))
    slow = await _post(bolt, body, signed_request_headers(SECRET, body))

    assert (fast.status, fast.text) == (slow.status, slow.text) == (200, slow.text)
    assert fast.headers["Content-Type"] == slow.headers["Content-Type"]
    assert fast.json()["response_type"] == ("in_channel" if public else "ephemeral")
    assert quick.frontend.commands == []  # Bolt's listener never ran
    [request] = quick.frontend.quick
    assert request == bolt.frontend.commands[0]
    assert (request.user_id, request.text, request.response_url) == ("U42", "last10 sales", HOOK)


def _now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda body: {"Content-Type": "application/x-www-form-urlencoded"}, id="none"),
        pytest.param(lambda body: signed_request_headers("wrong-secret", body), id="secret"),
        pytest.param(
            lambda body: signed_request_headers(SECRET, body, timestamp=_now() - 301), id="stale"
        ),
        pytest.param(
            lambda body: signed_request_headers(SECRET, body, timestamp=_now() + 301), id="future"
        ),
        pytest.param(
            lambda body: {
                **signed_request_headers(SECRET, body, timestamp=_now() - 600),
                "X-Slack-Request-Timestamp": str(_now()),
            },
            id="replayed",
        ),
        pytest.param(
            lambda body: signed_request_headers(SECRET, body.replace("last10", "last11")),
            id="other-body",
        ),
        pytest.param(
            lambda body: {**signed_request_headers(SECRET, body), "X-Slack-Request-Timestamp": "x"},
            id="bad-timestamp",
        ),
    ],
)
async def test_a_request_not_signed_now_with_the_secret_is_refused_and_audited(
    servers: tuple[Served, Served], forge: Any, caplog: pytest.LogCaptureFixture
) -> None:
    quick, _ = servers
    caplog.set_level(logging.INFO)
    body = slash_command_body("last10", response_url=HOOK)

    result = await _post(quick, body, forge(body))

    assert result.status != 200
    assert quick.frontend.quick == [] and quick.frontend.commands == []
    assert "last10" not in result.text and LAST10.text not in result.text


async def test_a_stale_or_forged_last10_gets_bolts_401_and_an_audit_line(
    servers: tuple[Served, Served], caplog: pytest.LogCaptureFixture
) -> None:
    quick, _ = servers
    caplog.set_level(logging.INFO)
    body = slash_command_body("last10", response_url=HOOK)

    stale = await _post(quick, body, signed_request_headers(SECRET, body, timestamp=_now() - 400))
    forged = await _post(quick, body, signed_request_headers("not-it", body))

    assert (stale.status, forged.status) == (401, 401)
    assert quick.frontend.quick == []
    assert "stale_timestamp" in caplog.text and "bad_signature" in caplog.text
    for secret in (SECRET, HOOK):
        assert secret not in caplog.text


@pytest.mark.parametrize("text", ["status", "silence abandon 1h", "", "help"])
async def test_other_commands_are_left_to_bolt(servers: tuple[Served, Served], text: str) -> None:
    quick, _ = servers
    quick.frontend.command_reply = Reply(text="from bolt")
    body = slash_command_body(text)

    result = await _post(quick, body, signed_request_headers(SECRET, body))

    assert result.status == 200 and result.json()["text"] == "from bolt"
    assert [r.text for r in quick.frontend.commands] == [text]


async def test_another_command_a_click_and_an_ssl_check_are_left_to_bolt(
    servers: tuple[Served, Served],
) -> None:
    quick, _ = servers
    other = slash_command_body("last10", command="/other")
    click = block_action_body(action_id="callbot_ack", value="incident:1", response_url="")
    ssl = "ssl_check=1&command=%2Fcalls&text=last10&token=legacy"

    answers = [
        await _post(quick, body, signed_request_headers(SECRET, body))
        for body in (other, click, ssl)
    ]

    assert [a.status for a in answers] == [404, 200, 200]
    assert quick.frontend.commands == []
    assert [a.action_id for a in quick.frontend.actions] == ["callbot_ack"]
    assert LAST10.text not in "".join(a.text for a in answers)


async def test_a_failing_quick_answer_is_left_to_bolt_which_words_it(
    servers: tuple[Served, Served],
) -> None:
    quick, _ = servers
    quick.frontend.quick_error = RuntimeError("boom")
    quick.frontend.error = RuntimeError("boom")
    body = slash_command_body("last10")

    result = await _post(quick, body, signed_request_headers(SECRET, body))

    assert result.status == 200
    assert result.json() == {"text": DEFAULT_ERROR_TEXT, "response_type": "ephemeral"}
    assert len(quick.frontend.quick) == len(quick.frontend.commands) == 1


async def test_a_burst_serialises_one_cached_reply_once(servers: tuple[Served, Served]) -> None:
    quick, _ = servers
    bodies = [slash_command_body("last10", user_id=f"U{i}") for i in range(5)]

    answers = [await _post(quick, b, signed_request_headers(SECRET, b)) for b in bodies]

    assert {a.text for a in answers} == {answers[0].text}
    assert answers[0].json()["blocks"] == LAST10.blocks
    assert len(quick.frontend.quick) == 5
