"""The `/calls last10` replies already rendered, reused until the data or the clock face changes.

A last10 reply is the same for everyone who asks about the same scope, filter and
window until the next poll (it shows no one's own data), so it is rendered once and
reused while the data version (`CommandService.data_version`, compared by identity)
and what the reply shows of the clock are unchanged: a burst of requests in a busy
channel costs one render. The other replies read silences, acknowledgements and the
budget counter, which change between polls, and are rendered every time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.adapters.slack.blocks_kit import Message
from bot.adapters.slack.ports import Reply
from bot.adapters.slack.text import format_age
from bot.services.state import OperationRuntime
from bot.services.views.replies_build import stale_info

REPLY_CACHE_SIZE = 64
"""Rendered `/calls last10` replies kept (one per scope, filter, window and visibility)."""


@dataclass(frozen=True, slots=True)
class CachedReply:
    """A rendered `/calls last10` reply and what it was rendered from.

    `reply` is the message as a Reply, made once and shared by every quick answer
    (command_route.py serialises it once): it is never handed to code that changes it.
    """

    data: tuple[object, ...]
    face: tuple[object, ...]
    message: Message
    public: bool
    reply: Reply


def clock_face(scope: Sequence[OperationRuntime], now: datetime) -> tuple[object, ...]:
    """Everything a last10 reply shows of `now`, per operation: the local minute and
    day (the "as of" time, and whether a call time needs its date), the poll's age as
    written, and whether the data is stale. Two moments with the same face get the
    same reply, so a burst of requests renders once."""
    face: list[object] = []
    for op in scope:
        local = now.astimezone(op.tz)
        end = op.poll.last_success_at
        age = format_age(now - end) if end is not None else None
        stale = stale_info(op, now) is not None
        face += (local.date(), local.hour, local.minute, local.utcoffset(), age, stale)
    return tuple(face)


def _same(cached: tuple[object, ...], current: tuple[object, ...]) -> bool:
    return len(cached) == len(current) and all(a is b for a, b in zip(cached, current, strict=True))


class ReplyCache:
    """At most `size` rendered replies, the least recently rendered dropped first."""

    def __init__(self, size: int = REPLY_CACHE_SIZE) -> None:
        self._size = size
        self._replies: dict[tuple[object, ...], CachedReply] = {}

    def get(
        self, key: tuple[object, ...], *, data: tuple[object, ...], face: tuple[object, ...]
    ) -> CachedReply | None:
        """The reply rendered for `key` from this very data and clock face, if kept."""
        cached = self._replies.get(key)
        if cached is not None and cached.face == face and _same(cached.data, data):
            return cached
        return None

    def put(self, key: tuple[object, ...], reply: CachedReply) -> None:
        self._replies.pop(key, None)
        self._replies[key] = reply
        while len(self._replies) > self._size:
            del self._replies[next(iter(self._replies))]
