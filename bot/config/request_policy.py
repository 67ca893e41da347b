"""How long and how often the Wolkvox client may try one request: one policy, one place.

The client's retries and the daily budget's worst case are the same numbers seen from two
sides (every attempt is charged), so both read `RequestPolicy.attempts`: the client retries
at most that often, and check-config counts that many calls per poll (bot.config.budget).
`request_policy` builds the policy a configuration implies; `callbot run`, the demo,
check-config and the benchmarks all get theirs from it (`callbot doctor` alone builds
its own: one attempt, since every attempt costs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.model import Settings

WOLKVOX_CALL_LIMIT_S = 60.0
"""The vendor's limit on one call: how long the server may work on a request."""
MAX_DEADLINE_S = 240.0
"""The longest a call with its retries may take, whatever the poll period."""


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    """The time and the attempts one Wolkvox call may use, validated on construction."""

    timeout_s: float = WOLKVOX_CALL_LIMIT_S
    """One request's limit. Waiting past Wolkvox's 60 s is useless: the server has given up."""
    deadline_s: float = MAX_DEADLINE_S
    """All attempts of one call together, waits for the token included, so a poll with
    its retries never overruns its period (the next poll would find the token busy)."""
    attempts: int = 4
    """Requests one call may make, the first and its retries. Wolkvox charges every one
    to the token's daily budget, so the worst-case budget counts this many per poll."""
    backoff_base_s: float = 2.0
    """The first retry's wait; each later one doubles it (half fixed, half jitter)."""
    backoff_max_s: float = 30.0
    """No retry waits longer, however many came before."""
    token_hold_s: float = WOLKVOX_CALL_LIMIT_S
    """How long a token stays busy after the client gave up on a request: Wolkvox keeps
    working on it until its 60 s limit and refuses a second request per token meanwhile."""

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.deadline_s <= 0:
            raise ValueError("timeout_s and deadline_s must be positive")
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not 0 <= self.backoff_base_s <= self.backoff_max_s:
            raise ValueError("backoff_base_s must be between 0 and backoff_max_s")
        if self.token_hold_s < 0:
            raise ValueError("token_hold_s must not be negative")

    def backoff_ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt number `attempt` (1 for the first)."""
        return min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (attempt - 1))


DEFAULT_POLICY = RequestPolicy()
"""The policy of a client or a budget nobody configured: Wolkvox's limits, 4 attempts."""


def request_policy(settings: Settings, *, speed: float = 1.0) -> RequestPolicy:
    """The policy for the configured operations, in real seconds when the clock
    runs `speed` times faster than real time (the demo): retries fit in the shortest
    period, no request waits longer than Wolkvox's 60 s, and the token hold follows the
    clock. The attempts are the default, the ones the worst-case budget counts."""
    shortest = min(op.poll_every for op in settings.operations).total_seconds() / speed
    deadline = min(MAX_DEADLINE_S, max(1.0, 0.8 * shortest))
    return RequestPolicy(
        timeout_s=min(WOLKVOX_CALL_LIMIT_S, deadline),
        deadline_s=deadline,
        token_hold_s=WOLKVOX_CALL_LIMIT_S / speed,
    )
