"""A fake of Slack's Web API: a real aiohttp server on 127.0.0.1 with an ephemeral port.

Point ``AsyncWebClient(base_url=fake.api_url)`` (or SLACK_API_URL) at it. It keeps channel
histories, so the bot can post, edit, thread and find its own messages again
(conversations.history with metadata), and it can be told to fail: HTTP 500 / 429 with
Retry-After, Slack errors (``ok: false``) or a revoked token. Every call is recorded in order.
``apps.connections.open`` leads to a fake Socket Mode endpoint (:attr:`FakeSlackApi.socket`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.slack_requests import (
    HttpResult,
    post_block_action,
    post_event,
    post_raw,
    post_slash_command,
    signed_request_headers,
)
from tests.fakes.slack_socket import PATH as SOCKET_PATH
from tests.fakes.slack_socket import FakeSocketModeEndpoint

__all__ = [
    "FakeSlackApi",
    "HttpResult",
    "RecordedCall",
    "post_block_action",
    "post_event",
    "post_raw",
    "post_slash_command",
    "signed_request_headers",
]

RESPONSE_URL = "response"
"""The pseudo method name under which response_url posts are recorded and faulted."""

ANY_METHOD = "*"

MANIFEST_SCOPES = (
    "chat:write",
    "commands",
    "channels:history",
    "groups:history",
    "usergroups:read",
)
"""The bot scopes manifest.yml grants."""


@dataclass(slots=True)
class RecordedCall:
    method: str
    params: dict[str, Any]
    status: int = 200
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(slots=True)
class _Fault:
    method: str
    times: int
    status: int = 200
    error: str | None = None
    retry_after: int = 1


@dataclass(slots=True)
class _Strip:
    method: str
    fields: tuple[str, ...]
    times: int


@dataclass(slots=True)
class _Channel:
    messages: list[dict[str, Any]] = field(default_factory=list)


class FakeSlackApi:
    """Slack's Web API, in memory. Use as ``async with FakeSlackApi() as slack: ...``."""

    def __init__(
        self,
        *,
        bot_token: str | None = None,
        app_token: str | None = None,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.socket = FakeSocketModeEndpoint()
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.calls: list[RecordedCall] = []
        self.responses: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        """Members of each user group id, for usergroups.users.list."""
        self._channels: dict[str, _Channel] = {}
        self._faults: list[_Fault] = []
        self._revoked: str | None = None
        self._frozen: dict[tuple[str, str], str] = {}
        self._stripped: list[_Strip] = []
        self.scopes: list[str] = list(MANIFEST_SCOPES)
        """Answered in the x-oauth-scopes header of every Web API call, as Slack does."""
        self.outside: set[str] = set()
        """Channels the bot is not a member of: reading or posting there is not_in_channel."""
        self._last_ts = 0.0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{rid}", self._handle_response)
        self.socket.install(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host="127.0.0.1", port=0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        await self.socket.drop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _next_ts(self) -> str:
        """Like Slack's: the time of posting, unique and increasing within a channel."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    @property
    def api_url(self) -> str:
        """The Web API base URL (SLACK_API_URL), with its trailing slash."""
        return f"{self.url}/api/"

    def response_url(self, rid: str = "r1") -> str:
        """A response_url whose posts land in :attr:`responses` with ``"id": rid``."""
        return f"{self.url}/response/{rid}"

    # ---- programming faults ----------------------------------------------------------

    def fail_next(
        self, method: str, status: int = 500, times: int = 1, retry_after: int = 1
    ) -> None:
        """The next ``times`` calls of ``method`` (or ``"*"``) answer HTTP ``status``.

        429 answers carry ``Retry-After: retry_after`` (seconds).
        """
        self._faults.append(_Fault(method, times, status=status, retry_after=retry_after))

    def error_next(self, method: str, error: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 200 ``{"ok": false, "error": error}``."""
        self._faults.append(_Fault(method, times, error=error))

    def strip_next(self, method: str, *fields: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` do their work, but their answer lacks
        ``fields`` (a proxy or a Slack bug answering ``{"ok": true}`` without a ts)."""
        self._stripped.append(_Strip(method, fields, times))

    def revoke_token(self, error: str = "token_revoked") -> None:
        """From now on every Web API call fails with ``error``."""
        self._revoked = error

    def rotate_token(self, bot_token: str) -> None:
        """The app was reinstalled: ``bot_token`` works, any other token is ``invalid_auth``."""
        self._revoked = None
        self.bot_token = bot_token

    def clear_faults(self) -> None:
        """Slack recovered: forget every fault programmed with fail_next / error_next."""
        self._faults.clear()

    def delete_message(self, channel: str, ts: str) -> None:
        """A person deleted the message ``ts`` (its thread replies stay, as in Slack)."""
        messages = self._channel(channel).messages
        messages[:] = [m for m in messages if m["ts"] != ts]

    def freeze_message(self, channel: str, ts: str, error: str = "cant_update_message") -> None:
        """From now on chat.update of the message ``ts`` answers ``error``."""
        self._frozen[(channel, ts)] = error

    # ---- inspection ------------------------------------------------------------------

    def calls_to(self, method: str, *, ok_only: bool = False) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Every message in ``channel``, thread replies included, oldest first."""
        return list(self._channel(channel).messages)

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._channel(channel).messages if m["ts"] == ts), None)

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies under the message ``ts``, oldest first."""
        return [m for m in self._channel(channel).messages if m.get("thread_ts") == ts != m["ts"]]

    async def wait_until(self, predicate: Callable[[], bool], within_s: float = 5.0) -> None:
        """Wait (bounded) until ``predicate()`` holds after some call; raises TimeoutError."""
        async with asyncio.timeout(within_s), self._changed:
            await self._changed.wait_for(predicate)

    async def wait_for(
        self, method: str, count: int = 1, within_s: float = 5.0
    ) -> list[RecordedCall]:
        """Wait until ``method`` was called ``count`` times (any outcome); return those calls."""
        await self.wait_until(lambda: len(self.calls_to(method)) >= count, within_s)
        return self.calls_to(method)

    # ---- HTTP handlers ---------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _parse_params(request)
        token = _token(request, params)
        call = RecordedCall(method=method, params=params)
        try:
            return self._answer(method, params, token, call)
        finally:
            await self._record(call)

    async def _handle_response(self, request: web.Request) -> web.Response:
        params = await _parse_params(request)
        call = RecordedCall(method=RESPONSE_URL, params=params)
        try:
            fault = self._take_fault(RESPONSE_URL)
            if fault is not None:
                call.status = fault.status if fault.error is None else 404
                call.error = fault.error
                return web.Response(status=call.status, text=fault.error or "error")
            self.responses.append({"id": request.match_info["rid"], **params})
            return web.Response(text="ok")
        finally:
            await self._record(call)

    async def _record(self, call: RecordedCall) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None, call: RecordedCall
    ) -> web.Response:
        error: str | None = self._revoked
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if error is None and expected is not None and token != expected:
            error = "invalid_auth"
        fault = None if error is not None else self._take_fault(method)
        if fault is not None and fault.error is None:
            call.status = fault.status
            call.error = "ratelimited" if fault.status == 429 else "http_error"
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return web.json_response(
                {"ok": False, "error": call.error}, status=fault.status, headers=headers
            )
        if fault is not None:
            error = fault.error
        if error is None and method != "auth.test" and str(params.get("channel")) in self.outside:
            error = "not_in_channel"
        body = self._dispatch(method, params) if error is None else {"ok": False, "error": error}
        call.error = None if body.get("ok") else str(body.get("error"))
        if body.get("ok"):
            body = self._strip(method, body)
        return web.json_response(body, headers={"x-oauth-scopes": ",".join(self.scopes)})

    def _strip(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        for strip in self._stripped:
            if strip.method == method and strip.times > 0:
                strip.times -= 1
                if strip.times == 0:
                    self._stripped.remove(strip)
                return {k: v for k, v in body.items() if k not in strip.fields}
        return body

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method in (method, ANY_METHOD) and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ---- Web API methods -------------------------------------------------------------

    def _dispatch(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.getPermalink": self._permalink,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "views.publish": self._views_publish,
            "usergroups.users.list": self._usergroup_users,
        }.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return handler(params)

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.test/",
            "team": "Fake team",
            "user": "callbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}{SOCKET_PATH}"}

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": params.get("text", ""),
            "blocks": params.get("blocks") or [],
        }
        for key in ("thread_ts", "metadata"):
            if params.get(key):
                message[key] = params[key]
        self._channel(channel).messages.append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": dict(message)}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        message = self.message(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if (channel, ts) in self._frozen:
            return {"ok": False, "error": self._frozen[(channel, ts)]}
        for key in ("text", "blocks", "metadata"):
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": self.bot_user_id}
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"]}

    def _permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("message_ts", ""))
        if self.message(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://fake.slack.test/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        with_metadata = _truthy(params.get("include_all_metadata"))
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        limit = int(params.get("limit") or 100)
        top_level = [
            m
            for m in self._channel(channel).messages
            if m.get("thread_ts", m["ts"]) == m["ts"] and oldest <= float(m["ts"]) <= latest
        ]
        newest_first = [_shown(m, with_metadata) for m in reversed(top_level)]
        start = int(params.get("cursor") or 0)
        page = newest_first[start : start + limit]
        has_more = len(top_level) > start + limit
        answer: dict[str, Any] = {"ok": True, "messages": page, "has_more": has_more}
        if has_more:
            answer["response_metadata"] = {"next_cursor": str(start + limit)}
        return answer

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        parent = self.message(channel, ts)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        with_metadata = _truthy(params.get("include_all_metadata"))
        thread = [parent, *self.thread(channel, ts)]
        return {"ok": True, "messages": [_shown(m, with_metadata) for m in thread]}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id, view = str(params.get("user_id", "")), params.get("view")
        if not user_id or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        self.views[user_id] = view
        return {"ok": True, "view": {"id": f"V{len(self.views):04d}", **view}}

    def _usergroup_users(self, params: dict[str, Any]) -> dict[str, Any]:
        members = self.usergroups.get(str(params.get("usergroup", "")))
        if members is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(members)}

    def _channel(self, channel: str) -> _Channel:
        return self._channels.setdefault(channel, _Channel())


async def _parse_params(request: web.Request) -> dict[str, Any]:
    """Query string plus the body, JSON or form-encoded, with JSON-valued fields decoded."""
    params: dict[str, Any] = dict(request.query)
    raw = await request.text()
    if raw:
        if request.content_type == "application/json" or raw.lstrip().startswith("{"):
            params.update(json.loads(raw))
        else:
            params.update(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "metadata", "view", "attachments"):
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            params[key] = json.loads(value)
    return params


def _token(request: web.Request, params: dict[str, Any]) -> str | None:
    token = params.pop("token", None)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ")
    return None if token is None else str(token)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _shown(message: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
    shown = dict(message)
    if not with_metadata:
        shown.pop("metadata", None)
    return shown
