"""What every benchmark shares: the figure it reports, timing helpers, the machine's description.

A benchmark is a module with `NAME` (what `--only` selects) and `run(quick=...) -> list[Figure]`.
Figures are measured, never asserted: a shared, noisy machine makes absolute times drift, so
where a target is a ratio both sides are measured in the same run, interleaved.
"""

from __future__ import annotations

import gc
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the results table.

    `passed` is None for an informative figure without a target. `note` says how it was
    measured, or what was tried when the target is missed.
    """

    name: str
    value: str
    target: str
    passed: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        return "-" if self.passed is None else ("pass" if self.passed else "MISS")


def timed(work: Callable[[], object]) -> float:
    """Seconds `work()` takes, after a collection so that earlier garbage is not billed to it."""
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def percentile(values: Sequence[float], p: float) -> float:
    """The `p`-th percentile (0-100) by nearest rank, the way latency targets are read."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def status_kb(field: str) -> int:
    """A `/proc/self/status` field in kB (VmRSS: resident now, VmHWM: resident peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak_rss() -> bool:
    """Make VmHWM start again from the current VmRSS (Linux clear_refs 5); False if refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on (CPU, cores, Python, load)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": str(cores),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "system": f"{platform.system()} {platform.release()}",
        "load": load,
    }


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table (readable in a terminal and in RESULTS.md)."""
    rows = [("figure", "measured", "target", "result")]
    rows += [(f.name, f.value, f.target, f.verdict) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in rows[1:]]
    return "\n".join(out)


def notes(figures: Sequence[Figure]) -> str:
    return "\n".join(f"- {f.name}: {f.note}" for f in figures if f.note)
