"""Actions passed to an operation's holder, on PostgreSQL (bot.services.ports.requests).

One row per request (migration 4): the operation, the request as a JSON document, when it
was made, and once carried out its outcome. Storing a request announces it (REQUESTED,
inside the transaction) to the replica that holds the operation; answering it announces
ANSWERED to the replica that waits. Answered rows are forgotten after a day.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.adapters.store.documents import decode_silence, encode_silence
from bot.adapters.store.postgres_sql import Conn
from bot.adapters.store.rows import to_micros
from bot.services.ports.changes import Change, ChangeKind
from bot.services.ports.requests import ActionRequest, PendingRequest, RequestKind

T = TypeVar("T")
Run = Callable[[Callable[[Conn], Awaitable[T]]], Awaitable[T]]
Announce = Callable[..., Awaitable[None]]

KEEP_ANSWERED = timedelta(days=1)
_DB_NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"


def encode_request(request: ActionRequest) -> str:
    doc: dict[str, Any] = {
        "kind": request.kind.value,
        "by": request.by,
        "at": request.at.isoformat(),
        "rule": request.rule,
        "incident_id": request.incident_id,
        "silence": encode_silence(request.silence) if request.silence else None,
        "lifted": list(request.lifted),
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def decode_request(operation: str, text: str) -> ActionRequest:
    doc = json.loads(text)
    silence = doc.get("silence")
    return ActionRequest(
        kind=RequestKind(doc["kind"]),
        operation=operation,
        by=str(doc["by"]),
        at=datetime.fromisoformat(doc["at"]),
        rule=doc.get("rule"),
        incident_id=doc.get("incident_id"),
        silence=decode_silence(silence) if silence else None,
        lifted=tuple(str(i) for i in doc.get("lifted", ())),
    )


class PostgresRequests:
    """The requests of one PostgreSQL store (its transactions and announcements)."""

    def __init__(self, *, run: Run[Any], announce: Announce) -> None:
        self._run = run
        self._announce = announce

    async def request(self, request: ActionRequest) -> int:
        values = (request.operation, encode_request(request), to_micros(request.at, what="at"))

        async def work(conn: Conn) -> int:
            cursor = await conn.execute(
                "INSERT INTO action_requests (operation, doc, created_at) "
                "VALUES (%s, %s::json, %s) RETURNING id",
                values,
            )
            row = await cursor.fetchone()
            assert row is not None
            request_id = int(row[0])
            await self._announce(conn, Change(ChangeKind.REQUESTED, request.operation, request_id))
            return request_id

        result: int = await self._run(work)
        return result

    async def pending(self, operations: Collection[str]) -> list[PendingRequest]:
        names = sorted(operations)

        async def work(conn: Conn) -> list[PendingRequest]:
            cursor = await conn.execute(
                "SELECT id, operation, doc::text FROM action_requests "
                "WHERE answer IS NULL AND operation = ANY(%s::text[]) ORDER BY id",
                (names,),
            )
            found = []
            for request_id, operation, text in await cursor.fetchall():
                try:
                    found.append(PendingRequest(int(request_id), decode_request(operation, text)))
                except (KeyError, TypeError, ValueError):
                    continue  # a newer callbot's request: left for a replica that reads it
            return found

        result: list[PendingRequest] = await self._run(work)
        return result

    async def answer(self, request_id: int, outcome: str) -> None:
        keep = KEEP_ANSWERED // timedelta(microseconds=1)

        async def work(conn: Conn) -> None:
            await conn.execute(
                f"UPDATE action_requests SET answer = %s, answered_at = {_DB_NOW} "  # noqa: S608
                "WHERE id = %s AND answer IS NULL",
                (outcome, request_id),
            )
            await conn.execute(
                f"DELETE FROM action_requests WHERE answered_at < {_DB_NOW} - %s",  # noqa: S608
                (keep,),
            )
            await self._announce(conn, Change(ChangeKind.ANSWERED, None, request_id))

        await self._run(work)

    async def outcome(self, request_id: int) -> str | None:
        async def work(conn: Conn) -> str | None:
            cursor = await conn.execute(
                "SELECT answer FROM action_requests WHERE id = %s", (request_id,)
            )
            row = await cursor.fetchone()
            return None if row is None or row[0] is None else str(row[0])

        result: str | None = await self._run(work)
        return result
