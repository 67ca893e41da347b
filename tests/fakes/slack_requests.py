"""Signed requests as Slack sends them to an app in HTTP mode (for end-to-end tests).

Slack signs ``v0:{timestamp}:{raw body}`` with the signing secret (HMAC-SHA256) and sends the
result in ``X-Slack-Signature``; slash commands and button clicks are form-encoded (clicks as
one ``payload=`` JSON field), events are JSON.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class HttpResult:
    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.text)


def signed_request_headers(
    secret: str, body: str, timestamp: int | None = None, *, content_type: str = FORM
) -> dict[str, str]:
    """The headers Slack would send with ``body`` at ``timestamp`` (default: now)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret=secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


async def post_raw(url: str, body: str, headers: dict[str, str]) -> HttpResult:
    """POST exactly ``body`` with ``headers`` (for forged, stale and replayed requests)."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        return HttpResult(
            status=response.status, text=await response.text(), headers=dict(response.headers)
        )


async def http_get(url: str) -> HttpResult:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return HttpResult(
            status=response.status, text=await response.text(), headers=dict(response.headers)
        )


def slash_command_body(
    text: str,
    *,
    user_id: str = "U0USER",
    channel_id: str = "C0CHAN",
    team_id: str = "T0TEAM",
    response_url: str = "",
    command: str = "/calls",
) -> str:
    """The form body of a slash command, with every field Slack sends."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "example",
            "channel_id": channel_id,
            "channel_name": "ops",
            "user_id": user_id,
            "user_name": "someone",
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": "1.2.abc",
        }
    )


def block_action_body(
    *,
    action_id: str,
    value: str,
    user_id: str = "U0USER",
    channel_id: str = "C0CHAN",
    message_ts: str = "1700000000.000100",
    response_url: str = "",
    team_id: str = "T0TEAM",
) -> str:
    """The form body of a button click (``payload=`` one JSON document)."""
    payload = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "example"},
        "user": {"id": user_id, "username": "someone", "team_id": team_id},
        "api_app_id": "A0APP",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": "1.2.abc",
        "channel": {"id": channel_id, "name": "ops"},
        "message": {"type": "message", "ts": message_ts, "text": "alert", "blocks": []},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Button"},
                "value": value,
                "action_ts": "1700000001.000200",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], *, team_id: str = "T0TEAM") -> str:
    """The JSON body of an Events API callback wrapping ``event``."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": "Ev0001",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": "U0BOT", "is_bot": True}],
        }
    )


async def post_slash_command(
    url: str,
    secret: str,
    text: str,
    *,
    user_id: str = "U0USER",
    channel_id: str = "C0CHAN",
    response_url: str = "",
    timestamp: int | None = None,
) -> HttpResult:
    """Send a signed `/calls <text>` to the app's /slack/events URL."""
    body = slash_command_body(
        text, user_id=user_id, channel_id=channel_id, response_url=response_url
    )
    return await post_raw(url, body, signed_request_headers(secret, body, timestamp))


async def post_block_action(
    url: str,
    secret: str,
    *,
    action_id: str,
    value: str,
    user_id: str = "U0USER",
    channel_id: str = "C0CHAN",
    message_ts: str = "1700000000.000100",
    response_url: str = "",
) -> HttpResult:
    """Send a signed button click."""
    body = block_action_body(
        action_id=action_id,
        value=value,
        user_id=user_id,
        channel_id=channel_id,
        message_ts=message_ts,
        response_url=response_url,
    )
    return await post_raw(url, body, signed_request_headers(secret, body))


async def post_event(url: str, secret: str, event: dict[str, Any]) -> HttpResult:
    """Send a signed Events API callback."""
    body = event_body(event)
    return await post_raw(url, body, signed_request_headers(secret, body, content_type=JSON))
