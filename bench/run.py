"""Run every benchmark and print one table: figure, measured value, target, pass or miss.

    python -m bench.run                 # everything, about 2 minutes on 2 cores
    python -m bench.run --quick         # smaller sizes: a smoke run of a few seconds each
    python -m bench.run --only ingest   # one benchmark (repeat --only for several)
    python -m bench.run --record        # also append the table to bench/RESULTS.md

Figures are measurements, not tests: a miss does not fail the command (an error does).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

BENCHMARKS = (
    "ingest",
    "poll",
    "memory",
    "latency",
    "poll_to_post",
    "scheduler",
    "backtest",
    "store",
    "replicas",
)
RESULTS = ROOT / "bench" / "RESULTS.md"


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"bench.bench_{name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--only", action="append", choices=BENCHMARKS, metavar="NAME", help=", ".join(BENCHMARKS)
    )
    parser.add_argument("--record", action="store_true", help=f"append the results to {RESULTS}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    common = importlib.import_module("bench.common")
    chosen = [name for name in BENCHMARKS if not args.only or name in args.only]
    figures = []
    errors = 0
    started = time.monotonic()
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            figures += _module(name).run(quick=args.quick)
        except Exception as exc:
            errors += 1
            figures.append(
                common.Figure(name, "error", "-", False, f"{type(exc).__name__}: {exc}"[:500])
            )
    elapsed = time.monotonic() - started
    machine = common.machine()
    report = "\n".join(
        [
            common.table(figures),
            "",
            common.notes(figures),
            "",
            "Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()),
            f"Run: {'--quick, ' if args.quick else ''}{elapsed:.0f} s",
        ]
    )
    print(report)
    if args.record:
        _append(report, machine["date"], quick=args.quick, only=chosen)
    return 1 if errors else 0


def _append(report: str, date: str, *, quick: bool, only: list[str]) -> None:
    """Add a dated section at the end of RESULTS.md; earlier runs are never rewritten."""
    scope = "all benchmarks" if len(only) == len(BENCHMARKS) else ", ".join(only)
    title = f"\n## {date} ({scope}{', quick' if quick else ''})\n\n"
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n")
    with RESULTS.open("a") as out:
        out.write(title + report + "\n")


if __name__ == "__main__":
    sys.exit(main())
