"""`callbot simulate`: the Wolkvox simulator as a command a newcomer can find their way in.

The start line gives the full `calls_last_10` URL and says that any token works; `--list`
names scenarios and faults as the options that pick them (`--scenario NAME`, `--fault
NAME`); `--verbose` logs one line per request. The simulator itself is simulator.py.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import TextIO

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.adapters.wolkvox.simulator import PATH, VALID_QUERIES, WolkvoxSimulator
from bot.adapters.wolkvox.simulator_faults import FAULT_TEXT, Fault
from bot.adapters.wolkvox.simulator_scenarios import describe_timeline, validate_scenario
from bot.logevents import log_event
from bot.services.ports import Clock

_log = logging.getLogger("callbot.simulator")


def describe_cli() -> str:
    """What `callbot simulate --list` prints: scenarios, faults, and how to pick each."""
    faults_text = "\n".join(f"  {f.value:<20} {FAULT_TEXT[f]}" for f in Fault)
    return (
        "Scenarios (callbot simulate --scenario NAME; minutes counted from the start;\n"
        "traffic follows the operation's local hour: low at night, peaks 08-12 and 14-18):\n"
        f"{describe_timeline()}\n\n"
        "Faults (callbot simulate --fault NAME: every request gets it). Always on: a\n"
        "missing wolkvox-token is a 401, and two overlapping requests on one token get\n"
        "the 403 concurrency error:\n"
        f"{faults_text}"
    )


def check_options(*, scenario: str, fault: str | None) -> None:
    """Raise ValueError naming the known values when `--scenario` or `--fault` is unknown."""
    validate_scenario(scenario)
    if fault is not None and fault not in {f.value for f in Fault}:
        raise ValueError(
            f"unknown fault {fault!r}; `callbot simulate --list` describes each of: "
            + ", ".join(f.value for f in Fault)
        )


def start_line(simulator: WolkvoxSimulator, *, scenario: str, seed: int, speed: float) -> str:
    """The lines printed once the simulator listens: where to point a client, and how."""
    base = simulator.base_url
    options = f"scenario {scenario}, seed {seed}, speed {speed:g}x"
    return (
        f"Wolkvox simulator at {base} ({options}); Ctrl-C to stop.\n"
        f"  calls_last_10: {base}{PATH}?{VALID_QUERIES[0]}\n"
        "  any wolkvox-token works (a missing one is a 401), e.g.\n"
        f"  curl -H 'wolkvox-token: anything' '{base}{PATH}?{VALID_QUERIES[0]}'\n"
        f"  in callbot.yml: base_url: {base}"
    )


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One line per request: method, path, `api`, status, size and time; never the token."""
    started = time.perf_counter()
    status = 500
    size: int | None = None
    try:
        response = await handler(request)
        status, size = response.status, response.content_length
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        log_event(
            _log,
            logging.INFO,
            "simulator_request",
            method=request.method,
            path=request.path,
            api=request.query.get("api"),
            status=status,
            bytes=size,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )


async def serve_forever(
    *,
    port: int,
    scenario: str,
    seed: int,
    speed: float,
    clock: Clock,
    fault: str | None = None,
    verbose: bool = False,
    out: TextIO | None = None,
) -> None:
    """Serve on 127.0.0.1:`port` until cancelled, on `clock` (simulated when `speed` != 1).

    `fault`, if given, is injected into every request (for trying a client by hand).
    """
    simulator = WolkvoxSimulator(scenario=scenario, seed=seed, clock=clock)
    simulator.set_fault(fault)
    await simulator.start(port=port, middlewares=[log_requests] if verbose else [])
    try:
        line = start_line(simulator, scenario=scenario, seed=seed, speed=speed)
        if fault:
            line += f"\n  fault {fault} on every request"
        print(line, file=out or sys.stdout, flush=True)
        await asyncio.Event().wait()
    finally:
        await simulator.stop()
