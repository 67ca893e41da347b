"""Compact per-minute storage behind the call log: counts and coverage by epoch minute.

Memory matters because the log keeps days of minutes for several operations
(a 7-day baseline). A minute's counts are a small array of unsigned ints
indexed by (call type, result) pairs the operation has seen, which is several
times smaller than a dict per minute; coverage is a short list of spans since
polls are mostly contiguous.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping

from bot.domain.specs import CallFilter

Key = tuple[str, str]
"""(call type, result)."""


class MinuteBuckets:
    """Call counts per epoch minute and (call type, result)."""

    __slots__ = ("_by_minute", "_index", "_keys", "_pruned_to")

    def __init__(self) -> None:
        self._by_minute: dict[int, array[int]] = {}
        self._keys: list[Key] = []
        self._index: dict[Key, int] = {}
        self._pruned_to: int | None = None

    def __len__(self) -> int:
        return len(self._by_minute)

    def add(self, minute: int, call_type: str, result: str, n: int) -> None:
        key = (call_type, result)
        slot = self._index.get(key)
        if slot is None:
            slot = self._index[key] = len(self._keys)
            self._keys.append(key)
        counts = self._by_minute.get(minute)
        if counts is None:
            counts = self._by_minute[minute] = array("I", [0]) * (slot + 1)
        elif slot >= len(counts):
            counts.extend([0] * (slot + 1 - len(counts)))
        counts[slot] += n

    def count(self, minute: int, call_type: str, result: str) -> int:
        slot = self._index.get((call_type, result))
        counts = self._by_minute.get(minute)
        if slot is None or counts is None or slot >= len(counts):
            return 0
        return counts[slot]

    def changed(self, changes: Mapping[tuple[int, str, str], int]) -> MinuteBuckets:
        """A copy with `changes` (+n / -n per (minute, type, result)) applied; self unchanged.

        Only the minutes that change are copied, so a poll's plan costs its own minutes,
        not the days of history behind them. Counts never go below zero.
        """
        out = MinuteBuckets()
        out._by_minute = dict(self._by_minute)
        out._keys = list(self._keys)
        out._index = dict(self._index)
        out._pruned_to = self._pruned_to
        copied: set[int] = set()
        for (minute, call_type, result), n in changes.items():
            if n == 0:
                continue
            if minute not in copied:
                copied.add(minute)
                counts = out._by_minute.get(minute)
                if counts is not None:
                    out._by_minute[minute] = array("I", counts)
            if n > 0:
                out.add(minute, call_type, result, n)
            else:
                for _ in range(-n):
                    out.remove(minute, call_type, result)
        return out

    def remove(self, minute: int, call_type: str, result: str) -> None:
        """Take one call back (its result or time changed); a no-op if it is not there."""
        slot = self._index.get((call_type, result))
        counts = self._by_minute.get(minute)
        if slot is None or counts is None or slot >= len(counts) or counts[slot] == 0:
            return
        counts[slot] -= 1
        if not any(counts):
            del self._by_minute[minute]

    def drop_from(self, first: int) -> None:
        """Forget every minute from `first` on (to be replaced by newer counts)."""
        for minute in [m for m in self._by_minute if m >= first]:
            del self._by_minute[minute]

    def totals(self, first: int, stop: int) -> dict[Key, int]:
        """Counts summed over the minutes `[first, stop)`."""
        sums = [0] * len(self._keys)
        for counts in self._minutes(first, stop):
            for slot, n in enumerate(counts):
                sums[slot] += n
        return {self._keys[slot]: n for slot, n in enumerate(sums) if n}

    def series(self, first: int, stop: int, flt: CallFilter | None) -> tuple[int, ...]:
        """One count per minute in `[first, stop)`, optionally filtered."""
        wanted = [flt is None or flt.accepts(t, r) for t, r in self._keys]
        out: list[int] = []
        get = self._by_minute.get
        for minute in range(first, stop):
            counts = get(minute)
            out.append(
                0 if counts is None else sum(n for n, ok in zip(counts, wanted, strict=False) if ok)
            )
        return tuple(out)

    def prune(self, cutoff: int, retention: int) -> None:
        """Drop minutes before `cutoff`; cheap when called once per poll."""
        if self._pruned_to is None or cutoff - self._pruned_to > retention:
            for minute in [m for m in self._by_minute if m < cutoff]:
                del self._by_minute[minute]
        else:
            for minute in range(self._pruned_to, cutoff):
                self._by_minute.pop(minute, None)
        self._pruned_to = cutoff if self._pruned_to is None else max(cutoff, self._pruned_to)

    def rows(self) -> Iterator[tuple[int, str, str, int]]:
        """(minute, call type, result, count) for every non-zero count, in order."""
        for minute in sorted(self._by_minute):
            counts = self._by_minute[minute]
            for (t, r), n in sorted((self._keys[slot], n) for slot, n in enumerate(counts) if n):
                yield minute, t, r, n

    def rows_between(self, first: int, stop: int) -> dict[tuple[int, str, str], int]:
        """Non-zero counts of the minutes `[first, stop)` keyed by (minute, type, result)."""
        out: dict[tuple[int, str, str], int] = {}
        for minute in range(first, stop):
            counts = self._by_minute.get(minute)
            if counts is None:
                continue
            for slot, n in enumerate(counts):
                if n:
                    call_type, result = self._keys[slot]
                    out[(minute, call_type, result)] = n
        return out

    def _minutes(self, first: int, stop: int) -> list[array[int]]:
        if stop - first <= len(self._by_minute):
            return [c for c in map(self._by_minute.get, range(first, stop)) if c is not None]
        return [c for m, c in self._by_minute.items() if first <= m < stop]


class MinuteSpans:
    """Which epoch minutes are covered, as sorted, merged `[start, stop)` spans."""

    __slots__ = ("_spans",)

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def add(self, first: int, stop: int) -> None:
        if stop <= first:
            return
        merged: list[tuple[int, int]] = []
        for a, b in self._spans:
            if b < first or a > stop:
                merged.append((a, b))
            else:
                first, stop = min(a, first), max(b, stop)
        merged.append((first, stop))
        merged.sort()
        self._spans = merged

    def copy(self) -> MinuteSpans:
        out = MinuteSpans()
        out._spans = list(self._spans)
        return out

    def overlap(self, first: int, stop: int) -> int:
        return sum(max(0, min(b, stop) - max(a, first)) for a, b in self._spans)

    def prune(self, cutoff: int) -> None:
        self._spans = [(max(a, cutoff), b) for a, b in self._spans if b > cutoff]

    def spans(self) -> tuple[tuple[int, int], ...]:
        return tuple(self._spans)
