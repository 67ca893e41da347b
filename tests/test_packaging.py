"""The package as a maintainer ships it: one version, a real licence, a lock that matches.

requirements.lock pins (with hashes) every package the Docker image installs. It is made
by a resolver with network access; these tests only read files, so they run offline and
fail as soon as pyproject.toml's dependencies and the lock disagree.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import bot

ROOT = Path(__file__).resolve().parents[1]
PROJECT_MARK = "wolkvox-callbot (pyproject.toml)"
REGENERATE = (
    "requirements.lock is out of step with pyproject.toml; regenerate it with: "
    "uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes "
    "-o requirements.lock"
)
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;\s*(.+?))?\s*\\?$")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass
class Pin:
    name: str
    version: Version
    marker: str | None
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


def parse_lock(text: str) -> dict[str, Pin]:
    """requirements.lock -> {canonical name: Pin}, with its hashes and `# via` parents."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for raw in text.splitlines():
        line = raw.strip()
        pin = _PIN.match(raw)
        if pin is not None:
            name = canonicalize_name(pin.group(1))
            current = Pin(name, Version(pin.group(2)), pin.group(3))
            pins[name] = current
        elif current is not None and line.startswith("--hash="):
            current.hashes.extend(_HASH.findall(line))
        elif current is not None and line.startswith("# via"):
            rest = line.removeprefix("# via").strip()
            if rest:
                current.via.append(rest)
        elif current is not None and line.startswith("#   "):
            current.via.append(line.removeprefix("#").strip())
    return pins


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def declared(pyproject: dict[str, Any]) -> dict[str, Requirement]:
    requirements = [Requirement(text) for text in pyproject["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in requirements}


@pytest.fixture(scope="module")
def lock() -> dict[str, Pin]:
    return parse_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))


def test_every_declared_dependency_is_pinned_within_its_range(
    declared: dict[str, Requirement], lock: dict[str, Pin]
) -> None:
    missing = sorted(set(declared) - set(lock))
    assert not missing, f"{REGENERATE} (not pinned: {', '.join(missing)})"
    outside = [
        f"{name}=={lock[name].version} (pyproject: {req.specifier})"
        for name, req in declared.items()
        if not req.specifier.contains(lock[name].version, prereleases=True)
    ]
    assert not outside, f"{REGENERATE} (outside the declared range: {', '.join(outside)})"


def test_the_lock_pins_nothing_pyproject_no_longer_asks_for(
    declared: dict[str, Requirement], lock: dict[str, Pin]
) -> None:
    direct = {name for name, pin in lock.items() if PROJECT_MARK in pin.via}
    extra = sorted(direct - set(declared))
    assert not extra, f"{REGENERATE} (pinned as direct but no longer declared: {extra})"
    orphans = sorted(name for name, pin in lock.items() if not pin.via)
    assert not orphans, f"{REGENERATE} (pinned for no reason: {orphans})"
    unknown = sorted(
        {parent for pin in lock.values() for parent in pin.via if parent != PROJECT_MARK}
        - set(lock)
    )
    assert not unknown, f"{REGENERATE} (required by packages the lock lacks: {unknown})"


def test_every_pin_is_exact_and_hashed(lock: dict[str, Pin]) -> None:
    assert len(lock) >= 10
    unhashed = sorted(name for name, pin in lock.items() if not pin.hashes)
    assert not unhashed, f"pins without a sha256 hash: {unhashed}"


def test_the_lock_parser_sees_drift() -> None:
    """A lock made before a dependency was added, or still pinning a removed one, is caught."""
    text = (
        "httpx==0.27.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via " + PROJECT_MARK + "\n"
        "gone==1.0 \\\n    --hash=sha256:" + "b" * 64 + "\n"
        "    # via\n    #   " + PROJECT_MARK + "\n    #   httpx\n"
    )
    pins = parse_lock(text)
    assert pins["httpx"].version == Version("0.27.0")
    assert pins["gone"].via == [PROJECT_MARK, "httpx"]
    assert not Requirement("httpx>=0.28").specifier.contains(pins["httpx"].version)


def test_the_docker_image_installs_exactly_the_lock() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    runs = [" ".join(shlex.split(line)) for line in dockerfile.splitlines() if "pip" in line]
    assert any("--require-hashes" in r and "-r requirements.lock" in r for r in runs), runs
    assert any("--no-deps" in r for r in runs), "callbot itself must not pull unpinned deps"
    assert "COPY requirements.lock" in dockerfile


def test_the_version_lives_in_one_place(pyproject: dict[str, Any]) -> None:
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bot.__version__"}
    assert metadata("wolkvox-callbot")["Version"] == bot.__version__


def test_the_licence_is_an_spdx_string_with_its_file(pyproject: dict[str, Any]) -> None:
    project = pyproject["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    requires = [Requirement(r) for r in pyproject["build-system"]["requires"]]
    setuptools = next(r for r in requires if r.name == "setuptools")
    assert not setuptools.specifier.contains("77.0.2"), "PEP 639 strings need setuptools 77.0.3"


def test_ci_runs_the_readmes_test_command_and_installs_what_it_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -e '.[test]' && pytest -q" in readme
    assert "pip install -q -e '.[test]' && python -m pytest -q" in ci
    dev_install = ci.index("'.[dev]'")
    for tool in ("ruff check", "ruff format --check", "mypy"):
        assert ci.index(tool) > dev_install, f"{tool} runs before the dev extra is installed"
