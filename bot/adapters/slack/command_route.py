"""`/calls last10` over HTTP answered without Bolt's dispatch (issue 11).

A burst of `/calls last10` in a busy channel is answered from the reply cache
(reply_cache.py), yet each request still went through Bolt: the body parsed into a
request object, a middleware chain, listener matching, a task with a timeout, the
acknowledgement built and serialised. Queued twenty deep on one event loop, that was
most of the tail. This route does only what such a request needs: it checks the
signature exactly as Bolt does (slack_sdk's `SignatureVerifier`: HMAC-SHA256 of
`v0:{timestamp}:{body}`, at most 5 minutes off), reads the form as Bolt does, and
acknowledges with the body Bolt's `ack(text=..., blocks=..., response_type=...)`
would send. Anything else (another command, a click, an event, a request that is
not a valid form, and every request whose signature does not check) goes to Bolt
untouched, so a forged or stale request is refused, and audited, by the same code
as before. What it skips: Bolt's single-workspace authorization (one `auth.test`,
whose failure Bolt would word as an error): a last10 reply uses no token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.app import COMMAND
from bot.adapters.slack.ports import CommandRequest, Reply

QuickAnswer = Callable[[CommandRequest], Reply | None]
"""The reply to a `/calls` command that needs no waiting, or None to leave it to Bolt
(`CallsFrontend.quick_reply`)."""


ACK_CACHE_SIZE = 64
"""Serialised acknowledgements kept (as many as the reply cache keeps replies)."""


class CommandShortcut:
    """Answers the `/calls` requests that `answer` takes, signed with `signing_secret`."""

    def __init__(self, *, signing_secret: str, answer: QuickAnswer) -> None:
        self._verifier = SignatureVerifier(signing_secret=signing_secret)
        self._answer = answer
        self._acks: dict[int, tuple[Reply, bytes]] = {}

    def respond(self, headers: Mapping[str, str], body: bytes) -> web.Response | None:
        """The response to this request, or None to hand it to Bolt."""
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        try:
            text = body.decode("utf-8")
            if not self._verifier.is_valid(text, timestamp, signature):
                return None
        except ValueError:  # not UTF-8, or a timestamp that is not a number: Bolt's to say
            return None
        if text.startswith("{") or "payload" in text:
            return None  # JSON, or a click's payload: not a slash command form
        form = dict(parse_qsl(text, keep_blank_values=True))
        if form.get("command") != COMMAND or "ssl_check" in form:
            return None
        request = CommandRequest(
            user_id=form.get("user_id", ""),
            channel_id=form.get("channel_id", ""),
            team_id=form.get("team_id", ""),
            text=form.get("text", ""),
            response_url=form.get("response_url", ""),
        )
        try:
            reply = self._answer(request)
        except Exception:
            return None  # Bolt's listener runs it again and words the failure
        if reply is None:
            return None
        return web.Response(body=self._acknowledgement(reply), content_type="application/json")

    def _acknowledgement(self, reply: Reply) -> bytes:
        """`acknowledgement(reply)`, made once per reply object: a cached last10 reply is
        the same object until the next poll (or minute), so a burst serialises it once."""
        kept = self._acks.get(id(reply))
        if kept is not None and kept[0] is reply:
            return kept[1]
        body = acknowledgement(reply)
        if len(self._acks) >= ACK_CACHE_SIZE:
            del self._acks[next(iter(self._acks))]
        self._acks[id(reply)] = (reply, body)
        return body


def acknowledgement(reply: Reply) -> bytes:
    """The body Bolt sends for `ack(text=..., blocks=... or None, response_type=...)`."""
    answer: dict[str, object] = {
        "text": reply.text,
        "response_type": "in_channel" if reply.in_channel else "ephemeral",
    }
    if reply.blocks:
        answer["blocks"] = reply.blocks
    return json.dumps(answer).encode()
