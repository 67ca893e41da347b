"""House rule: no module in bot/ is over 400 lines (TEAM.md, issue 10 point 6).

A module that grows past it is split by what it holds, not trimmed of its docstrings. The
layering itself is checked by tests/test_import_contract.py.
"""

from __future__ import annotations

from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
LIMIT = 400


def line_count(path: Path) -> int:
    """Lines as an editor numbers them (a last line without a newline still counts)."""
    return len(path.read_text(encoding="utf-8").splitlines())


def oversized(root: Path, limit: int = LIMIT) -> dict[str, int]:
    """Every module below `root` over `limit` lines, by its path relative to `root`'s parent."""
    return {
        str(path.relative_to(root.parent)): count
        for path in sorted(root.rglob("*.py"))
        if (count := line_count(path)) > limit
    }


def test_no_module_in_bot_is_over_400_lines() -> None:
    modules = list(BOT.rglob("*.py"))
    assert len(modules) > 50, "the check should read the whole package"
    found = oversized(BOT)
    assert found == {}, "modules over 400 lines (split them by what they hold):\n" + "\n".join(
        f"  {name}: {count}" for name, count in sorted(found.items())
    )


def test_the_check_catches_a_module_one_line_over(tmp_path: Path) -> None:
    root = tmp_path / "bot"
    (root / "domain").mkdir(parents=True)
    (root / "domain" / "at_limit.py").write_text("x = 1\n" * LIMIT, encoding="utf-8")
    (root / "domain" / "over.py").write_text("x = 1\n" * LIMIT + "y = 2", encoding="utf-8")
    assert oversized(root) == {"bot/domain/over.py": LIMIT + 1}
