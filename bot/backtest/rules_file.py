"""`--rules FILE` and `--compare FILE`: another set of rules for the same replay.

The file is written like the `rules:` part of callbot.yml (a `rules:` list, and
`defaults: false` to leave the shipped rules out) and validated the same way: every
problem names the file, the rule and the field.
"""

from __future__ import annotations

from pathlib import Path

from bot.config.errors import ConfigError, Problem, ProblemList
from bot.config.loader import default_rules, merge_rules
from bot.config.rules_conv import build_rule, rule_where
from bot.config.yaml_source import YamlProblem, parse_yaml
from bot.domain.specs import RuleSpec


def load_rules_file(path: Path, operations: set[str]) -> tuple[RuleSpec, ...]:
    """The rule set of `path`, the shipped defaults merged in unless `defaults: false`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigError(path, [Problem("file", "", f"cannot be read ({reason})")]) from None
    try:
        data, _ = parse_yaml(text)
    except YamlProblem as exc:
        raise ConfigError(path, [Problem("file", "", str(exc))]) from None
    return rules_from_data(data, path, operations)


def rules_from_data(data: object, source: str | Path, operations: set[str]) -> tuple[RuleSpec, ...]:
    """Rules from parsed YAML: a mapping with `rules:` (and optionally `defaults:`)."""
    problems = ProblemList()
    if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
        raise ConfigError(
            source, [Problem("file", "rules", "must be a mapping with a rules: list")]
        )
    built: list[RuleSpec] = []
    for index, raw in enumerate(data.get("rules") or []):
        where = rule_where(raw, index)
        rule = build_rule(raw, where=where, problems=problems)
        if rule is None:
            continue
        unknown = sorted((rule.operations or frozenset()) - operations)
        if unknown:
            problems.add(
                where,
                "operations",
                f"no operation is named {', '.join(unknown)} "
                f"(operations: {', '.join(sorted(operations))})",
            )
        built.append(rule)
    if problems:
        raise ConfigError(source, problems.items())
    names = [rule.name for rule in built]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ConfigError(
            source, [Problem("rules", "name", f"used more than once: {', '.join(twice)}")]
        )
    use_defaults = data.get("defaults") is not False
    return merge_rules(default_rules() if use_defaults else (), tuple(built))
