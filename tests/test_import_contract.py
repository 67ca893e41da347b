"""Dependencies point one way: adapters -> services -> domain (DESIGN.md, docs/architecture.md).

Read with `ast` over every module of bot/ (lazy and TYPE_CHECKING imports included), three
rules hold:

- **the domain** (`bot.domain`) imports the standard library and itself, nothing else;
- **the services** (`bot.services`, ports included) import no adapter, no configuration
  (`bot.config`, `bot.settings`) and none of the outer modules that assemble the bot: they
  receive what they need through their ports and arguments;
- **an adapter** imports no other adapter and no outer module. An adapter is a package under
  `bot/adapters/` (slack, store, wolkvox) or one of its top-level modules (clock, console,
  health, logs, metrics, scheduler). There is no public seam between adapters: two adapters
  meet only in the composition root (`bot.bootstrap` and the outer modules), which hands
  one to the other through a port of `bot.services.ports` or a plain callable. Adapters may
  read the typed configuration objects (`bot.config`) they are built from;
- **the configuration** (`bot.config`) imports the domain and itself (and its parsing
  libraries), no service, adapter or outer module: everyone may read it, it reads no one;
- **`bot.logevents`** imports the standard library alone, so that every layer may log.

There is no list of exceptions: a change that needs one changes the design instead (a port,
or a callable handed over by the composition root).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"

OUTER = frozenset(
    {
        "bot.__main__",
        "bot.backtest",
        "bot.bootstrap",
        "bot.cli",
        "bot.demo",
        "bot.doctor",
        "bot.doctor_text",
        "bot.reload",
        "bot.runtime",
        "bot.settings",
    }
)
"""Modules that assemble or drive the bot: they may import anything, nothing imports them back."""

CONFIG = frozenset({"bot.config", "bot.settings"})


def module_name(path: Path, root: Path = BOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(name: str, root: Path) -> bool:
    relative = Path(*name.split("."))
    base = root.parent / relative
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(path: Path, root: Path = BOT) -> Iterator[str]:
    """Every module `path` imports, relative imports resolved, `from pkg import mod` as pkg.mod."""
    name = module_name(path, root)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            for alias in node.names:
                if _is_module(f"{target}.{alias.name}", root):
                    yield f"{target}.{alias.name}"


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def adapter_of(name: str) -> str | None:
    """`bot.adapters.slack.blocks` -> `bot.adapters.slack`; `bot.adapters.logs` -> itself."""
    parts = name.split(".")
    if parts[:2] != ["bot", "adapters"] or len(parts) < 3:
        return None
    return ".".join(parts[:3])


def broken_rule(importer: str, imported: str) -> str | None:
    """Which rule `importer -> imported` breaks, or None."""
    root = imported.split(".")[0]
    if _within(importer, "bot.domain"):
        if root == "bot" and not _within(imported, "bot.domain"):
            return "the domain imports only the standard library and itself"
        if root not in ("bot", "__future__") and root not in sys.stdlib_module_names:
            return "the domain imports only the standard library and itself"
        return None
    if _within(importer, "bot.services"):
        if _within(imported, "bot.adapters"):
            return "services import no adapter (use a port of bot.services.ports)"
        if any(_within(imported, c) for c in CONFIG):
            return "services import no configuration (receive the values they need)"
        if any(_within(imported, o) for o in OUTER):
            return "services import none of the modules that assemble the bot"
        return None
    if _within(importer, "bot.config"):
        if root == "bot" and not any(_within(imported, p) for p in ("bot.config", "bot.domain")):
            return "the configuration imports only the domain and itself"
        return None
    if importer == "bot.logevents":
        if root not in ("__future__",) and root not in sys.stdlib_module_names:
            return "bot.logevents imports only the standard library"
        return None
    adapter = adapter_of(importer)
    if adapter is not None:
        other = adapter_of(imported)
        if other is not None and other != adapter:
            return "an adapter imports no other adapter (they meet in the composition root)"
        if any(_within(imported, o) for o in OUTER):
            return "an adapter imports none of the modules that assemble the bot"
    return None


def violations(root: Path = BOT) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        for imported in imported_modules(path, root):
            rule = broken_rule(importer, imported)
            if rule is not None:
                found[(importer, imported)] = rule
    return found


def test_no_import_breaks_the_layering() -> None:
    found = violations()
    assert found == {}, "imports that point the wrong way:\n" + "\n".join(
        f"  {a} -> {b}: {rule}" for (a, b), rule in sorted(found.items())
    )


def test_the_contract_reads_every_layer() -> None:
    names = {module_name(path) for path in BOT.rglob("*.py")}
    assert {"bot.domain.alerts", "bot.services.monitor", "bot.adapters.slack.app"} <= names
    assert "bot.services.ports" in names


def _write(root: Path, name: str, text: str) -> None:
    path = root.parent / Path(*name.split("."))
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.parents:
        if parent == root.parent:
            break
        (parent / "__init__.py").touch()
    path.with_suffix(".py").write_text(text, encoding="utf-8")


def test_the_contract_catches_each_kind_of_wrong_way_import(tmp_path: Path) -> None:
    root = tmp_path / "bot"
    _write(root, "bot.domain.pure", "import json\nfrom . import other\n")
    _write(root, "bot.domain.other", "import httpx\nfrom bot.services import monitor\n")
    _write(root, "bot.services.monitor", "from bot.adapters.store import sqlite\n")
    _write(root, "bot.services.state", "def f():\n    from bot.settings import rules_for\n")
    _write(root, "bot.services.ports.clock", "from bot.domain import pure\n")
    _write(
        root, "bot.adapters.store.sqlite", "from .rows import x\nfrom bot.services import ports\n"
    )
    _write(root, "bot.adapters.store.rows", "x = 1\n")
    _write(root, "bot.adapters.logs", "from bot.adapters.slack import log_safety\n")
    _write(root, "bot.adapters.slack.log_safety", "from ..clock import SystemClock\n")
    _write(root, "bot.adapters.clock", "from bot.config.model import Settings\n")
    _write(root, "bot.adapters.slack.frontend", "from bot.backtest.reply import answer\n")
    _write(root, "bot.settings", "from bot.adapters.clock import SystemClock\n")
    _write(root, "bot.config.model", "import pydantic\nfrom bot.domain import pure\n")
    _write(root, "bot.config.loader", "from bot.services.state import RuntimeState\n")
    _write(root, "bot.logevents", "import logging\nfrom bot.domain import pure\n")
    assert set(violations(root)) == {
        ("bot.domain.other", "httpx"),
        ("bot.domain.other", "bot.services"),
        ("bot.domain.other", "bot.services.monitor"),
        ("bot.services.monitor", "bot.adapters.store"),
        ("bot.services.monitor", "bot.adapters.store.sqlite"),
        ("bot.services.state", "bot.settings"),
        ("bot.adapters.logs", "bot.adapters.slack"),
        ("bot.adapters.logs", "bot.adapters.slack.log_safety"),
        ("bot.adapters.slack.log_safety", "bot.adapters.clock"),
        ("bot.adapters.slack.frontend", "bot.backtest.reply"),
        ("bot.config.loader", "bot.services.state"),
        ("bot.logevents", "bot.domain"),
        ("bot.logevents", "bot.domain.pure"),
    }
