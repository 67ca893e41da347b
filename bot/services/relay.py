"""Actions on any replica reach the holder of their operation (issue 14).

The holder of an operation is the single writer of its alerts (bot.services.ports.requests
says why). `Relay` is the side of the replica that received the action: it stores a request
per operation it does not hold and, for an acknowledgement, waits briefly for the answer so
the person is told the truth: done, already done, or passed on and not yet done. `RequestDesk`
is the holder's side: told by the change feed (or by its own periodic look, should a
notification be lost), it carries out the requests of the operations it holds through
`Controls.carry_out`, which stores the alerts, the record, the edit of the living message
and the answer to the request in one transaction (so a holder that crashes before the desk
answers never has it carried out again), then answers each request (the ones that stored
nothing, such as an acknowledgement already done).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.services.ports.changes import Change, ChangeKind
from bot.services.ports.requests import ActionRequest, ActionRequests, PendingRequest
from bot.services.ports.store import StoreError

log = logging.getLogger("callbot.relay")

ANSWER_WAIT_S = 1.5
"""How long a replica waits for the holder's answer before it says "passed on" (Slack
waits 3 s for a button's or a command's answer)."""
LOOK_EVERY_S = 5.0
"""How often a holder looks for requests it was not told about (a lost notification)."""


class Relay:
    """Passes actions to the replicas that hold their operations, and hears their answers.

    `elsewhere(operation)` says whether another replica polls it.
    """

    def __init__(
        self,
        *,
        requests: ActionRequests,
        elsewhere: Callable[[str], bool],
        wait_s: float = ANSWER_WAIT_S,
    ) -> None:
        self._requests = requests
        self.elsewhere = elsewhere
        self._wait_s = wait_s
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def on_change(self, change: Change) -> None:
        """The change feed's listener: an answer wakes whoever waits for it."""
        if change.kind is ChangeKind.ANSWERED and change.ref is not None:
            future = self._waiting.get(change.ref)
            if future is not None and not future.done():
                future.set_result(None)

    async def send(self, requests: Sequence[ActionRequest]) -> list[int]:
        """Store the requests (each announced to its holder); their ids."""
        return [await self._requests.request(request) for request in requests]

    async def ask(self, requests: Sequence[ActionRequest]) -> list[str | None]:
        """Send the requests and wait up to `wait_s` for their outcomes (None: not yet)."""
        loop = asyncio.get_running_loop()
        ids = await self.send(requests)
        for request_id in ids:
            self._waiting.setdefault(request_id, loop.create_future())
        try:
            futures = [self._waiting[request_id] for request_id in ids]
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._wait_s):
                    await asyncio.gather(*futures)
            return [await self._requests.outcome(request_id) for request_id in ids]
        finally:
            for request_id in ids:
                self._waiting.pop(request_id, None)


class RequestDesk:
    """The holder's side: carries out the requests of the operations it holds.

    `holds(operation)` says whether this replica polls it; `operations()` names the
    configured ones; `carry_out` does one request and says what came of it.
    """

    def __init__(
        self,
        *,
        requests: ActionRequests,
        holds: Callable[[str], bool],
        operations: Callable[[], Sequence[str]],
        carry_out: Callable[[ActionRequest, int], Awaitable[str]],
        look_every_s: float = LOOK_EVERY_S,
    ) -> None:
        self._requests = requests
        self.holds = holds
        self._operations = operations
        self._carry_out = carry_out
        self._look_every_s = look_every_s
        self._wake = asyncio.Event()
        self.on_answer: list[Callable[[PendingRequest, str], None]] = []

    def on_change(self, change: Change) -> None:
        """The change feed's listener: a request for an operation held here, or a
        reconnection (requests may have been missed), wakes the desk."""
        requested = change.kind is ChangeKind.REQUESTED and change.operation is not None
        if (requested and self.holds(change.operation or "")) or change.kind is ChangeKind.RESYNC:
            self._wake.set()

    def lease_changed(self, operation: str, held: bool) -> None:
        """A lease newly held may have requests waiting from before."""
        if held:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._look_every_s):
                    await self._wake.wait()
            self._wake.clear()
            if stop.is_set():
                return
            try:
                await self.serve()
            except StoreError as exc:
                log.warning("event=requests_failed error=%s", type(exc).__name__)

    async def serve(self) -> int:
        """Carry out every waiting request of the operations held here; how many."""
        held = [name for name in self._operations() if self.holds(name)]
        if not held:
            return 0
        done = 0
        for pending in await self._requests.pending(held):
            if not self.holds(pending.request.operation):
                continue
            outcome = await self._carry_out(pending.request, pending.id)
            await self._requests.answer(pending.id, outcome)  # a no-op if stored with it
            log.info(
                "event=request_served id=%d operation=%s kind=%s outcome=%s",
                pending.id,
                pending.request.operation,
                pending.request.kind.value,
                outcome,
            )
            for hook in self.on_answer:
                hook(pending, outcome)
            done += 1
        return done
