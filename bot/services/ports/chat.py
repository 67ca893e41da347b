"""The chat the outbox is delivered to (Slack, or the console in the demo), and its failures.

A chat's own error codes (`not_in_channel`, `cant_update_message`, `http_503`...) stay
in its adapter: the adapter maps each failure to a `ChatErrorKind`, which is all the
drainer decides by (wait and retry, repost, or wait for a person). The code itself
travels along only to be logged, counted and kept on the outbox row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.services.ports.presenter import RenderedMessage


class ChatErrorKind(StrEnum):
    """What a failed chat call means for the delivery."""

    RATE_LIMITED = "rate_limited"
    """Too many calls: wait (at least `retry_after`) and try again."""
    UNAVAILABLE = "unavailable"
    """The chat could not be reached or failed (5xx, timeout, an answer missing what the
    next step needs): trying again may help."""
    MESSAGE_GONE = "message_gone"
    """The message (or the thread) is not there any more: a person deleted it."""
    MESSAGE_FROZEN = "message_frozen"
    """The message is there but will never take an edit."""
    NEEDS_PERSON = "needs_person"
    """The bot's access must be fixed by a person: not in the channel, token refused..."""
    REJECTED = "rejected"
    """The chat refused this request as written (blocks, length, an unknown call)."""

    @property
    def transient(self) -> bool:
        """Whether the same call may succeed later without anyone changing anything."""
        return self in _TRANSIENT


_TRANSIENT = frozenset({ChatErrorKind.RATE_LIMITED, ChatErrorKind.UNAVAILABLE})


class ChatError(Exception):
    """A chat refused or failed a call.

    `kind` is what it means for the delivery; `code` is the chat's own label for it
    (`ratelimited`, `not_in_channel`, `message_not_found`, `http_500`...), for logs,
    metrics and the outbox row, never compared by the services. `retry_after` is the
    wait the chat asked for, in seconds.
    """

    def __init__(
        self, kind: ChatErrorKind, code: str | None = None, *, retry_after: float | None = None
    ) -> None:
        self.code = code or kind.value
        super().__init__(self.code)
        self.kind = kind
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.kind.transient


class Chat(Protocol):
    """What the drainer needs of a chat. Every method raises `ChatError` on failure."""

    async def post(self, channel: str, message: RenderedMessage, *, incident_id: str) -> str:
        """Post a new message; return its ts."""
        ...

    async def update(self, channel: str, ts: str, message: RenderedMessage) -> None: ...

    async def reply(
        self, channel: str, thread_ts: str, message: RenderedMessage, *, key: str
    ) -> str: ...

    async def find_reply(self, channel: str, thread_ts: str, key: str) -> str | None:
        """The ts of the reply sent with `key` in that thread, if Slack has it.

        A reply may have reached Slack although the bot never learned so (killed, or a
        timeout after Slack stored it): asked before sending again, so it is sent once.
        """
        ...

    async def find(self, channel: str, incident_id: str, *, since: datetime) -> str | None:
        """The ts of the incident's message posted since `since`, if any."""
        ...
