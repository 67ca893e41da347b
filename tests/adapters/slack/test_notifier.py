"""SlackChat against the fake Slack Web API: what it sends, how it finds, how it fails."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.notifier import SlackChat, incident_metadata
from bot.services.ports.chat import ChatError, ChatErrorKind
from tests.fakes.slack_api import FakeSlackApi

TOKEN = "xoxb-notifier-test-5c1d9e"
CHANNEL = "C0ALERTS"
INCIDENT = "abandons:bogota:20261124T150000"
MESSAGE = {"text": "firing", "blocks": [{"type": "divider"}]}
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(bot_token=TOKEN) as fake:
        yield fake


def chat_for(slack: FakeSlackApi, *, retries: int = 0, token: str = TOKEN) -> SlackChat:
    handlers = [AsyncRateLimitErrorRetryHandler(max_retry_count=retries)] if retries else []
    client = AsyncWebClient(token=token, base_url=slack.api_url, retry_handlers=handlers)
    return SlackChat(client=client)


async def test_a_post_carries_the_incident_in_its_metadata_and_unfurls_nothing(
    slack: FakeSlackApi,
) -> None:
    ts = await chat_for(slack).post(CHANNEL, MESSAGE, incident_id=INCIDENT)

    [call] = slack.calls_to("chat.postMessage")
    assert call.params["metadata"] == incident_metadata(INCIDENT)
    assert call.params["metadata"]["event_payload"] == {"incident_id": INCIDENT}
    assert (call.params["unfurl_links"], call.params["unfurl_media"]) == (False, False)
    assert "link_names" not in call.params and "parse" not in call.params
    stored = slack.message(CHANNEL, ts)
    assert stored is not None
    assert (stored["text"], stored["blocks"]) == ("firing", [{"type": "divider"}])


async def test_edits_in_place_and_replies_in_the_thread(slack: FakeSlackApi) -> None:
    chat = chat_for(slack)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)

    await chat.update(CHANNEL, ts, {"text": "resolved", "blocks": []})
    reply_ts = await chat.reply(
        CHANNEL, ts, {"text": "Resolved after 12m.", "blocks": []}, key="outbox-7"
    )

    assert (slack.message(CHANNEL, ts) or {})["text"] == "resolved"
    assert [m["text"] for m in slack.thread(CHANNEL, ts)] == ["Resolved after 12m."]
    assert reply_ts != ts
    assert len([m for m in slack.messages(CHANNEL) if "thread_ts" not in m]) == 1


async def test_after_a_crash_the_posted_message_is_found_by_its_incident(
    slack: FakeSlackApi,
) -> None:
    chat = chat_for(slack)
    before = datetime.fromtimestamp(1_700_000_000, tz=UTC)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)
    await chat.reply(CHANNEL, ts, {"text": "reminder", "blocks": []}, key="outbox-1")
    for i in range(205):  # more than one page of history after it
        await chat.post(CHANNEL, {"text": f"other {i}"}, incident_id=f"other:bogota:{i}")

    found = await chat.find(CHANNEL, INCIDENT, since=before)
    missing = await chat.find(CHANNEL, "abandons:bogota:20261124T160000", since=before)

    assert found == ts
    assert missing is None
    [first, second] = slack.calls_to("conversations.history")[:2]
    assert first.params["include_all_metadata"] in (True, "true", "1")
    assert int(first.params["limit"]) == 200
    assert second.params["cursor"] == "200"


async def test_a_reply_that_reached_slack_is_found_by_its_key(slack: FakeSlackApi) -> None:
    chat = chat_for(slack)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)
    first = await chat.reply(CHANNEL, ts, {"text": "reminder", "blocks": []}, key="outbox-1")
    second = await chat.reply(CHANNEL, ts, {"text": "resolved", "blocks": []}, key="outbox-2")

    assert await chat.find_reply(CHANNEL, ts, "outbox-1") == first
    assert await chat.find_reply(CHANNEL, ts, "outbox-2") == second
    assert await chat.find_reply(CHANNEL, ts, "outbox-3") is None
    [call, *_] = slack.calls_to("conversations.replies")
    assert call.params["include_all_metadata"] in (True, "true", "1")


async def test_find_looks_only_after_since(slack: FakeSlackApi) -> None:
    chat = chat_for(slack)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)
    after = datetime.fromtimestamp(float(ts), tz=UTC) + timedelta(seconds=1)

    assert await chat.find(CHANNEL, INCIDENT, since=LONG_AGO) == ts
    assert await chat.find(CHANNEL, INCIDENT, since=after) is None


async def test_updating_a_deleted_message_says_message_not_found(slack: FakeSlackApi) -> None:
    with pytest.raises(ChatError) as caught:
        await chat_for(slack).update(CHANNEL, "1700000099.000099", MESSAGE)

    assert caught.value.code == "message_not_found"
    assert caught.value.kind is ChatErrorKind.MESSAGE_GONE
    assert not caught.value.transient


async def test_a_rate_limit_is_retried_by_the_clients_retry_handler(slack: FakeSlackApi) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=0)

    ts = await chat_for(slack, retries=1).post(CHANNEL, MESSAGE, incident_id=INCIDENT)

    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert slack.message(CHANNEL, ts) is not None


async def test_a_rate_limit_left_to_the_drainer_is_transient_with_retry_after(
    slack: FakeSlackApi,
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(ChatError) as caught:
        await chat_for(slack).post(CHANNEL, MESSAGE, incident_id=INCIDENT)

    assert (caught.value.code, caught.value.transient) == ("ratelimited", True)
    assert caught.value.kind is ChatErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 7


@pytest.mark.parametrize(
    ("error", "transient", "kind"),
    [
        ("not_in_channel", False, ChatErrorKind.NEEDS_PERSON),
        ("channel_not_found", False, ChatErrorKind.NEEDS_PERSON),
        ("is_archived", False, ChatErrorKind.NEEDS_PERSON),
        ("account_inactive", False, ChatErrorKind.NEEDS_PERSON),
        ("invalid_blocks", False, ChatErrorKind.REJECTED),
        ("internal_error", True, ChatErrorKind.UNAVAILABLE),
        ("fatal_error", True, ChatErrorKind.UNAVAILABLE),
        ("service_unavailable", True, ChatErrorKind.UNAVAILABLE),
    ],
)
async def test_slack_errors_say_whether_trying_again_may_help(
    slack: FakeSlackApi, error: str, transient: bool, kind: ChatErrorKind
) -> None:
    slack.error_next("chat.postMessage", error)

    with pytest.raises(ChatError) as caught:
        await chat_for(slack).post(CHANNEL, MESSAGE, incident_id=INCIDENT)

    assert (caught.value.code, caught.value.transient) == (error, transient)
    assert caught.value.kind is kind


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_transient(slack: FakeSlackApi, status: int) -> None:
    slack.fail_next("chat.update", status=status)
    chat = chat_for(slack)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)

    with pytest.raises(ChatError) as caught:
        await chat.update(CHANNEL, ts, MESSAGE)

    assert (caught.value.code, caught.value.transient) == (f"http_{status}", True)
    assert caught.value.kind is ChatErrorKind.UNAVAILABLE


@pytest.mark.parametrize(
    ("program", "kind"),
    [
        (lambda s: s.revoke_token(), "token_revoked"),
        (lambda s: s.revoke_token("account_inactive"), "account_inactive"),
        (lambda s: None, "invalid_auth"),
    ],
)
async def test_refused_tokens_wait_for_a_person_and_are_never_shown(
    slack: FakeSlackApi, program: Callable[[FakeSlackApi], None], kind: str
) -> None:
    program(slack)
    token = TOKEN if kind != "invalid_auth" else "xoxb-wrong-token-0000"

    with pytest.raises(ChatError) as caught:
        await chat_for(slack, token=token).post(CHANNEL, MESSAGE, incident_id=INCIDENT)

    assert (caught.value.code, caught.value.transient) == (kind, False)
    assert caught.value.kind is ChatErrorKind.NEEDS_PERSON
    assert token not in f"{caught.value!s} {caught.value!r} {caught.value.args}"


async def test_an_unreachable_slack_is_a_transient_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = AsyncWebClient(
        token=TOKEN, base_url=f"http://127.0.0.1:{port}/api/", retry_handlers=[]
    )

    with pytest.raises(ChatError) as caught:
        await SlackChat(client=client).find(CHANNEL, INCIDENT, since=LONG_AGO)

    assert (caught.value.code, caught.value.transient) == ("connection", True)
    assert caught.value.kind is ChatErrorKind.UNAVAILABLE


@pytest.mark.parametrize("missing", ["ts", "channel"])
async def test_a_post_or_reply_answered_without_ts_or_channel_is_a_transient_error(
    slack: FakeSlackApi, missing: str
) -> None:
    chat = chat_for(slack)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)
    slack.strip_next("chat.postMessage", missing, times=2)

    with pytest.raises(ChatError) as posted:
        await chat.post(CHANNEL, MESSAGE, incident_id="other:bogota:1")
    with pytest.raises(ChatError) as replied:
        await chat.reply(CHANNEL, ts, {"text": "reminder"}, key="outbox-9")

    for caught in (posted, replied):
        assert (caught.value.code, caught.value.transient) == ("incomplete_answer", True)


async def test_an_edit_answered_without_its_ts_is_a_transient_error(slack: FakeSlackApi) -> None:
    chat = chat_for(slack)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)
    slack.strip_next("chat.update", "ts")

    with pytest.raises(ChatError) as caught:
        await chat.update(CHANNEL, ts, {"text": "resolved"})

    assert (caught.value.code, caught.value.transient) == ("incomplete_answer", True)
    await chat.update(CHANNEL, ts, {"text": "resolved"})  # the retry goes through


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("message_not_found", ChatErrorKind.MESSAGE_GONE),
        ("cant_update_message", ChatErrorKind.MESSAGE_FROZEN),
        ("edit_window_closed", ChatErrorKind.MESSAGE_FROZEN),
        ("msg_too_long", ChatErrorKind.REJECTED),
        ("a_code_slack_adds_tomorrow", ChatErrorKind.REJECTED),
    ],
)
async def test_an_edit_slack_refuses_says_whether_the_message_can_still_change(
    slack: FakeSlackApi, error: str, kind: ChatErrorKind
) -> None:
    chat = chat_for(slack)
    ts = await chat.post(CHANNEL, MESSAGE, incident_id=INCIDENT)
    slack.error_next("chat.update", error)

    with pytest.raises(ChatError) as caught:
        await chat.update(CHANNEL, ts, {"text": "resolved"})

    assert (caught.value.kind, caught.value.code, caught.value.transient) == (kind, error, False)
