"""Typed, validated configuration: one YAML file plus `${VAR}`s from the environment.

The rest of the bot imports from here only. The file is validated once at
start; every problem is reported together, naming the file, the operation or
rule, and the field (`ConfigError`), and no message or repr ever shows a
secret. The machinery lives in bot.config.
"""

from __future__ import annotations

import sys

from bot.config.budget import BudgetPlan, calls_per_day, daily_budget
from bot.config.errors import ConfigError, Problem
from bot.config.loader import (
    CONFIG_ENV_VAR,
    default_rules,
    load_settings,
    merge_rules,
    parse_settings,
    resolve_config_path,
)
from bot.config.model import (
    HttpSettings,
    Language,
    LogFormat,
    OperationSettings,
    Settings,
    SlackSettings,
    StoreSettings,
)
from bot.config.reference import render_rules_reference, render_settings_reference
from bot.config.report import render_report
from bot.config.secret import Secret
from bot.domain.polling import POLLED_APIS
from bot.domain.specs import RuleSpec

__all__ = [
    "CONFIG_ENV_VAR",
    "POLLED_APIS",
    "BudgetPlan",
    "ConfigError",
    "HttpSettings",
    "Language",
    "LogFormat",
    "OperationSettings",
    "Problem",
    "Secret",
    "Settings",
    "SlackSettings",
    "StoreSettings",
    "calls_per_day",
    "check_config_command",
    "daily_budget",
    "default_rules",
    "load_settings",
    "merge_rules",
    "parse_settings",
    "render_rules_reference",
    "render_settings_reference",
    "resolve_config_path",
    "rules_for",
]


def rules_for(settings: Settings, operation_name: str) -> tuple[RuleSpec, ...]:
    """Every rule that watches `operation_name` (see `Settings.rules_for`)."""
    return settings.rules_for(operation_name)


def check_config_command(path: str | None) -> int:
    """`callbot check-config`: print the report and return 0, or the problems and 1."""
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(render_report(settings))
    return 0
