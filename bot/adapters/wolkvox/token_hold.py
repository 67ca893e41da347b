"""Tokens held by requests the client gave up on, for as long as Wolkvox may still work on them.

Wolkvox's PHP backend keeps working on a request after the client hangs up (its timeout,
a cancellation, shutdown), until its own 60 s limit, and refuses a second request on the
same token meanwhile ("EXCEEDS THE LIMIT OF SIMULTANEOUS REQUESTS PER TOKEN"), charging
the budget all the same. So the client remembers until when each such token is busy, and
a later request on it waits for that when the wait fits its deadline, or is not sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.adapters.wolkvox.errors import TokenBusyError

logger = logging.getLogger("callbot.wolkvox.client")


class AbandonedRequests:
    """Until when (monotonic seconds) each token may still be busy on the server."""

    def __init__(
        self,
        *,
        hold_s: float,
        monotonic: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._hold_s = hold_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._busy_until: dict[str, float] = {}

    def hold(self, key: str, sent_at: float) -> None:
        """A request sent at `sent_at` (monotonic) on token `key` was given up on."""
        until = sent_at + self._hold_s
        self._busy_until[key] = max(until, self._busy_until.get(key, until))

    async def wait_or_refuse(
        self, key: str, *, api: str, operation: str, deadline_at: float, needed_s: float
    ) -> None:
        """Return once token `key` is free, or raise TokenBusyError without waiting.

        The wait must leave the request `needed_s` before its deadline; otherwise it would
        most likely be given up on too, charged, and hold the token again.
        """
        until = self._busy_until.get(key)
        now = self._monotonic()
        if until is None or until <= now:
            self._busy_until.pop(key, None)
            return
        wait = until - now
        if until + needed_s > deadline_at:
            logger.warning(
                "event=wolkvox_skipped api=%s operation=%s reason=token_busy busy_for_s=%.1f",
                api,
                operation,
                wait,
            )
            raise TokenBusyError(
                f"not sent: Wolkvox may still be working on an earlier {api} request the "
                f"client gave up on, and the token takes one request at a time (free again "
                f"in {wait:.0f} s, Wolkvox's {self._hold_s:g} s limit)"
            )
        logger.info(
            "event=wolkvox_wait api=%s operation=%s reason=token_busy wait_s=%.1f",
            api,
            operation,
            wait,
        )
        await self._sleep(wait)
        self._busy_until.pop(key, None)
