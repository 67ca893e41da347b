"""Configurations for tests, written as the YAML a person would write, then parsed the
bot's own way (`parse_settings`), so a test exercises the real validation and defaults.

    make_settings(operations=[operation(poll_every="5m")], rules=[rule(warning=3, critical=6)])

Every value is written in YAML flow style: strings quoted (so "0004" stays a string),
numbers, booleans and None (`null`) bare, lists and mappings in brackets and braces,
paths as their string. An environment reference is a string too: `env_ref("WOLKVOX_TOKEN")` is
`"${WOLKVOX_TOKEN}"`, expanded by the loader as in a person's file. Top-level sections
(`store={"path": tmp_path / "bot.sqlite3"}`, `http=...`, `storm_threshold=...`) are
keyword arguments of `config_text`; `write_config` puts the text in a file for the tests
that load one (`callbot run`, `doctor`, `backtest`).

Refused files live in tests/fixtures/config (one folder per subject) as `bad_*.yml`:
`bad_fixtures` lists them, so a test can check each has its expectation, and `refusal`
loads one and returns what the bot says about it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any

import pytest

from bot.config.errors import ConfigError
from bot.config.model import Settings
from bot.settings import load_settings, parse_settings

CHANNEL = "C0ALERTS1"
ABANDONED_INBOUND = {"result": ["abandon"], "type": ["inbound"]}


def flow(value: Any) -> str:
    """One value in YAML flow style."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, PurePath):
        value = str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    raise TypeError(f"no YAML for {value!r}")


def env_ref(variable: str) -> str:
    """A `${VARIABLE}` reference, for a value the loader takes from the environment."""
    return "${" + variable + "}"


def operation(
    name: str = "bogota",
    *,
    server: str = "0004",
    token: str = "t-secret",
    licenses: int = 10,
    poll_every: str | None = "1m",
    **more: Any,
) -> dict[str, Any]:
    """An operation entry; `more` adds keys (base_url, timezone, active, ...);
    `poll_every=None` leaves it to the bot's default."""
    entry: dict[str, Any] = {"name": name, "server": server, "token": token, "licenses": licenses}
    if poll_every is not None:
        entry["poll_every"] = poll_every
    return {**entry, **more}


def rule(
    name: str = "abandons",
    *,
    kind: str = "count",
    match: Mapping[str, Any] | None = ABANDONED_INBOUND,
    **more: Any,
) -> dict[str, Any]:
    """A rule entry (by default abandoned inbound calls counted); `more` adds its keys
    (`for` is a Python keyword: pass it as `**{"for": 1}`); `match=None` leaves it out."""
    entry: dict[str, Any] = {"name": name, "kind": kind}
    if match is not None:
        entry["match"] = match
    return {**entry, **more}


def config_text(
    *,
    operations: Sequence[Mapping[str, Any]] = (),
    rules: Sequence[Mapping[str, Any]] = (),
    channel: str = CHANNEL,
    slack: Mapping[str, Any] | None = None,
    defaults: bool = False,
    **top: Any,
) -> str:
    """The whole file: `defaults`, the top-level keys in `top`, Slack's default channel
    (with the further Slack keys in `slack`), then the operations (one `bogota` if none
    are given) and the rules."""
    lines = [f"defaults: {flow(defaults)}"]
    lines += [f"{key}: {flow(value)}" for key, value in top.items()]
    lines.append(f"slack: {flow({'default_channel': channel, **(slack or {})})}")
    lines.append("operations:")
    lines += [f"  - {flow(op)}" for op in operations or [operation()]]
    if rules:
        lines.append("rules:")
        lines += [f"  - {flow(r)}" for r in rules]
    return "\n".join(lines) + "\n"


def make_settings(
    *,
    source: str | Path = "test.yml",
    env: Mapping[str, str] | None = None,
    **parts: Any,
) -> Settings:
    """`config_text(**parts)` parsed as the bot parses a file."""
    return parse_settings(config_text(**parts), source=source, env=dict(env or {}))


def write_config(path: Path, **parts: Any) -> Path:
    """`config_text(**parts)` written to `path` (a file the bot loads); returns `path`."""
    path.write_text(config_text(**parts), encoding="utf-8")
    return path


def bad_fixtures(folder: Path) -> list[str]:
    """The names (without `.yml`) of the refused configurations in `folder`, sorted."""
    return sorted(path.stem for path in folder.glob("bad_*.yml"))


def refusal(path: Path, *, env: Mapping[str, str]) -> str:
    """What the bot says when it refuses the file at `path`: one problem, naming the file."""
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=dict(env))
    error = caught.value
    text = str(error)
    assert error.path == path
    assert len(error.problems) == 1, text
    assert str(path) in text
    return text
