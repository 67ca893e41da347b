"""Scripted incidents of the Wolkvox simulator, read in one table.

A scenario is a list of phases, each a span of minutes counted from the moment
the scenario started (the simulator's start, or the last `set_scenario`). Outside
every phase the traffic is normal. Timings are short on purpose: with the
simulated clock at 60x, the whole `demo` script plays in about a minute of real
time, and every incident leaves a clean 10-minute window before it so the bot
has a baseline to compare against.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Incident(StrEnum):
    """What goes wrong in a phase."""

    ABANDON_SURGE = "abandon_surge"
    TRUNK_FAILURE = "trunk_failure"
    SILENCE = "silence"


INCIDENT_TEXT: dict[Incident, str] = {
    Incident.ABANDON_SURGE: "inbound volume x1.3, inbound abandon rate 27-38 %",
    Incident.TRUNK_FAILURE: "outbound ends mostly chanunavail (~55 %) and congestion (~25 %)",
    Incident.SILENCE: "no calls at all",
}


@dataclass(frozen=True, slots=True)
class Phase:
    """An incident from minute `start` (inclusive) to minute `end` (exclusive)."""

    start: int
    end: int
    incident: Incident


SCENARIOS: dict[str, tuple[Phase, ...]] = {
    #  name            phases (minutes after the scenario started)
    "normal": (),
    "abandon_surge": (Phase(10, 25, Incident.ABANDON_SURGE),),
    "trunk_failure": (Phase(10, 25, Incident.TRUNK_FAILURE),),
    "silence": (Phase(10, 25, Incident.SILENCE),),
    "demo": (
        Phase(10, 25, Incident.ABANDON_SURGE),
        Phase(30, 45, Incident.TRUNK_FAILURE),
    ),
}


def validate_scenario(name: str) -> str:
    """Return `name` if it is a known scenario; raise ValueError listing the known ones."""
    if name not in SCENARIOS:
        known = ", ".join(SCENARIOS)
        raise ValueError(f"unknown scenario {name!r}; known scenarios: {known}")
    return name


def incident_at(scenario: str, minute_offset: int) -> Incident | None:
    """The incident in effect `minute_offset` minutes after the scenario started, if any."""
    for phase in SCENARIOS[scenario]:
        if phase.start <= minute_offset < phase.end:
            return phase.incident
    return None


def describe_timeline() -> str:
    """The scenario table as text, one line per phase, for `callbot simulate --list`."""
    lines = []
    for name, phases in SCENARIOS.items():
        label = name
        for p in phases:
            span = f"min {p.start}-{p.end}"
            lines.append(
                f"  {label:<14} {span:<10} {p.incident.value}: {INCIDENT_TEXT[p.incident]}"
            )
            label = ""
        lines.append(f"  {label:<14} {'otherwise' if phases else 'always':<10} normal traffic")
    return "\n".join(lines)
