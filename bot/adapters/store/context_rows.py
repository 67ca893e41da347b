"""Queue and agent snapshots <-> the rows of `context_snapshots`, for every store.

One row per (operation, kind): the latest snapshot of `skills` (kind `queues`) or `agents`,
its time in epoch microseconds (`at`, compared so an older snapshot never replaces a newer
one) and the snapshot as a JSON document. Private to the stores, as `rows` and `documents`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.adapters.store.documents import UNREADABLE, decode_document, encode_document
from bot.adapters.store.rows import to_micros
from bot.domain.queues import AgentKind, AgentSnapshot, AgentStat, QueueSnapshot, QueueStat
from bot.services.ports.snapshots import StoredContext

QUEUES = "queues"
AGENTS = "agents"

ContextRow = tuple[str, str, int, str]
"""operation, kind, at (epoch microseconds), document."""

UPSERT_SQLITE = (
    "INSERT INTO context_snapshots (operation, kind, at, doc) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (operation, kind) DO UPDATE SET at = excluded.at, doc = excluded.doc "
    "WHERE excluded.at > context_snapshots.at"
)
UPSERT_POSTGRES = (
    "INSERT INTO context_snapshots (operation, kind, at, doc) VALUES (%s, %s, %s, %s::json) "
    "ON CONFLICT (operation, kind) DO UPDATE SET at = excluded.at, doc = excluded.doc "
    "WHERE excluded.at > context_snapshots.at"
)
"""Kept only when newer than the stored one: the row count says whether it was."""
SELECT_SQLITE = (
    "SELECT operation, kind, doc FROM context_snapshots WHERE ? IS NULL OR operation = ?"
)
SELECT_POSTGRES = (
    "SELECT operation, kind, doc::text FROM context_snapshots "
    "WHERE %s::text IS NULL OR operation = %s"
)


def _queue(stat: QueueStat) -> dict[str, Any]:
    return {
        "id": stat.skill_id,
        "name": stat.name,
        "waiting": stat.waiting,
        "inbound": stat.inbound,
        "answered": stat.answered,
        "abandoned": stat.abandoned,
        "abandon_pct": stat.abandon_pct,
        "service_level": stat.service_level,
    }


def _agent(stat: AgentStat) -> dict[str, Any]:
    return {
        "id": stat.agent_id,
        "name": stat.name,
        "state": stat.state,
        "kind": stat.kind.value,
        "seconds": stat.seconds_in_state,
        "occupancy": stat.occupancy,
    }


def context_row(operation: str, snapshot: QueueSnapshot | AgentSnapshot) -> ContextRow:
    """The row that keeps `snapshot` (DocumentError when a figure is not JSON, e.g. NaN)."""
    at = to_micros(snapshot.at, what="snapshot.at")
    doc: dict[str, Any] = {"at": snapshot.at.isoformat(), "skipped": snapshot.skipped}
    if isinstance(snapshot, QueueSnapshot):
        kind, doc["queues"] = QUEUES, [_queue(q) for q in snapshot.queues]
    else:
        kind, doc["agents"] = AGENTS, [_agent(a) for a in snapshot.agents]
    return operation, kind, at, encode_document(doc, what=f"the {kind} of {operation}")


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def decode_queues(doc: dict[str, Any]) -> QueueSnapshot:
    queues = tuple(
        QueueStat(
            str(q["id"]),
            str(q["name"]),
            waiting=_int(q.get("waiting")),
            inbound=_int(q.get("inbound")),
            answered=_int(q.get("answered")),
            abandoned=_int(q.get("abandoned")),
            abandon_pct=_float(q.get("abandon_pct")),
            service_level=_float(q.get("service_level")),
        )
        for q in doc["queues"]
    )
    return QueueSnapshot(_time(doc), queues, skipped=int(doc.get("skipped", 0)))


def decode_agents(doc: dict[str, Any]) -> AgentSnapshot:
    agents = tuple(
        AgentStat(
            str(a["id"]),
            str(a["name"]),
            str(a["state"]),
            AgentKind(a["kind"]),
            seconds_in_state=_int(a.get("seconds")),
            occupancy=_float(a.get("occupancy")),
        )
        for a in doc["agents"]
    )
    return AgentSnapshot(_time(doc), agents, skipped=int(doc.get("skipped", 0)))


def _time(doc: dict[str, Any]) -> datetime:
    at = datetime.fromisoformat(str(doc["at"]))
    if at.tzinfo is None:
        raise ValueError("a stored snapshot's time has no timezone")
    return at


def stored_contexts(rows: Iterable[tuple[Any, ...]]) -> dict[str, StoredContext]:
    """(operation, kind, document) rows -> each operation's snapshots; a row that does not
    read back (an unknown kind, a newer callbot's document) is left out."""
    found: dict[str, StoredContext] = {}
    for operation, kind, text in rows:
        name = str(operation)
        kept = found.get(name, StoredContext())
        try:
            doc = decode_document(str(text))
            if kind == QUEUES:
                kept = StoredContext(decode_queues(doc), kept.agents)
            elif kind == AGENTS:
                kept = StoredContext(kept.queues, decode_agents(doc))
        except UNREADABLE:
            continue
        found[name] = kept
    return found
