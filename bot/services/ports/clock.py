"""The one clock the services read. The domain never reads time: `now` is an argument.

The system clock (and the manual and simulated clocks of tests and the demo) live in
bot.adapters.clock; anything with a `now()` satisfies this port.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Where `now` comes from."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...
