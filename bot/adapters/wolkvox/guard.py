"""The lease guard around each Wolkvox request (issue 14: one request per token across
replicas): only the operation's lease holder sends, and the lease row records when its
request started and whether it ended (bot.services.leadership implements the guard)."""

from __future__ import annotations

from bot.adapters.wolkvox.errors import NotLeaseHolderError, WolkvoxError, WolkvoxTimeout
from bot.services.ports.leases import RequestGuard


async def ask_before(guard: RequestGuard | None, operation: str) -> None:
    """Raise NotLeaseHolderError (nothing sent) unless the guard lets the request go."""
    refusal = None if guard is None else await guard.before_request(operation)
    if refusal is not None:
        raise NotLeaseHolderError(refusal)


async def tell_ended(
    guard: RequestGuard | None, operation: str, error: WolkvoxError | None = None
) -> None:
    """The request is no longer in flight on Wolkvox's side. Never said after a timeout
    (`error`) or a cancellation: Wolkvox works on until its own 60 s limit."""
    if guard is not None and not isinstance(error, WolkvoxTimeout):
        await guard.after_request(operation)
