"""Configuration errors, collected rather than raised one at a time.

A person fixing a configuration wants every problem in one run, each naming
the file, the operation or rule, and the field. Messages never carry the value
of a secret: they describe what is wrong, not what was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: `where` (e.g. "rule 'abandon-rate'"), `field` (e.g. "warning")."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}, {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


class ConfigError(Exception):
    """The configuration at `path` cannot be used; `problems` lists every reason."""

    def __init__(self, path: str | Path, problems: list[Problem]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{self.path}: {count} {noun} in the configuration"]
        lines.extend(f"  - {self.path}: {problem}" for problem in self.problems)
        return "\n".join(lines)


class ProblemList:
    """Collects problems, keeping only the first one reported for a (where, field).

    The first report is the most specific (a missing environment variable
    before the type error it causes), so later echoes are dropped.
    """

    def __init__(self) -> None:
        self._items: list[Problem] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, where: str, field: str, message: str) -> None:
        key = (where, field)
        if key in self._seen:
            return
        self._seen.add(key)
        self._items.append(Problem(where, field, message))

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(problem.where, problem.field, problem.message)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[Problem]:
        return list(self._items)
