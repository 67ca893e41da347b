"""The SQLite side of the record: incidents and people's actions (schema migration 4).

Kept apart from sqlite.py so the poll cycle's storage and the record grow
independently; the functions run inside the store's worker thread and, for
writes, inside its transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.adapters.store.documents import fires_with
from bot.adapters.store.rows import (
    action_rows,
    history_page,
    incident_rows,
    silence_upserts,
    to_micros,
)
from bot.services.ports.store import ActionCommit, HistoryPage, NewOutboxRow

UPSERT_INCIDENT = (
    "INSERT INTO incidents (id, rule, operation, started_at, ended_at, doc) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, "
    "doc = excluded.doc"
)
_UPSERT_SILENCE = (
    "INSERT INTO silences (id, doc, ends_at) VALUES (?, ?, ?) ON CONFLICT (id) "
    "DO UPDATE SET doc = excluded.doc, ends_at = excluded.ends_at"
)


def store_action(
    conn: sqlite3.Connection,
    commit: ActionCommit,
    upsert_alerts: Callable[[sqlite3.Connection], None],
    insert_outbox: Callable[[sqlite3.Connection, Sequence[NewOutboxRow]], list[int]],
) -> list[int] | None:
    """Write a whole ActionCommit; the caller's transaction makes it all or nothing. None,
    writing nothing, when an alert of `commit.only_if_firing` no longer fires with its
    incident (read inside the caller's write transaction, so no other writer comes between)."""
    for operation, rule, incident_id in commit.only_if_firing:
        row = conn.execute(
            "SELECT doc FROM alerts WHERE operation = ? AND rule = ?", (operation, rule)
        ).fetchone()
        if not fires_with(None if row is None else row[0], incident_id):
            return None
    upsert_alerts(conn)
    conn.executemany(_UPSERT_SILENCE, silence_upserts(commit.silences))
    conn.executemany("DELETE FROM silences WHERE id = ?", [(i,) for i in commit.forget_silences])
    conn.executemany(
        "INSERT INTO actions (at, rule, operation, doc) VALUES (?, ?, ?, ?)",
        action_rows(commit.actions),
    )
    conn.executemany(UPSERT_INCIDENT, incident_rows(commit.incidents))
    return insert_outbox(conn, commit.outbox)


def forget_history(conn: sqlite3.Connection, cutoff: int) -> None:
    conn.execute("DELETE FROM incidents WHERE ended_at < ?", (cutoff,))
    conn.execute("DELETE FROM actions WHERE at < ?", (cutoff,))


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """One `history` request, validated before it reaches the worker thread."""

    since: int
    rule: str | None
    operation: str | None
    limit: int

    @classmethod
    def of(
        cls, *, since: datetime, rule: str | None, operation: str | None, limit: int
    ) -> HistoryQuery:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        return cls(to_micros(since, what="since"), rule, operation, limit)

    def run(self, conn: sqlite3.Connection) -> HistoryPage:
        scope = (self.rule, self.rule, self.operation, self.operation)
        incidents = conn.execute(
            "SELECT id, rule, operation, started_at, ended_at, doc FROM incidents "
            "WHERE (ended_at IS NULL OR ended_at >= ?) AND (? IS NULL OR rule = ?) "
            "AND (? IS NULL OR operation = ?) ORDER BY started_at DESC, id DESC LIMIT ?",
            (self.since, *scope, self.limit),
        )
        found = incidents.fetchall()
        actions = conn.execute(
            "SELECT at, rule, operation, doc FROM actions WHERE at >= ? "
            "AND (? IS NULL OR rule = ?) AND (? IS NULL OR operation IS NULL "
            "OR operation = ?) ORDER BY at DESC, id DESC LIMIT ?",
            (self.since, *scope, self.limit),
        )
        return history_page(found, actions)
