"""The clocks that satisfy the `Clock` port (bot.services.ports.clock): the system's,
and the manual and simulated ones of tests, the demo and the benchmarks."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

__all__ = ["ManualClock", "SimulatedClock", "SystemClock"]


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


class SimulatedClock:
    """Simulated time that runs `speed` times faster than real time from `start`.

    Used by the demo and benchmarks so that an hour of contact-center traffic
    plays out in a minute.
    """

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start.astimezone(UTC)
        self._speed = speed
        self._origin = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self._speed
        return self._start + timedelta(seconds=elapsed)

    def real_seconds(self, simulated: timedelta) -> float:
        """How many real seconds a span of simulated time takes."""
        return simulated.total_seconds() / self._speed
