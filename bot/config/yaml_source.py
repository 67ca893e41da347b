"""Reading the YAML text into plain data, and `${VAR}` expansion over it.

Two YAML 1.1 surprises are defused here: a plain scalar with a leading zero
(`server: 0010`) stays a string instead of becoming the octal number 8, and a
key written twice in one mapping is reported instead of silently taking the
last value. Expansion runs after parsing, over string values only, so an
environment variable can never inject YAML structure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

Loc = tuple[str | int, ...]

_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_REFERENCE = re.compile(r"\$(?:\$|\{(?P<body>[^}]*)\}|(?P<open>\{))")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps leading-zero numbers as text and remembers duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "+-0":
    _Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(0, (_STR_TAG, _LEADING_ZERO))


class YamlProblem(Exception):
    """The text is not YAML; the message has the line and column, never the line's text."""


def parse_yaml(text: str) -> tuple[Any, list[tuple[str, int]]]:
    """Parse one YAML document; return the data and the duplicate keys (key, line).

    The message of a syntax error is rebuilt from the problem and its position
    only: PyYAML's own message quotes the offending line, which may hold a token.
    """
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise YamlProblem(f"not valid YAML: {exc.problem or exc.context}{where}") from None
    except yaml.YAMLError:
        raise YamlProblem("not valid YAML") from None
    finally:
        loader.dispose()
    return data, loader.duplicates


class _Missing:
    """Stands for a value whose environment variable is not set (reported separately)."""


def expand_env(data: Any, env: Mapping[str, str]) -> tuple[Any, list[tuple[Loc, str]]]:
    """Replace `${NAME}` and `${NAME:-default}` in every string value; `$$` is a literal `$`.

    Returns the expanded data and (location, message) problems. A value that
    references a missing variable becomes None; its problem names the variable
    but never any value.
    """
    problems: list[tuple[Loc, str]] = []

    def walk(node: Any, loc: Loc) -> Any:
        if isinstance(node, dict):
            return {key: walk(value, (*loc, str(key))) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value, (*loc, index)) for index, value in enumerate(node)]
        if isinstance(node, str) and "$" in node:
            return _expand(node, env, loc, problems)
        return node

    return walk(data, ()), problems


def _expand(text: str, env: Mapping[str, str], loc: Loc, problems: list[tuple[Loc, str]]) -> Any:
    missing: list[str] = []
    broken: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match["open"] is not None:
            broken.append("a '${' without its closing '}'")
            return ""
        body = match["body"]
        if body is None:
            return "$"
        name, has_default, default = body.partition(":-")
        if not _NAME.match(name):
            broken.append(f"'${{{name}}}' is not a variable name (letters, digits, _)")
            return ""
        if name in env:
            return env[name]
        if has_default:
            return default
        missing.append(name)
        return ""

    expanded = _REFERENCE.sub(replace, text)
    for reason in broken:
        problems.append((loc, reason))
    for name in missing:
        problems.append((loc, f"environment variable {name} is not set"))
    return _Missing() if missing or broken else expanded


def is_missing(value: Any) -> bool:
    return isinstance(value, _Missing)


def strip_missing(data: Any) -> Any:
    """Drop the values that stood for missing variables, as if the key were absent."""
    if isinstance(data, dict):
        return {k: strip_missing(v) for k, v in data.items() if not is_missing(v)}
    if isinstance(data, list):
        return [None if is_missing(v) else strip_missing(v) for v in data]
    return data
