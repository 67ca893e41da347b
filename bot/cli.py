"""The `callbot` command line: run, demo, check-config, doctor, simulate, backtest, test-rules,
migrate."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

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

    doctor = sub.add_parser(
        "doctor", help="check configuration, Slack tokens, scopes, channels, store (and Wolkvox)"
    )
    doctor.add_argument("--config", help="YAML file (default: $CALLBOT_CONFIG or ./callbot.yml)")
    doctor.add_argument("--http", action="store_true", help="check for HTTP mode, not Socket Mode")
    doctor.add_argument(
        "--wolkvox",
        action="store_true",
        help="also send one calls_last_10 per operation (spends one budget call each)",
    )

    run = sub.add_parser("run", help="run the bot: poll Wolkvox, alert in Slack, answer /calls")
    run.add_argument("--config", help="YAML file (default: $CALLBOT_CONFIG or ./callbot.yml)")
    run.add_argument(
        "--http",
        action="store_true",
        help="serve Slack over HTTP (needs SLACK_SIGNING_SECRET) instead of Socket Mode",
    )
    run.add_argument(
        "--port", type=int, default=None, help="HTTP mode port (default: http.port, 3000)"
    )

    demo = sub.add_parser(
        "demo", help="the whole bot against a simulated Wolkvox, in the terminal; no credentials"
    )
    demo.add_argument(
        "--minutes", type=float, default=60, help="simulated minutes to play (default 60)"
    )
    demo.add_argument(
        "--speed", type=float, default=60, help="simulated seconds per real second (default 60)"
    )
    demo.add_argument("--scenario", default="demo", help="simulator scenario (default demo)")
    demo.add_argument("--language", choices=["en", "es"], default="en", help="message language")
    demo.add_argument(
        "--slack",
        metavar="CHANNEL",
        default=None,
        help="post to this Slack channel id (C0123...) instead; needs SLACK_BOT_TOKEN",
    )
    demo.add_argument("--seed", type=int, default=1, help="random seed for the traffic")

    sim = sub.add_parser("simulate", help="serve a simulated Wolkvox API on 127.0.0.1")
    sim.add_argument("--port", type=int, default=8799, help="port (0 picks a free one)")
    sim.add_argument("--scenario", default="normal", help="traffic scenario (see --list)")
    sim.add_argument("--seed", type=int, default=1, help="random seed for reproducible traffic")
    sim.add_argument("--speed", type=float, default=1.0, help="simulated clock speed")
    sim.add_argument("--fault", default=None, help="inject one fault on every request (see --list)")
    sim.add_argument("--list", action="store_true", help="list scenarios and faults, then exit")
    sim.add_argument("--verbose", action="store_true", help="log one line per request")
    _backtest_parser(sub)
    return parser


# issue 13: backtest and test-rules
def _backtest_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bt = sub.add_parser(
        "backtest", help="replay calls through the rules: what would they have done? (no Slack)"
    )
    bt.add_argument("--config", help="YAML file (default: $CALLBOT_CONFIG or ./callbot.yml)")
    data = bt.add_mutually_exclusive_group(required=True)
    data.add_argument("--calls", metavar="FILE", help="calls as CSV with a header, or JSON lines")
    data.add_argument("--history", action="store_true", help="the store's per-minute history")
    data.add_argument(
        "--scenario", metavar="NAME", help="a simulator scenario (see simulate --list)"
    )
    bt.add_argument("--days", type=int, default=1, help="days of scenario traffic (default 1)")
    bt.add_argument("--seed", type=int, default=1, help="random seed of the scenario traffic")
    bt.add_argument("--volume", type=float, default=1.0, help="scenario traffic multiplier")
    bt.add_argument("--operation", help="the operation (needed when there are several)")
    bt.add_argument("--from", dest="start", metavar="TIME", help="first poll (local time)")
    bt.add_argument("--to", dest="end", metavar="TIME", help="last poll (local time)")
    bt.add_argument("--rules", metavar="FILE", help="replay these rules instead of the configured")
    bt.add_argument("--compare", metavar="FILE", help="also replay these rules, side by side")
    bt.add_argument("--format", choices=["table", "json"], default="table")
    tr = sub.add_parser("test-rules", help="run rule unit tests (traffic in, alerts expected)")
    tr.add_argument("files", nargs="+", metavar="FILE", help="rule test files (YAML)")

    mg = sub.add_parser(
        "migrate",
        help="copy a SQLite store into an empty PostgreSQL database (stop the bot first)",
    )
    mg.add_argument(
        "--from", dest="source", required=True, metavar="sqlite:PATH", help="the SQLite store"
    )
    mg.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="postgresql://...",
        help="the PostgreSQL database (leave the password out: libpq reads $PGPASSWORD)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "run" and args.port is not None and not args.http:
        parser.error(
            "run: --port is the HTTP mode port and needs --http; in Socket Mode /healthz and "
            "/metrics listen on http.metrics_port"
        )
    if args.command is None:
        _parser().print_help()
        return 0
    if args.command == "check-config":
        from bot.settings import check_config_command

        return check_config_command(args.config)
    if args.command == "doctor":
        from bot.doctor import run_doctor

        return asyncio.run(run_doctor(args.config, http=args.http, wolkvox=args.wolkvox))
    if args.command == "run":
        return _run(args.config, http=args.http, port=args.port)
    if args.command == "demo":
        from bot.demo import DemoOptions, run_demo

        options = DemoOptions(
            minutes=args.minutes,
            speed=args.speed,
            scenario=args.scenario,
            language=args.language,
            slack_channel=args.slack,
            seed=args.seed,
        )
        try:
            return asyncio.run(run_demo(options))
        except KeyboardInterrupt:
            return 130
    if args.command == "simulate":
        from bot.adapters.clock import SimulatedClock, SystemClock
        from bot.adapters.wolkvox.simulator_cli import check_options, describe_cli, serve_forever

        if args.list:
            print(describe_cli())
            return 0
        if args.verbose:
            from bot.adapters.logs import configure_logging
            from bot.adapters.slack.log_safety import quiet_slack_libraries
            from bot.config.model import LogFormat

            configure_logging(log_format=LogFormat.TEXT, quiet_libraries=quiet_slack_libraries)
        try:
            check_options(scenario=args.scenario, fault=args.fault)
        except ValueError as exc:
            parser.error(f"simulate: {exc}")
        try:
            asyncio.run(
                serve_forever(
                    port=args.port,
                    scenario=args.scenario,
                    seed=args.seed,
                    speed=args.speed,
                    clock=(
                        SystemClock()
                        if args.speed == 1
                        else SimulatedClock(datetime.now(UTC), speed=args.speed)
                    ),
                    fault=args.fault,
                    verbose=args.verbose,
                )
            )
        except KeyboardInterrupt:
            return 0
        return 0
    if args.command == "backtest":
        from bot.backtest.command import BacktestOptions, backtest_command

        return backtest_command(
            BacktestOptions(
                config=args.config,
                calls=args.calls,
                history=args.history,
                scenario=args.scenario,
                days=args.days,
                operation=args.operation,
                start=args.start,
                end=args.end,
                rules=args.rules,
                compare=args.compare,
                format=args.format,
                seed=args.seed,
                volume=args.volume,
            )
        )
    if args.command == "test-rules":
        from bot.backtest.rule_tests import run_rule_tests

        return run_rule_tests(args.files, out=sys.stdout)
    if args.command == "migrate":
        if not args.source.startswith("sqlite:") or args.source == "sqlite:":
            parser.error(f"migrate: --from must be sqlite:PATH, got {args.source!r}")
        from bot.config.store_url import redact_url, url_problem

        problem = url_problem(args.target)
        if problem is not None:
            parser.error(f"migrate: --to {problem}")
        return _migrate(args.source.removeprefix("sqlite:"), args.target, redact_url(args.target))
    print(f"callbot: unknown command {args.command!r}", file=sys.stderr)
    return 2


def _run(config: str | None, *, http: bool, port: int | None) -> int:
    """`callbot run`: a configuration problem or missing credentials exit 2."""
    from bot.bootstrap import EXIT_USAGE, run_bot
    from bot.settings import ConfigError, load_settings

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(run_bot(settings, http=http, port=port))


def _migrate(source: str, target: str, shown: str) -> int:
    """`callbot migrate`: 0 with the rows copied per table, 1 with the reason nothing was."""
    from pathlib import Path

    from bot.adapters.store.postgres_import import migrate_sqlite_to_postgres
    from bot.services.ports.store import StoreError

    try:
        counts = asyncio.run(migrate_sqlite_to_postgres(Path(source), target))
    except StoreError as exc:
        print(f"callbot migrate: {exc}", file=sys.stderr)
        return 1
    print(f"copied {source} into {shown}:")
    print("  " + ", ".join(f"{table} {count}" for table, count in counts.items()))
    return 0
