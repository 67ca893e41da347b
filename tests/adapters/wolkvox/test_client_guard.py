"""The lease guard around each request (issue 14): a replica that does not hold the
operation's lease sends nothing; the holder's requests are recorded as started before they
are sent and as finished once answered, but never after a timeout (Wolkvox works on until
its 60 s limit, so a new holder must wait for it)."""

from __future__ import annotations

import httpx
import pytest

from bot.adapters.clock import ManualClock
from bot.adapters.metrics import Metrics
from bot.adapters.slack.i18n import Translator
from bot.adapters.slack.wording import error_text
from bot.adapters.wolkvox.client import RequestOutcome, WolkvoxClient
from bot.adapters.wolkvox.errors import (
    ERROR_KINDS,
    NotLeaseHolderError,
    WolkvoxError,
    WolkvoxTimeout,
)

from .conftest import FakeWolkvox, make_target, reply


class Guard:
    """Lets requests go while `holder`; records what the client told it."""

    def __init__(self, *, holder: bool = True) -> None:
        self.holder = holder
        self.events: list[str] = []

    async def before_request(self, operation: str) -> str | None:
        if not self.holder:
            return f"not sent: this replica does not hold the lease of operation {operation}"
        self.events.append(f"started {operation}")
        return None

    async def after_request(self, operation: str) -> None:
        self.events.append(f"finished {operation}")


async def test_a_replica_without_the_lease_sends_nothing(
    client: WolkvoxClient,
    wolkvox: FakeWolkvox,
    outcomes: list[RequestOutcome],
    clock: ManualClock,
) -> None:
    client.guard = Guard(holder=False)
    with pytest.raises(NotLeaseHolderError, match="does not hold the lease of operation acme"):
        await client.calls_last_10(make_target())
    assert wolkvox.requests == []
    assert [o.kind for o in outcomes] == ["not_lease_holder"]
    assert client.budget(make_target(), clock.now()).used == 0  # nor charged


async def test_a_refusal_by_the_guard_has_its_own_words_and_metric_label(
    client: WolkvoxClient, outcomes: list[RequestOutcome]
) -> None:
    """`/calls status` and the unavailable alert say why nothing was sent, in the reader's
    language, rather than "Wolkvox could not be polled"; /metrics counts it by its kind."""
    client.guard = Guard(holder=False)
    with pytest.raises(NotLeaseHolderError) as refused:
        await client.calls_last_10(make_target())
    kind = refused.value.kind
    assert kind in ERROR_KINDS
    english = Translator("en").error(kind)
    spanish = error_text(Translator("es"), kind, str(refused.value))
    assert "another replica polls this operation" in english
    assert "otra réplica consulta esta operación" in spanish
    metrics = Metrics()
    metrics.observe_request(outcomes[0])
    exposed = metrics.exposition().decode()
    assert (
        'callbot_wolkvox_request_seconds_count{api="calls_last_10",operation="acme",'
        'outcome="not_lease_holder"} 1.0'
    ) in exposed


async def test_the_holders_request_is_started_then_finished(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    guard = Guard()
    client.guard = guard
    await client.calls_last_10(make_target())
    assert len(wolkvox.requests) == 1
    assert guard.events == ["started acme", "finished acme"]


async def test_a_refused_request_got_an_answer_so_it_finished(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    guard = Guard()
    client.guard = guard
    wolkvox.script(reply(403, {"code": 403, "error": "FORBIDDEN", "msg": "Token invalid"}))
    with pytest.raises(WolkvoxError):
        await client.calls_last_10(make_target())
    assert guard.events[-1] == "finished acme"


async def test_a_request_that_timed_out_is_never_said_to_have_finished(
    client: WolkvoxClient, wolkvox: FakeWolkvox
) -> None:
    guard = Guard()
    client.guard = guard

    async def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    wolkvox.handler = slow
    with pytest.raises(WolkvoxTimeout):
        await client.calls_last_10(make_target())
    assert guard.events and all(event == "started acme" for event in guard.events)
