"""What the call log knows about one window: counts by (type, result), and coverage.

A `WindowStats` is the single read model for rules, summaries and slash
commands, so every view of "the last 10 minutes" filters and counts the same
way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.specs import CallFilter


def _sorted_desc(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Counts for `[start, end)` keyed by (call type, result).

    `covered_fraction` is the share of the window's minutes that successful
    polls covered: below 1.0 the counts are a lower bound, not the truth.
    """

    start: datetime
    end: datetime
    counts: Mapping[tuple[str, str], int]
    covered_fraction: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, flt: CallFilter | None = None) -> int:
        """Calls accepted by `flt` (all calls when None)."""
        if flt is None:
            return self.total
        return sum(n for (t, r), n in self.counts.items() if flt.accepts(t, r))

    def by_result(
        self, types: frozenset[str] | None = None, *, among: CallFilter | None = None
    ) -> dict[str, int]:
        """Calls per result, most frequent first; restricted to `types` and/or `among`."""
        out: dict[str, int] = {}
        for (t, r), n in self.counts.items():
            if (types is None or t in types) and (among is None or among.accepts(t, r)):
                out[r] = out.get(r, 0) + n
        return _sorted_desc(out)

    def by_type(self) -> dict[str, int]:
        """Calls per type, most frequent first."""
        out: dict[str, int] = {}
        for (t, _), n in self.counts.items():
            out[t] = out.get(t, 0) + n
        return _sorted_desc(out)

    def rate(self, match: CallFilter, among: CallFilter) -> tuple[int, int]:
        """(matched, population): calls in `among`, and those of them `match` accepts."""
        matched = population = 0
        for (t, r), n in self.counts.items():
            if among.accepts(t, r):
                population += n
                if match.accepts(t, r):
                    matched += n
        return matched, population
