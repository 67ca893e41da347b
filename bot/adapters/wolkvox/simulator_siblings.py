"""Small, plausible `agents` and `skills` answers for the Wolkvox simulator.

They tell the same story as the calls. Each queue's figures are counted from
the inbound calls of the last 10 minutes the simulator serves, so abandons seen
in `calls_last_10` show up in `skills` too. During an abandon surge one queue
(chosen per operation, stable across runs) takes most of the abandoned calls,
its waiting count rises and its service level falls while the other queues stay
calm, and most agents leave the ready state; during a trunk failure (outbound
only) the queues and agents stay as on a normal day.

Values are spelled the vendor's way: counts as numeric strings, percentages as
"34.64 %", durations "HH:MM:SS", occupancy spelled `ocupation`, agent states in
the vendor's words plus the operation's own pause states. Three faults reach
these answers too: `odd_spellings` (the other spellings the vendor's examples
show), `hostile_values` (Slack markup in names and states) and `bad_rows`.
"""

from __future__ import annotations

import zlib
from typing import Any

from bot.adapters.wolkvox.simulator_faults import Fault
from bot.adapters.wolkvox.simulator_scenarios import Incident
from bot.adapters.wolkvox.simulator_traffic import OperationProfile, Record, stream

SKILLS: tuple[tuple[str, str], ...] = (
    ("101", "Servicio al cliente"),
    ("102", "Ventas"),
    ("103", "Soporte tecnico"),
)

SURGE_SHARE = 0.85
"""Share of the abandoned inbound calls that the surging queue takes during a surge."""

_NAMES = (
    "Ana Gomez", "Carlos Ruiz", "Diana Perez", "Jorge Rios", "Laura Diaz", "Mateo Vargas",
    "Paula Castro", "Sergio Mora", "Valentina Lopez", "Andres Rojas", "Camila Herrera",
    "Felipe Torres", "Juliana Ortiz", "Nicolas Silva", "Sofia Ramirez", "David Munoz",
)  # fmt: skip

_STATUS_NORMAL = (
    ("Ready", 0.30), ("Talk", 0.45), ("Ring", 0.05), ("ACW", 0.12),
    ("Break", 0.05), ("Almuerzo", 0.03),
)  # fmt: skip
_STATUS_SURGE = (
    ("Ready", 0.03), ("Talk", 0.40), ("Ring", 0.02), ("ACW", 0.10),
    ("Break", 0.25), ("Almuerzo", 0.10), ("Capacitacion", 0.10),
)  # fmt: skip
_HOSTILE = "<!channel> *Pausa* <https://evil.example|clic> & `x`"


def surge_queue(token: str) -> str:
    """The skill_id of the queue that takes an abandon surge on this operation."""
    return SKILLS[zlib.crc32(token.encode()) % len(SKILLS)][0]


def _percent(part: float, whole: float, fault: Fault | None = None) -> str:
    value = (100.0 * part / whole) if whole else 0.0
    if fault is Fault.ODD_SPELLINGS:
        return "0 %" if value == 0 else f"{value:.2f}%"
    return f"{value:.2f} %"


def _level(value: float, fault: Fault | None) -> str:
    return f"{value:.2f}%" if fault is Fault.ODD_SPELLINGS else f"{value:.2f} %"


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def agents(
    *,
    seed: int,
    token: str,
    profile: OperationProfile,
    minute: int,
    incident: Incident | None,
    fault: Fault | None = None,
) -> list[Any]:
    """The operation's agents as `api=agents` lists them at this minute."""
    rng = stream(seed, token, "agents", minute)
    table = _STATUS_SURGE if incident is Incident.ABANDON_SURGE else _STATUS_NORMAL
    statuses = [s for s, _ in table]
    weights = [w for _, w in table]
    count = max(4, round(profile.peak_per_minute * 2.5))
    odd = fault is Fault.ODD_SPELLINGS
    out: list[Any] = []
    for i in range(count):
        status = rng.choices(statuses, weights)[0]
        seconds = rng.randrange(5, 1800)
        occupancy = f"{rng.uniform(55.0, 92.0):.2f}"
        row: dict[str, Any] = {
            "agent_id": str(1001 + i),
            "agent_name": f"{_NAMES[i % len(_NAMES)]} {i // len(_NAMES) + 1}",
            "agent_status": status.upper() if odd else status,
            "time_state_now": str(seconds) if odd else _hms(seconds),
        }
        row["occupancy" if odd else "ocupation"] = f"{occupancy}%" if odd else f"{occupancy} %"
        if fault is Fault.HOSTILE_VALUES and i == 0:
            row["agent_name"] = row["agent_status"] = _HOSTILE
        out.append(row)
    if fault is Fault.BAD_ROWS:
        out += ["not an object", {"agent_status": "Ready"}, None]
    return out


def _queue_of(record: Record, surge: str | None) -> str:
    crc = zlib.crc32(record["conn_id"].encode())
    if surge is not None and record["result"] == "abandon" and crc % 100 < SURGE_SHARE * 100:
        return surge
    return SKILLS[crc % len(SKILLS)][0]


def skills(
    *,
    seed: int,
    token: str,
    window: list[Record],
    minute: int,
    incident: Incident | None,
    skill_id: str,
    fault: Fault | None = None,
) -> list[Any]:
    """Per-queue figures over the last 10 minutes of inbound calls (`api=skills`)."""
    rng = stream(seed, token, "skills", minute)
    surge = surge_queue(token) if incident is Incident.ABANDON_SURGE else None
    totals = {sid: [0, 0] for sid, _ in SKILLS}
    for record in window:
        if record["type_interaction"] == "inbound":
            counts = totals[_queue_of(record, surge)]
            counts[0] += 1
            counts[1] += record["result"] == "abandon"
    out: list[Any] = []
    for sid, name in SKILLS:
        if skill_id != "all" and skill_id != sid:
            continue
        calls, abandons = totals[sid]
        hot = sid == surge
        waiting = rng.randrange(8, 25) if hot else rng.randrange(0, 4)
        level = rng.uniform(35.0, 60.0) if hot else rng.uniform(80.0, 95.0)
        out.append(
            {
                "skill_id": int(sid) if fault is Fault.ODD_SPELLINGS else sid,
                "skill_name": _HOSTILE if fault is Fault.HOSTILE_VALUES else name,
                "calls_in_queue_now": str(waiting),
                "stat_inbound": str(calls),
                "stat_answer": str(calls - abandons),
                "stat_abandon": str(abandons),
                "by_abandon": _percent(abandons, calls, fault),
                "service_level_10seg": _level(level * 0.8, fault),
                "service_level_20seg": _level(level, fault),
                "service_level_30seg": _level(min(100.0, level * 1.1), fault),
            }
        )
    if fault is Fault.BAD_ROWS:
        out += [42, {"calls_in_queue_now": "3"}]
    return out
