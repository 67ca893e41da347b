"""The record of incidents and actions <-> flat rows, shared by every store.

Like `rows`, these validate and encode before anything is written, so the memory
store refuses exactly what SQLite refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from bot.adapters.store.base import ActionEntry, Document, IncidentEntry
from bot.adapters.store.encoding import decode_document, encode_document, from_micros, to_micros

IncidentRow = tuple[str, str, str, int, int | None, str]
ActionRow = tuple[int, str, str | None, str]
SilenceUpsert = tuple[str, str, int]


def incident_rows(incidents: Iterable[IncidentEntry]) -> Iterator[IncidentRow]:
    """(id, rule, operation, started_at, ended_at, doc) of each incident to upsert."""
    for entry in incidents:
        ended = None if entry.ended_at is None else to_micros(entry.ended_at, what="ended_at")
        yield (
            entry.incident_id,
            entry.rule,
            entry.operation,
            to_micros(entry.started_at, what="started_at"),
            ended,
            encode_document(entry.doc, what=f"incident {entry.incident_id!r}"),
        )


def action_rows(actions: Iterable[ActionEntry]) -> Iterator[ActionRow]:
    """(at, rule, operation, doc) of each action to append."""
    for entry in actions:
        yield (
            to_micros(entry.at, what="action time"),
            entry.rule,
            entry.operation,
            encode_document(entry.doc, what=f"action on {entry.rule!r}"),
        )


def silence_upserts(
    silences: Mapping[str, tuple[Document, datetime]],
) -> Iterator[SilenceUpsert]:
    """(id, doc, ends_at) of each silence to store."""
    for silence_id, (doc, ends_at) in silences.items():
        yield (
            silence_id,
            encode_document(doc, what=f"silence {silence_id!r}"),
            to_micros(ends_at, what="ends_at"),
        )


def decode_incident(row: IncidentRow) -> IncidentEntry:
    incident_id, rule, operation, started, ended, doc = row
    return IncidentEntry(
        incident_id=incident_id,
        rule=rule,
        operation=operation,
        started_at=from_micros(started),
        ended_at=None if ended is None else from_micros(ended),
        doc=decode_document(doc),
    )


def decode_action(row: ActionRow) -> ActionEntry:
    at, rule, operation, doc = row
    return ActionEntry(at=from_micros(at), rule=rule, operation=operation, doc=decode_document(doc))
