"""The composition root: the one place that builds the adapters and wires them together.

`assemble` (assembly.py) takes the ports (store, call source, chat, presenter, clock) and
builds everything else: state, monitor, controls, outbox drainer, scheduler, metrics and
health, as a `Runtime`. `build_runtime` (adapters.py) first builds the adapters the
settings choose (the store, the Wolkvox client and its sources) and hands them to
`assemble`: `callbot run` (`run_bot`, run.py), `callbot demo`, the benchmarks and the
end-to-end tests all go through it; service tests call `assemble` with fakes. A backtest
drives the poll cycle alone, built the same way by `assemble_replay`.
"""

from bot.bootstrap.adapters import (
    WolkvoxAdapters,
    build_runtime,
    store_for,
    wolkvox_adapters,
)
from bot.bootstrap.assembly import (
    CycleHooks,
    assemble,
    assemble_replay,
    calls_frontend,
    wire_context,
)
from bot.bootstrap.run import (
    EXIT_SLACK_REFUSED,
    EXIT_USAGE,
    SLACK_API_URL_ENV,
    configure_logs,
    missing_credentials,
    run_bot,
    secrets_of,
)
from bot.bootstrap.serving import EXIT_FAILED, EXIT_OK

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_SLACK_REFUSED",
    "EXIT_USAGE",
    "SLACK_API_URL_ENV",
    "CycleHooks",
    "WolkvoxAdapters",
    "assemble",
    "assemble_replay",
    "build_runtime",
    "calls_frontend",
    "configure_logs",
    "missing_credentials",
    "run_bot",
    "secrets_of",
    "store_for",
    "wire_context",
    "wolkvox_adapters",
]
