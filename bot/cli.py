"""The `callbot` command line: run, demo, check-config, simulate."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callbot",
        description="A Slack bot that watches Wolkvox contact-center operations.",
    )
    parser.add_argument("--version", action="version", version=f"callbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser(
        "check-config", help="validate the configuration and print operations, rules and budget"
    )
    check.add_argument("--config", help="YAML file (default: $CALLBOT_CONFIG or ./callbot.yml)")

    sim = sub.add_parser("simulate", help="serve a simulated Wolkvox API on 127.0.0.1")
    sim.add_argument("--port", type=int, default=8799, help="port (0 picks a free one)")
    sim.add_argument("--scenario", default="normal", help="traffic scenario (see --list)")
    sim.add_argument("--seed", type=int, default=1, help="random seed for reproducible traffic")
    sim.add_argument("--speed", type=float, default=1.0, help="simulated clock speed")
    sim.add_argument("--fault", default=None, help="inject one fault on every request (see --list)")
    sim.add_argument("--list", action="store_true", help="list scenarios and faults, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    if args.command == "check-config":
        from bot.settings import check_config_command

        return check_config_command(args.config)
    if args.command == "simulate":
        from bot.adapters.wolkvox.simulator import describe_scenarios, serve_forever

        if args.list:
            print(describe_scenarios())
            return 0
        try:
            asyncio.run(
                serve_forever(
                    port=args.port,
                    scenario=args.scenario,
                    seed=args.seed,
                    speed=args.speed,
                    fault=args.fault,
                )
            )
        except KeyboardInterrupt:
            return 0
        return 0
    print(f"callbot: unknown command {args.command!r}", file=sys.stderr)
    return 2
