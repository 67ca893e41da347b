"""The garbage collector around the bot's big, short-lived allocations (issue 11).

A 60,000-record poll allocates a few hundred thousand objects that die with the cycle
(rows, records, the plan's dicts) and hold no reference cycles, so reference counting
frees them. Left alone, the collector runs dozens of times while they are built, and a
full collection in the middle rescans everything the bot keeps, which was most of the
cost of a big ingest and the whole tail of `/calls last10`. Two levers: the heap built at
start-up is frozen out of the collector's sight, and the collector waits while a poll's
synchronous work builds its objects.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_start_up_heap() -> None:
    """Move everything start-up built (libraries, configuration, the restored history) out
    of the collector's sight: it lives as long as the process, and every full collection
    would scan it again. Collected first, so no garbage is frozen with it."""
    gc.collect()
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block (synchronous code only: never across an
    await, where other work would run with the collector off). Nesting is harmless."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
