"""bot/domain must import nothing outside the standard library (DESIGN.md: a pure core)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[1] / "bot" / "domain"


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(
                node.module.split(".")[0] if not node.module.startswith("bot.") else node.module
            )
    return roots


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 5, "the domain package should not be empty"
    offenders: dict[str, set[str]] = {}
    for path in files:
        bad = {
            name
            for name in _imported_roots(path)
            if name not in sys.stdlib_module_names
            and name != "__future__"
            and not name.startswith("bot.domain")
        }
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_the_purity_check_would_catch_a_third_party_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import httpx\nfrom bot.adapters import clock\nfrom datetime import UTC\n")
    roots = _imported_roots(sample)
    assert "httpx" in roots
    assert "bot.adapters" in roots
    assert "httpx" not in sys.stdlib_module_names
