"""Queues and agents at one moment, as Wolkvox's `skills` and `agents` APIs tell them.

`calls_last_10` says that abandons rose; it cannot say in which queue, how many
callers wait, or how many agents are ready. These snapshots can. Vendor rows
die in the adapter (bot/adapters/wolkvox/skills_mapping.py); from here on a
queue is a `QueueStat` and an agent an `AgentStat`, and the readers below are
the tolerant rules every field goes through (percentages "34.64 %", "0 %" or
"100.00%", counts as numeric strings, durations "HH:MM:SS"). A value that
cannot be read becomes None ("not reported"), never 0 and never a crash.

Agent states are folded into five kinds. Wolkvox documents `READY`, `TALK`,
`ACW` and `RING`, and each operation names its own auxiliary (pause) states:
an unknown state is kept as it came, for display, and counted as auxiliary.

Standard library only (tests/test_domain_purity.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

SHOWN_QUEUES = 5
"""Queues listed on an alert or a reply before "N more"."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_PERCENT = re.compile(r"([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*%?")
_CLOCK = re.compile(r"(\d+):([0-5]?\d)(?::([0-5]?\d))?")
_SEPARATORS = re.compile(r"[\s\-_/.]+")


def read_number(value: object) -> float | None:
    """A finite number from a JSON number or a numeric string ("12", " 3.5 ", "3,5"), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value.strip().replace(",", "."))
    else:
        return None
    return number if math.isfinite(number) else None


def read_count(value: object) -> int | None:
    """A count that is not negative ("12", 12, "12.0"), or None when it cannot be one."""
    number = read_number(value)
    if number is None or number < 0 or not number.is_integer():
        return None
    return int(number)


def read_percent(value: object) -> float | None:
    """A percentage 0-100 from "34.64 %", "0 %", "100.00%", "34.64" or a number, or None."""
    if isinstance(value, str):
        match = _PERCENT.fullmatch(value.strip())
        value = match.group(1) if match else None
    number = read_number(value)
    if number is None or not 0.0 <= number <= 100.0:
        return None
    return number


def read_seconds(value: object) -> int | None:
    """Seconds from "HH:MM:SS" (hours may pass 24), "MM:SS", or seconds as a number or string."""
    if isinstance(value, str):
        match = _CLOCK.fullmatch(value.strip())
        if match:
            first, second, third = match.groups()
            if third is None:
                return int(first) * 60 + int(second)
            return int(first) * 3600 + int(second) * 60 + int(third)
    number = read_number(value)
    if number is None or number < 0:
        return None
    return int(number)


@dataclass(frozen=True, slots=True)
class QueueStat:
    """One queue (Wolkvox "skill") now: who waits, and its figures over its own window.

    Every figure is None when Wolkvox did not report it readably. `service_level`
    is the share answered within 20 seconds (`service_level_20seg`), the
    contact center's first KPI; `abandon_pct` is the vendor's `by_abandon`.
    """

    skill_id: str
    name: str
    waiting: int | None = None
    inbound: int | None = None
    answered: int | None = None
    abandoned: int | None = None
    abandon_pct: float | None = None
    service_level: float | None = None

    @property
    def label(self) -> str:
        """The name people know the queue by (its id when it has no name)."""
        return self.name or self.skill_id


class AgentKind(StrEnum):
    """What an agent is doing, folded from the operation's own state names."""

    READY = "ready"
    TALKING = "talking"
    AFTER_CALL = "after_call"
    AUXILIARY = "auxiliary"
    LOGGED_OUT = "logged_out"


def _squash(value: str) -> str:
    return _SEPARATORS.sub("", value.strip().lower())


_KIND_BY_STATE: dict[str, AgentKind] = {
    **dict.fromkeys(("ready", "available", "disponible", "idle", "libre"), AgentKind.READY),
    **dict.fromkeys(
        (
            "talk", "talking", "busy", "ring", "ringing", "incall", "oncall", "inbound",
            "outbound", "dialing", "hablando", "ocupado", "timbrando", "enllamada",
        ),
        AgentKind.TALKING,
    ),
    **dict.fromkeys(
        ("acw", "aftercallwork", "wrapup", "wrap", "postllamada", "tipificando"),
        AgentKind.AFTER_CALL,
    ),
    **dict.fromkeys(
        ("logout", "loggedout", "logoff", "offline", "desconectado", "deslogueado"),
        AgentKind.LOGGED_OUT,
    ),
}  # fmt: skip


def agent_kind(state: str) -> AgentKind:
    """The kind of a state as Wolkvox spells it; any other state is an auxiliary (pause) state."""
    return _KIND_BY_STATE.get(_squash(state), AgentKind.AUXILIARY)


@dataclass(frozen=True, slots=True)
class AgentStat:
    """One agent now. `state` is the operation's own word for it, kept as it came.

    `name` is personal data: it is shown in channels only when configured.
    """

    agent_id: str
    name: str
    state: str
    kind: AgentKind
    seconds_in_state: int | None = None
    occupancy: float | None = None


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """Every queue of an operation at `at` (aware UTC); `skipped` rows could not be read."""

    at: datetime
    queues: tuple[QueueStat, ...]
    skipped: int = 0

    def age(self, now: datetime) -> timedelta:
        return max(timedelta(0), now - self.at)


@dataclass(frozen=True, slots=True)
class AgentSnapshot:
    """Every agent Wolkvox listed at `at` (aware UTC); `skipped` rows could not be read."""

    at: datetime
    agents: tuple[AgentStat, ...]
    skipped: int = 0

    def age(self, now: datetime) -> timedelta:
        return max(timedelta(0), now - self.at)


def _contribution(queue: QueueStat) -> tuple[float, float, float, float, str]:
    """Sort key: the biggest contributor first (negated figures), then by name."""
    shortfall = 100.0 - queue.service_level if queue.service_level is not None else 0.0
    return (
        -float(queue.abandoned or 0),
        -float(queue.waiting or 0),
        -(queue.abandon_pct or 0.0),
        -shortfall,
        queue.label.casefold(),
    )


def explaining_queues(
    queues: tuple[QueueStat, ...] | list[QueueStat], limit: int = SHOWN_QUEUES
) -> tuple[tuple[QueueStat, ...], int]:
    """The queues that explain an abandon or service-level problem first, and how many more.

    Ordered by abandoned calls, then callers waiting now, then abandon %, then
    how far the service level is below 100 %; a queue with nothing reported
    sorts last. Ties keep a stable, alphabetical order.
    """
    ordered = sorted(queues, key=_contribution)
    shown = tuple(ordered[: max(0, limit)])
    return shown, len(ordered) - len(shown)


@dataclass(frozen=True, slots=True)
class AgentCounts:
    """Agents by kind. `logged_in` counts everyone not logged out; `auxiliary_states`
    lists each auxiliary state as the operation spells it, most common first."""

    ready: int
    talking: int
    after_call: int
    auxiliary: int
    logged_in: int
    auxiliary_states: tuple[tuple[str, int], ...] = ()


def count_agents(agents: tuple[AgentStat, ...] | list[AgentStat]) -> AgentCounts:
    """Agents by kind; auxiliary states that differ only in case or spacing count together."""
    kinds = Counter(a.kind for a in agents)
    spelled: dict[str, str] = {}
    aux: Counter[str] = Counter()
    for agent in agents:
        if agent.kind is AgentKind.AUXILIARY:
            key = " ".join(agent.state.split()).casefold()
            shown = spelled.setdefault(key, " ".join(agent.state.split()) or "?")
            aux[shown] += 1
    return AgentCounts(
        ready=kinds[AgentKind.READY],
        talking=kinds[AgentKind.TALKING],
        after_call=kinds[AgentKind.AFTER_CALL],
        auxiliary=kinds[AgentKind.AUXILIARY],
        logged_in=len(agents) - kinds[AgentKind.LOGGED_OUT],
        auxiliary_states=tuple(sorted(aux.items(), key=lambda kv: (-kv[1], kv[0].casefold()))),
    )
