"""Actions passed to the replica that polls an operation (issue 14).

The holder of an operation's lease is the single writer of that operation's alerts: its
next poll cycle stores the alerts as its memory has them, so an acknowledgement written by
another replica would be overwritten a minute later. A replica that receives an action on
an operation it does not hold (an Acknowledge click, `/calls ack`, the alert side of a
silence) stores a request instead; the holder hears of it on the change feed, carries it out
under its state lock (stored with its record and the edit of the living message, which any
replica's drainer delivers) and answers it. A request is kept until answered, so one made
while no replica held the operation is carried out by the next holder.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.silences import Silence


class RequestKind(StrEnum):
    ACK = "ack"
    SILENCE = "silence"
    """A silence already stored: the holder shows it on its firing incidents."""
    UNSILENCE = "unsilence"
    """Silences already lifted (`lifted`): the holder lets its incidents be heard again."""


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """A person's action on one operation's alerts, for its holder to carry out."""

    kind: RequestKind
    operation: str
    by: str
    at: datetime
    rule: str | None = None
    incident_id: str | None = None
    """An Acknowledge button's incident (never a newer one of the same rule)."""
    silence: Silence | None = None
    lifted: tuple[str, ...] = ()
    """The ids of the silences an unsilence lifted."""


@dataclass(frozen=True, slots=True)
class PendingRequest:
    id: int
    request: ActionRequest


class ActionRequests(Protocol):
    """Where requests wait for the holder (PostgreSQL: a table, announced by NOTIFY)."""

    async def request(self, request: ActionRequest) -> int:
        """Store a request (announced to the holder once stored); its id."""
        ...

    async def pending(self, operations: Collection[str]) -> list[PendingRequest]:
        """The requests not yet answered about these operations, oldest first."""
        ...

    async def answer(self, request_id: int, outcome: str) -> None:
        """Record what came of a request (announced to whoever waits for it)."""
        ...

    async def outcome(self, request_id: int) -> str | None:
        """What came of a request; None while it waits."""
        ...
