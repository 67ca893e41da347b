"""Small, plausible `agents` and `skills` answers for the Wolkvox simulator.

They follow the same script as the calls: during an abandon surge most agents
are not ready and the queues fill up, so a bot that asks `skills` and `agents`
when abandons spike sees a consistent story. Values are spelled the vendor's
way: counts as numeric strings, percentages as "34.64 %", durations "HH:MM:SS".
"""

from __future__ import annotations

import zlib

from bot.adapters.wolkvox.simulator_scenarios import Incident
from bot.adapters.wolkvox.simulator_traffic import OperationProfile, Record, stream

SKILLS: tuple[tuple[str, str], ...] = (
    ("101", "Servicio al cliente"),
    ("102", "Ventas"),
    ("103", "Soporte tecnico"),
)

_NAMES = (
    "Ana Gomez", "Carlos Ruiz", "Diana Perez", "Jorge Rios", "Laura Diaz", "Mateo Vargas",
    "Paula Castro", "Sergio Mora", "Valentina Lopez", "Andres Rojas", "Camila Herrera",
    "Felipe Torres", "Juliana Ortiz", "Nicolas Silva", "Sofia Ramirez", "David Munoz",
)  # fmt: skip

_STATUS_NORMAL = (("Ready", 0.30), ("Busy", 0.50), ("Not Ready - Break", 0.08), ("ACW", 0.12))
_STATUS_SURGE = (("Ready", 0.03), ("Busy", 0.42), ("Not Ready - Break", 0.45), ("ACW", 0.10))


def _percent(part: float, whole: float) -> str:
    return f"{(100.0 * part / whole) if whole else 0.0:.2f} %"


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def agents(
    *, seed: int, token: str, profile: OperationProfile, minute: int, incident: Incident | None
) -> list[Record]:
    """The operation's agents as `api=agents` lists them at this minute."""
    rng = stream(seed, token, "agents", minute)
    table = _STATUS_SURGE if incident is Incident.ABANDON_SURGE else _STATUS_NORMAL
    statuses = [s for s, _ in table]
    weights = [w for _, w in table]
    count = max(4, round(profile.peak_per_minute * 2.5))
    out = []
    for i in range(count):
        out.append(
            {
                "agent_id": str(1001 + i),
                "agent_name": f"{_NAMES[i % len(_NAMES)]} {i // len(_NAMES) + 1}",
                "agent_status": rng.choices(statuses, weights)[0],
                "time_state_now": _hms(rng.randrange(5, 1800)),
                "ocupation": f"{rng.uniform(55.0, 92.0):.2f} %",
            }
        )
    return out


def skills(
    *, seed: int, token: str, window: list[Record], minute: int, incident: Incident | None,
    skill_id: str,
) -> list[Record]:  # fmt: skip
    """Per-queue figures over the last 10 minutes of inbound calls (`api=skills`)."""
    rng = stream(seed, token, "skills", minute)
    totals = {sid: [0, 0] for sid, _ in SKILLS}
    for record in window:
        if record["type_interaction"] != "inbound":
            continue
        sid = SKILLS[zlib.crc32(record["conn_id"].encode()) % len(SKILLS)][0]
        totals[sid][0] += 1
        totals[sid][1] += record["result"] == "abandon"
    surge = incident is Incident.ABANDON_SURGE
    out = []
    for sid, name in SKILLS:
        if skill_id != "all" and skill_id != sid:
            continue
        calls, abandons = totals[sid]
        queue = rng.randrange(6, 25) if surge else rng.randrange(0, 4)
        level = rng.uniform(35.0, 60.0) if surge else rng.uniform(78.0, 95.0)
        out.append(
            {
                "skill_id": sid,
                "skill_name": name,
                "calls_in_queue_now": str(queue),
                "stat_abandon": str(abandons),
                "by_abandon": _percent(abandons, calls),
                "service_level_20seg": f"{level:.2f} %",
            }
        )
    return out
