"""From a file (or text) to `Settings`, or a `ConfigError` listing every problem.

Order of work: read the file, parse YAML, expand `${VAR}`s, validate the top
level, each operation, each rule, then what spans several of them (unique
names, rules naming operations that exist). Problems accumulate throughout and
are raised together at the end.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from bot.config.errors import ConfigError, Problem, ProblemList
from bot.config.fields import did_you_mean
from bot.config.model import (
    DEFAULT_BUDGET_RESERVE,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_HTTP_PORT,
    DEFAULT_METRICS_PORT,
    DEFAULT_STORM_THRESHOLD,
    DEFAULT_STORM_WINDOW,
    MAX_RESPONSE_MB,
    MAX_STORM_WINDOW,
    HttpSettings,
    Language,
    LogFormat,
    OperationSettings,
    Settings,
    SlackSettings,
)
from bot.config.operations_conv import build_operation, operation_where
from bot.config.opt_in import check_budgets, resolve_opt_in
from bot.config.rules_conv import build_rule, rule_where
from bot.config.schema import RootModel, SlackModel, format_loc, validate_partial
from bot.config.secret import Secret
from bot.config.store_url import build_store
from bot.config.yaml_source import Loc, YamlProblem, expand_env, parse_yaml, strip_missing
from bot.domain.specs import RuleSpec

CONFIG_ENV_VAR = "CALLBOT_CONFIG"
DEFAULT_CONFIG_PATH = Path("callbot.yml")
DEFAULT_RULES_NAME = "rules.yml"

_SLACK_ENV = {
    "bot_token": "SLACK_BOT_TOKEN",
    "app_token": "SLACK_APP_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
}
_TOKEN_PREFIX = {"bot_token": "xoxb-", "app_token": "xapp-"}


def resolve_config_path(path: str | Path | None, env: Mapping[str, str]) -> tuple[Path, str]:
    """The file to read and why: --config, else $CALLBOT_CONFIG, else ./callbot.yml."""
    if path is not None and str(path):
        return Path(path), "given with --config"
    if env.get(CONFIG_ENV_VAR):
        return Path(env[CONFIG_ENV_VAR]), f"from {CONFIG_ENV_VAR}"
    return DEFAULT_CONFIG_PATH, f"the default; no --config given and {CONFIG_ENV_VAR} is not set"


def load_settings(
    path: str | Path | None = None, *, env: Mapping[str, str] | None = None
) -> Settings:
    """Read and validate the configuration file (see `resolve_config_path`)."""
    environ = os.environ if env is None else env
    resolved, how = resolve_config_path(path, environ)
    try:
        text = resolved.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            resolved, [Problem("file", "", f"not found: tried {resolved} ({how})")]
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(resolved, [Problem("file", "", "is not UTF-8 text")]) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            resolved, [Problem("file", "", f"cannot be read ({reason}); tried {resolved} ({how})")]
        ) from None
    return parse_settings(text, source=resolved, env=environ)


def parse_settings(
    text: str, *, source: str | Path, env: Mapping[str, str] | None = None
) -> Settings:
    """Validate configuration `text`; `source` names it in errors and in `Settings.source`."""
    environ = os.environ if env is None else env
    problems = ProblemList()
    data = _read_mapping(text, source, problems)
    expanded, env_problems = expand_env(data, environ)
    for loc, message in env_problems:
        problems.add(*_locate(data, loc), message)
    data = strip_missing(expanded)
    root, errors, _ = validate_partial(RootModel, data)
    for loc, message in errors:
        problems.add(*_locate(data, loc), message)

    slack = _slack(root.slack, data, environ, problems)
    reserve = DEFAULT_BUDGET_RESERVE if root.budget_reserve is None else root.budget_reserve
    operations = _operations(data, root, reserve, slack.default_channel, problems)
    rules = _rules(data, root, {op.name for op in operations}, problems)
    use_defaults = root.defaults is not False
    rules = merge_rules(default_rules() if use_defaults else (), rules)
    operations, rules = resolve_opt_in(operations, rules, problems)
    check_budgets(operations, problems)
    http = HttpSettings(
        port=(root.http and root.http.port) or DEFAULT_HTTP_PORT,
        metrics_port=DEFAULT_METRICS_PORT
        if root.http is None or root.http.metrics_port is None
        else root.http.metrics_port,
    )
    if http.metrics_port and http.metrics_port == http.port:
        problems.add("http", "metrics_port", f"is the same as port ({http.port}); use another")
    store = build_store(root.store, problems)
    storm_window = root.storm_window or DEFAULT_STORM_WINDOW
    if storm_window > MAX_STORM_WINDOW:
        problems.add(
            "top level",
            "storm_window",
            "is longer than 1h: new alerts would hide in an old digest; use 1h or less",
        )
    if problems:
        raise ConfigError(source, problems.items())
    return Settings(
        source=Path(source),
        operations=operations,
        rules=rules,
        language=Language(root.language or "en"),
        mask_personal_data=root.mask_personal_data is not False,
        store=store,
        slack=slack,
        http=http,
        log_format=LogFormat(root.log_format or "text"),
        budget_reserve=reserve,
        use_default_rules=use_defaults,
        storm_threshold=_storm_threshold(root, data),
        storm_window=storm_window,
        max_response_mb=root.max_response_mb or MAX_RESPONSE_MB,
        history_days=root.history_days or DEFAULT_HISTORY_DAYS,
    )


def _storm_threshold(root: RootModel, data: Mapping[str, Any]) -> int:
    """The written threshold; `null` (written, empty) turns digests off like 0."""
    if root.storm_threshold is not None:
        return root.storm_threshold
    return 0 if "storm_threshold" in data else DEFAULT_STORM_THRESHOLD


def _read_mapping(text: str, source: str | Path, problems: ProblemList) -> dict[str, Any]:
    try:
        data, duplicates = parse_yaml(text)
    except YamlProblem as exc:
        raise ConfigError(source, [Problem("file", "", str(exc))]) from None
    if data is None:
        raise ConfigError(
            source, [Problem("file", "", "is empty: it needs at least an operations: list")]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ConfigError(
            source,
            [
                Problem(
                    "file", "", f"must be a mapping of keys (operations:, rules:, ...), not {kind}"
                )
            ],
        )
    for key, line in duplicates:
        problems.add(
            f"line {line}",
            key,
            "is written twice in one mapping; YAML would keep only the last one",
        )
    return {str(key): value for key, value in data.items()}


def _locate(data: dict[str, Any], loc: Loc) -> tuple[str, str]:
    """A location in the YAML tree -> (where, field) as problems name them."""
    head, rest = (loc[0], loc[1:]) if loc else ("", ())
    if head in ("operations", "rules") and rest and isinstance(rest[0], int):
        items = data.get(head)
        raw = items[rest[0]] if isinstance(items, list) and rest[0] < len(items) else None
        namer = operation_where if head == "operations" else rule_where
        return namer(raw, rest[0]), format_loc(rest[1:])
    if head in ("slack", "http", "store") and rest:
        return str(head), format_loc(rest)
    return "top level", format_loc(loc)


def _slack(
    model: SlackModel | None,
    data: dict[str, Any],
    env: Mapping[str, str],
    problems: ProblemList,
) -> SlackSettings:
    """Slack settings; a token not written in the file is read from its usual variable."""
    written = data.get("slack") if isinstance(data.get("slack"), dict) else {}
    assert isinstance(written, dict)
    secrets: dict[str, Secret | None] = {}
    for key, variable in _SLACK_ENV.items():
        value = getattr(model, key) if model is not None else None
        if value is not None:
            secrets[key] = Secret(value.get_secret_value())
        elif key not in written and env.get(variable):
            secrets[key] = Secret(env[variable])
        else:
            secrets[key] = None
        prefix = _TOKEN_PREFIX.get(key)
        secret = secrets[key]
        if prefix and secret is not None and not secret.reveal().startswith(prefix):
            origin = "" if key in written else f" (read from {variable})"
            problems.add(
                "slack",
                key,
                f"does not start with {prefix}{origin}; check that the "
                "bot and app tokens are not swapped",
            )
    return SlackSettings(
        bot_token=secrets["bot_token"],
        app_token=secrets["app_token"],
        signing_secret=secrets["signing_secret"],
        default_channel=model.default_channel if model else None,
        admins=frozenset(model.admins or ()) if model else frozenset(),
        admin_group=model.admin_group if model else None,
    )


def _operations(
    data: dict[str, Any],
    root: RootModel,
    reserve: float,
    default_channel: str | None,
    problems: ProblemList,
) -> tuple[OperationSettings, ...]:
    raw_items = root.operations or []
    if not raw_items and "operations" in data and not isinstance(data["operations"], list):
        return ()
    if not raw_items:
        problems.add(
            "top level",
            "operations",
            "required: at least one operation (name, server, token, licenses, channel)",
        )
        return ()
    built: list[OperationSettings] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(raw_items):
        where = operation_where(raw, index)
        operation = build_operation(
            raw,
            where=where,
            default_reserve=reserve,
            default_channel=default_channel,
            problems=problems,
        )
        name = raw.get("name") if isinstance(raw, dict) else None
        if isinstance(name, str) and name in first_index:
            problems.add(
                where,
                "name",
                f"is used by operations #{first_index[name] + 1} and "
                f"#{index + 1}; operation names must be unique",
            )
        elif isinstance(name, str):
            first_index[name] = index
        if operation is not None:
            built.append(operation)
    return tuple(built)


def _rules(
    data: dict[str, Any], root: RootModel, operation_names: set[str], problems: ProblemList
) -> tuple[RuleSpec, ...]:
    raw_operations = data.get("operations")
    declared = operation_names | {
        raw["name"]
        for raw in (raw_operations if isinstance(raw_operations, list) else [])
        if isinstance(raw, dict) and isinstance(raw.get("name"), str)
    }
    built: list[RuleSpec] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(root.rules or []):
        where = rule_where(raw, index)
        rule = build_rule(raw, where=where, problems=problems)
        name = raw.get("name") if isinstance(raw, dict) else None
        if isinstance(name, str) and name in first_index:
            problems.add(
                where,
                "name",
                f"is used by rules #{first_index[name] + 1} and "
                f"#{index + 1}; rule names must be unique",
            )
        elif isinstance(name, str):
            first_index[name] = index
        written = raw.get("operations") if isinstance(raw, dict) else None
        names: list[Any] = [written] if isinstance(written, str) else list(written or [])
        for position, operation in enumerate(names):
            if operation not in declared:
                known = ", ".join(sorted(declared)) or "none"
                problems.add(
                    where,
                    f"operations[{position}]",
                    f"no operation is named "
                    f"{operation!r}{did_you_mean(operation, sorted(declared))} "
                    f"(operations: {known})",
                )
        if rule is not None:
            built.append(rule)
    return tuple(built)


def merge_rules(
    defaults: tuple[RuleSpec, ...], configured: tuple[RuleSpec, ...]
) -> tuple[RuleSpec, ...]:
    """The shipped defaults with each one the file redefines (same name) replaced whole,
    in the defaults' order, followed by the file's other rules in its order."""
    by_name = {rule.name: rule for rule in configured}
    default_names = {rule.name for rule in defaults}
    merged = [by_name.get(rule.name, rule) for rule in defaults]
    merged.extend(rule for rule in configured if rule.name not in default_names)
    return tuple(merged)


def default_rules_text() -> str:
    return (resources.files("bot") / "defaults" / DEFAULT_RULES_NAME).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_rules() -> tuple[RuleSpec, ...]:
    """The shipped rule set (bot/defaults/rules.yml), validated like any rule."""
    source = f"bot/defaults/{DEFAULT_RULES_NAME}"
    problems = ProblemList()
    data = _read_mapping(default_rules_text(), source, problems)
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        problems.add("top level", "rules", "the shipped defaults must hold a rules: list")
        raw_rules = []
    built = [
        build_rule(raw, where=rule_where(raw, index), problems=problems)
        for index, raw in enumerate(raw_rules)
    ]
    if problems:
        raise ConfigError(source, problems.items())
    return tuple(rule for rule in built if rule is not None)
