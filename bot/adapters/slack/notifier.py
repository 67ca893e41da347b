"""Sending for the outbox drainer: Slack's Web API behind the services' `Chat` port.

Each incident's first message carries message metadata naming the incident,
so that after a crash between posting and recording the drainer can find the
message again in the channel's history instead of posting a second one.
Failures reach the drainer as `ChatError`s that say whether trying again may
help: rate limits, 5xx answers and lost connections are transient; a channel
the bot is not in or a revoked token waits for a person. Retries on 429 and
5xx happen first inside slack_sdk's retry handlers (see `build_web_client`);
what is still failing after them comes here. Error messages carry Slack's
error code only, never a token or a message text.

Slack's answers are checked before they are trusted: a chat.postMessage or
chat.update answer without the `ts` and `channel` the next step needs is an
`incomplete_answer` error (transient: the drainer looks for the message by its
metadata before posting again), never a delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.services.ports import RenderedMessage
from bot.services.ports.chat import ChatError, ChatErrorKind

INCIDENT_EVENT_TYPE: Final = "callbot_incident"
REPLY_EVENT_TYPE: Final = "callbot_reply"
HISTORY_PAGE_SIZE: Final = 200
HISTORY_MAX_PAGES: Final = 5
"""At most 1000 messages are searched: an incident's message is recent, and each page
is a rate-limited call (conversations.history is Tier 3)."""

TRANSIENT_ERRORS: Final = frozenset(
    {
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
"""Slack error codes that go away by themselves (rate limits aside)."""

RATE_LIMITED_ERRORS: Final = frozenset({"ratelimited", "rate_limited"})

NEEDS_PERSON_ERRORS: Final = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "is_archived",
        "missing_scope",
    }
)
"""Slack error codes that need a person to change the bot's access."""

MESSAGE_GONE_ERRORS: Final = frozenset({"message_not_found", "thread_not_found"})
MESSAGE_FROZEN_ERRORS: Final = frozenset({"cant_update_message", "edit_window_closed"})
"""chat.update errors for a message a person deleted, or one Slack will never let the bot
edit: the drainer posts the update anew instead of retrying it."""

_KIND_OF_CODE: Final = {
    **dict.fromkeys(TRANSIENT_ERRORS, ChatErrorKind.UNAVAILABLE),
    **dict.fromkeys(RATE_LIMITED_ERRORS, ChatErrorKind.RATE_LIMITED),
    **dict.fromkeys(NEEDS_PERSON_ERRORS, ChatErrorKind.NEEDS_PERSON),
    **dict.fromkeys(MESSAGE_GONE_ERRORS, ChatErrorKind.MESSAGE_GONE),
    **dict.fromkeys(MESSAGE_FROZEN_ERRORS, ChatErrorKind.MESSAGE_FROZEN),
}
"""The kind of every Slack error code the drainer treats apart; any other code (such as
`invalid_blocks`, `msg_too_long` or `no_text`) is a request Slack rejected as written."""

_log = logging.getLogger("callbot.slack.notifier")


def incident_metadata(incident_id: str) -> dict[str, Any]:
    """The message metadata that ties a message to its incident (see `SlackChat.find`)."""
    return {"event_type": INCIDENT_EVENT_TYPE, "event_payload": {"incident_id": incident_id}}


def reply_metadata(key: str) -> dict[str, Any]:
    """The message metadata that names a thread reply's outbox row (see `find_reply`)."""
    return {"event_type": REPLY_EVENT_TYPE, "event_payload": {"key": key}}


def _carries_key(message: Any, key: str) -> bool:
    metadata = message.get("metadata") if isinstance(message, dict) else None
    if not isinstance(metadata, dict) or metadata.get("event_type") != REPLY_EVENT_TYPE:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, dict) and payload.get("key") == key


def chat_error(exc: BaseException) -> ChatError:
    """Translate a slack_sdk or connection failure into a `ChatError`: Slack's error code
    becomes the kind the drainer decides by, and stays on the error as its `code`."""
    if isinstance(exc, SlackApiError):
        return _api_error(exc.response)
    return ChatError(ChatErrorKind.UNAVAILABLE, "connection")


def _api_error(response: Any) -> ChatError:
    status = int(getattr(response, "status_code", 200) or 200)
    data = getattr(response, "data", None)
    code = str(data.get("error") or "") if isinstance(data, dict) else ""
    retry_after = _retry_after(getattr(response, "headers", None))
    if status == 429 or code in RATE_LIMITED_ERRORS:
        return ChatError(ChatErrorKind.RATE_LIMITED, "ratelimited", retry_after=retry_after)
    if status >= 500 or status == 408:
        return ChatError(ChatErrorKind.UNAVAILABLE, f"http_{status}", retry_after=retry_after)
    if status != 200:
        return ChatError(ChatErrorKind.REJECTED, f"http_{status}", retry_after=retry_after)
    code = code or "unknown_error"
    kind = _KIND_OF_CODE.get(code, ChatErrorKind.REJECTED)
    return ChatError(kind, code, retry_after=retry_after)


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


INCOMPLETE_ANSWER: Final = "incomplete_answer"


def _answered(response: AsyncSlackResponse, method: str, *, channel: str) -> str:
    """The `ts` of a chat.postMessage/chat.update answer that names it and its channel.

    Raises a transient `ChatError` otherwise: the message may or may not be in Slack, and
    the next step (an edit, a thread reply) cannot be done without its ts.
    """
    ts = response.get("ts")
    answered_channel = response.get("channel")
    missing = [
        name
        for name, value in (("ts", ts), ("channel", answered_channel))
        if not isinstance(value, str) or not value
    ]
    if missing:
        _log.warning(
            "event=slack_incomplete_answer method=%s channel=%s missing=%s",
            method,
            channel,
            ",".join(missing),
        )
        raise ChatError(ChatErrorKind.UNAVAILABLE, INCOMPLETE_ANSWER)
    return str(ts)


async def _call(request: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    try:
        return await request
    except SlackApiError as exc:
        raise chat_error(exc) from None
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        _log.warning("event=slack_unreachable error=%s", type(exc).__name__)
        raise chat_error(exc) from None


class SlackChat:
    """Implements `bot.services.ports.chat.Chat` with chat.postMessage, chat.update and
    conversations.history. Share the app's `AsyncWebClient` so retries behave alike."""

    def __init__(self, *, client: AsyncWebClient) -> None:
        self._client = client

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        response = await _call(
            self._client.chat_postMessage(
                channel=channel,
                text=str(message.get("text") or ""),
                blocks=message.get("blocks") or None,
                metadata=incident_metadata(incident_id),
                unfurl_links=False,
                unfurl_media=False,
            )
        )
        return _answered(response, "chat.postMessage", channel=channel)

    async def update(self, channel: str, ts: str, message: RenderedMessage) -> None:
        response = await _call(
            self._client.chat_update(
                channel=channel,
                ts=ts,
                text=str(message.get("text") or ""),
                blocks=message.get("blocks") or [],
            )
        )
        _answered(response, "chat.update", channel=channel)

    async def reply(
        self, channel: str, thread_ts: str, message: RenderedMessage, *, key: str
    ) -> str:
        response = await _call(
            self._client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=str(message.get("text") or ""),
                blocks=message.get("blocks") or None,
                metadata=reply_metadata(key),
                unfurl_links=False,
                unfurl_media=False,
            )
        )
        return _answered(response, "chat.postMessage", channel=channel)

    async def find_reply(self, channel: str, thread_ts: str, key: str) -> str | None:
        """The ts of the reply sent with `key` under `thread_ts` (conversations.replies)."""

        def page(cursor: str | None) -> Awaitable[AsyncSlackResponse]:
            return self._client.conversations_replies(
                channel=channel,
                ts=thread_ts,
                include_all_metadata=True,
                limit=HISTORY_PAGE_SIZE,
                cursor=cursor,
            )

        return await _first_ts(page, lambda message: _carries_key(message, key))

    async def find(self, channel: str, incident_id: str, *, since: datetime) -> str | None:
        """The ts of the incident's top-level message posted since `since`, newest first.

        Needs the `channels:history` scope (`groups:history` for private channels).
        """

        def page(cursor: str | None) -> Awaitable[AsyncSlackResponse]:
            return self._client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=HISTORY_PAGE_SIZE,
                cursor=cursor,
            )

        return await _first_ts(page, lambda message: _is_incident_message(message, incident_id))


async def _first_ts(
    page: Callable[[str | None], Awaitable[AsyncSlackResponse]], match: Callable[[Any], bool]
) -> str | None:
    """The ts of the first message `match` accepts, reading at most HISTORY_MAX_PAGES pages."""
    cursor: str | None = None
    for _ in range(HISTORY_MAX_PAGES):
        response = await _call(page(cursor))
        for message in response.get("messages") or []:
            if match(message):
                return str(message.get("ts") or "") or None
        metadata = response.get("response_metadata") or {}
        cursor = str(metadata.get("next_cursor") or "") or None
        if not response.get("has_more") or cursor is None:
            return None
    return None


def _is_incident_message(message: Any, incident_id: str) -> bool:
    if not isinstance(message, dict) or message.get("thread_ts", message.get("ts")) != message.get(
        "ts"
    ):
        return False
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != INCIDENT_EVENT_TYPE:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, dict) and payload.get("incident_id") == incident_id
