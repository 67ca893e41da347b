"""`skills` and `agents` rows to domain snapshots: the anti-corruption layer (pure: no I/O).

The envelope has already been read tolerantly (`data` null, an object, missing
or a 404 are "none"); here each row is read by the domain's tolerant readers
(bot/domain/queues.py). Field names are matched without regard to case, and
the spellings seen across the vendor's examples are all accepted (`ocupation`
and `occupancy`, `service_level_20seg` and `service_level_20`). A row that is
not an object, or names neither an id nor a name, is skipped and counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.adapters.wolkvox.envelope import Envelope
from bot.domain.queues import (
    AgentSnapshot,
    AgentStat,
    QueueSnapshot,
    QueueStat,
    agent_kind,
    read_count,
    read_percent,
    read_seconds,
)

SKILLS_PARAMS: Mapping[str, str] = {"skill_id": "all"}
"""Every queue in one request."""

_MAX_TEXT = 200


def _fields(row: object) -> dict[str, object] | None:
    if not isinstance(row, Mapping):
        return None
    return {str(k).strip().lower(): v for k, v in row.items()}


def _first(row: Mapping[str, object], *names: str) -> object:
    for name in names:
        value = row.get(name)
        if value is not None and value != "":
            return value
    return None


def _text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())[:_MAX_TEXT]
    return ""


def map_skills(envelope: Envelope, at: datetime) -> QueueSnapshot:
    """The queues of one `skills&skill_id=all` answer, as seen at `at` (aware UTC)."""
    queues: list[QueueStat] = []
    skipped = 0
    for raw in envelope.rows:
        row = _fields(raw)
        skill_id = _text(_first(row, "skill_id", "id_skill", "skill")) if row else ""
        name = _text(_first(row, "skill_name", "name", "skill_description")) if row else ""
        if row is None or not (skill_id or name):
            skipped += 1
            continue
        queues.append(
            QueueStat(
                skill_id=skill_id,
                name=name,
                waiting=read_count(_first(row, "calls_in_queue_now", "calls_in_queue")),
                inbound=read_count(_first(row, "stat_inbound", "inbound")),
                answered=read_count(_first(row, "stat_answer", "answer")),
                abandoned=read_count(_first(row, "stat_abandon", "abandon")),
                abandon_pct=read_percent(_first(row, "by_abandon", "abandon_rate")),
                service_level=read_percent(
                    _first(row, "service_level_20seg", "service_level_20", "service_level")
                ),
            )
        )
    return QueueSnapshot(at=at, queues=tuple(queues), skipped=skipped)


def map_agents(envelope: Envelope, at: datetime) -> AgentSnapshot:
    """The agents of one `agents` answer, as seen at `at` (aware UTC)."""
    agents: list[AgentStat] = []
    skipped = 0
    for raw in envelope.rows:
        row = _fields(raw)
        agent_id = _text(_first(row, "agent_id", "id_agent", "agent")) if row else ""
        name = _text(_first(row, "agent_name", "name")) if row else ""
        if row is None or not (agent_id or name):
            skipped += 1
            continue
        state = _text(_first(row, "agent_status", "status", "state"))
        agents.append(
            AgentStat(
                agent_id=agent_id,
                name=name,
                state=state,
                kind=agent_kind(state),
                seconds_in_state=read_seconds(_first(row, "time_state_now", "time_state")),
                occupancy=read_percent(_first(row, "ocupation", "occupancy", "ocupacion")),
            )
        )
    return AgentSnapshot(at=at, agents=tuple(agents), skipped=skipped)
