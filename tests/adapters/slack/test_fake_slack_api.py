"""The fake Slack Web API behaves like Slack where the notifier and the tests rely on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack_api import FakeSlackApi

TOKEN = "xoxb-fake-test"
METADATA = {"event_type": "callbot_incident", "event_payload": {"incident": "abandon:sales:1"}}


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(bot_token=TOKEN) as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlackApi) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=slack.api_url)


async def test_posts_threads_edits_and_finds_messages_again(
    slack: FakeSlackApi, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel="C1", text="firing", metadata=METADATA)
    await client.chat_postMessage(channel="C1", text="reminder", thread_ts=first["ts"])
    second = await client.chat_postMessage(channel="C1", text="other", blocks=[{"type": "divider"}])
    await client.chat_update(channel="C1", ts=first["ts"], text="resolved")

    plain = await client.conversations_history(channel="C1")
    rich = await client.conversations_history(channel="C1", include_all_metadata=True, limit=1)
    replies = await client.conversations_replies(channel="C1", ts=first["ts"])

    assert [m["text"] for m in plain["messages"]] == ["other", "resolved"]
    assert all("metadata" not in m for m in plain["messages"])
    assert [m["ts"] for m in rich["messages"]] == [second["ts"]] and rich["has_more"]
    assert (slack.message("C1", first["ts"]) or {}).get("metadata") == METADATA
    assert [m["text"] for m in replies["messages"]] == ["resolved", "reminder"]
    assert [m["text"] for m in slack.thread("C1", first["ts"])] == ["reminder"]
    assert (slack.message("C1", second["ts"]) or {}).get("blocks") == [{"type": "divider"}]


@pytest.mark.parametrize(
    ("program", "expected_error"),
    [
        (lambda s: s.error_next("chat.postMessage", "not_in_channel"), "not_in_channel"),
        (lambda s: s.error_next("*", "channel_not_found"), "channel_not_found"),
        (lambda s: s.revoke_token(), "token_revoked"),
    ],
)
async def test_programmed_errors_answer_ok_false(
    slack: FakeSlackApi,
    client: AsyncWebClient,
    program: Callable[[FakeSlackApi], None],
    expected_error: str,
) -> None:
    program(slack)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response["error"] == expected_error
    assert slack.messages("C1") == []
    assert slack.calls[-1].error == expected_error


@pytest.mark.parametrize(
    ("token", "method", "kwargs", "expected_error"),
    [
        ("xoxb-other", "auth_test", {}, "invalid_auth"),
        (
            TOKEN,
            "chat_update",
            {"channel": "C1", "ts": "1.000001", "text": "x"},
            "message_not_found",
        ),
    ],
)
async def test_unknown_tokens_and_messages_are_refused(
    slack: FakeSlackApi, token: str, method: str, kwargs: dict[str, str], expected_error: str
) -> None:
    client = AsyncWebClient(token=token, base_url=slack.api_url)

    with pytest.raises(SlackApiError) as raised:
        await getattr(client, method)(**kwargs)

    assert raised.value.response["error"] == expected_error


async def test_response_url_posts_are_recorded(slack: FakeSlackApi) -> None:
    webhook = AsyncWebhookClient(slack.response_url("abc"))

    response = await webhook.send(text="only you can see this", response_type="ephemeral")

    assert response.status_code == 200
    assert slack.responses == [
        {"id": "abc", "text": "only you can see this", "response_type": "ephemeral"}
    ]
