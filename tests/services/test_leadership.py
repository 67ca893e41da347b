"""The lease gate before each poll (bot.services.leadership), replicas sharing one lease
table on a clock the test moves: one poller per token group (each operation alone on its
token unless a test says otherwise), about M/N each, takeover of a
dead replica's operations with their state restored first, Wolkvox's 60 s rule across
holders, a fenced commit dropping the operation, leases given back on a clean stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.services.leadership import Leadership, LeaseChange
from bot.services.monitor import LEASE_LOST, CycleReport
from tests.services.lease_table import FakeLeases, LeaseTable

T0 = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
OPS = ("a", "b", "c", "d")


class Replica:
    """One replica's leadership over a poll that records what it polled."""

    def __init__(
        self,
        table: LeaseTable,
        me: str,
        operations: tuple[str, ...] = OPS,
        groups: dict[str, str] | None = None,
    ) -> None:
        self.leases = FakeLeases(table, me)
        self.operations = operations
        self.groups = groups or {}
        self.answers: dict[str, asyncio.Event] = {}
        self.polled: list[str] = []
        self.restored: list[str] = []
        self.changes: list[LeaseChange] = []
        self.outcome = "ok"
        self.leadership = Leadership(
            leases=self.leases,
            poll=self._poll,
            operations=lambda: self.operations,
            restore=self._restore,
            ttl=TTL,
            sleep=self._sleep,
            group_of=lambda op: self.groups.get(op, op),
        )
        self.waiting: Callable[[float], Awaitable[None]] | None = None
        self.leadership.listeners.append(self.changes.append)

    async def _poll(self, operation: str) -> CycleReport:
        answer = self.answers.get(operation)
        if answer is not None:
            await answer.wait()  # the cycle's request is in flight until the test says
        self.polled.append(operation)
        return CycleReport(operation, T0, self.outcome, timedelta(0))

    async def _sleep(self, seconds: float) -> None:
        assert self.waiting is not None, "this replica was not expected to wait"
        await self.waiting(seconds)

    async def _restore(self, operation: str) -> None:
        self.restored.append(operation)

    async def round(self) -> list[str]:
        """Every operation's job fires once: what this replica polled."""
        self.polled.clear()
        for op in self.operations:
            await self.leadership.poll(op)
        return sorted(self.polled)


async def settled_pair(table: LeaseTable) -> tuple[Replica, Replica]:
    """Replicas x and y after two rounds each, x first: the four operations shared two
    each, y having taken (and restored) c and d from x."""
    x, y = Replica(table, "x"), Replica(table, "y")
    for _ in range(2):
        await x.round()
        await y.round()
    return x, y


@pytest.fixture
def table() -> LeaseTable:
    return LeaseTable(now=T0)


async def test_two_replicas_poll_each_operation_once_two_each(table: LeaseTable) -> None:
    x, y = Replica(table, "x"), Replica(table, "y")
    assert await x.round() == list(OPS)  # x started first: alone, it takes everything
    assert await y.round() == []  # y starts: x holds all four
    assert await x.round() == list(OPS)  # x polls all once more, giving back c and d after
    assert sorted(x.leadership.held) == ["a", "b"]

    for _ in range(3):
        polled_x, polled_y = await x.round(), await y.round()
        assert sorted(polled_x + polled_y) == list(OPS)
        assert (polled_x, polled_y) == (["a", "b"], ["c", "d"])
    assert x.leadership.epochs() == {"a": 1, "b": 1}
    assert y.leadership.epochs() == {"c": 2, "d": 2}


async def test_a_dead_replicas_operations_are_taken_over_with_their_state_restored(
    table: LeaseTable,
) -> None:
    _, y = await settled_pair(table)
    assert y.restored == ["c", "d"]
    for _ in range(3):  # x dies: it stops renewing; y renews every 11 s
        table.now += timedelta(seconds=11)
        await y.leadership.renew()

    assert await y.round() == list(OPS)
    assert y.restored == ["c", "d", "a", "b"]
    assert y.leadership.epochs() == {"a": 2, "b": 2, "c": 2, "d": 2}
    assert [c.operation for c in y.changes if c.lease is not None][-2:] == ["a", "b"]


async def test_a_lease_that_stopped_being_renewed_for_a_ttl_is_taken_by_anyone(
    table: LeaseTable,
) -> None:
    _, y = await settled_pair(table)
    table.expire("x")  # x's heartbeat is still counted nowhere, its rows long expired
    table.seen["x"] = table.now  # ... but say its heartbeat lives on (a stuck replica)

    assert await y.round() == list(OPS)


async def test_renewal_between_polls_keeps_the_lease(table: LeaseTable) -> None:
    x, y = Replica(table, "x", ("a",)), Replica(table, "y", ("a",))
    assert await x.round() == ["a"]
    for _ in range(10):  # five minutes between polls, renewed every 10 s
        table.now += timedelta(seconds=10)
        await x.leadership.renew()
        assert await y.round() == []
    assert x.leadership.epochs() == {"a": 1}


async def test_a_new_holder_waits_60s_after_a_request_that_may_still_be_in_flight(
    table: LeaseTable, caplog: pytest.LogCaptureFixture
) -> None:
    x, y = Replica(table, "x", ("a",)), Replica(table, "y", ("a",))
    await x.round()
    assert await x.leadership.before_request("a") is None  # x sends, and dies
    table.now += TTL + timedelta(seconds=1)
    refusals: list[str | None] = []

    async def wait(seconds: float) -> None:
        refusals.append(await y.leadership.before_request("a"))  # not even a context request
        table.now += timedelta(seconds=seconds)

    y.waiting = wait
    with caplog.at_level(logging.INFO, logger="callbot.leadership"):
        assert await y.round() == ["a"]
    assert "event=poll_waits operation=a lease=a reason=wolkvox_gap wait_s=29" in caplog.text
    assert table.now == T0 + timedelta(seconds=60)  # polled when Wolkvox's 60 s were over
    [refusal] = refusals
    assert refusal is not None and "may still have a request in flight" in refusal
    assert await y.leadership.before_request("a") is None


async def test_no_wait_after_a_request_known_to_have_finished(table: LeaseTable) -> None:
    x, y = Replica(table, "x", ("a",)), Replica(table, "y", ("a",))
    await x.round()
    assert await x.leadership.before_request("a") is None
    await x.leadership.after_request("a")
    assert x.leases.marks == [("a", False), ("a", True)]
    table.now += TTL + timedelta(seconds=1)

    assert await y.round() == ["a"]


async def test_only_the_holder_may_send_a_request(table: LeaseTable) -> None:
    x, y = Replica(table, "x", ("a",)), Replica(table, "y", ("a",))
    await x.round()
    await y.round()
    refusal = await y.leadership.before_request("a")
    assert refusal is not None and "does not hold the lease of operation a" in refusal
    assert y.leases.marks == []


async def test_a_fenced_commit_drops_the_operation(table: LeaseTable) -> None:
    x = Replica(table, "x", ("a",))
    await x.round()
    x.outcome = LEASE_LOST  # the store refused the cycle: another replica took over

    await x.round()
    assert x.leadership.held == {}
    assert x.changes[-1] == LeaseChange("a", None, "commit_fenced")


async def test_a_request_under_a_lease_taken_over_is_not_sent(table: LeaseTable) -> None:
    x, y = Replica(table, "x", ("a",)), Replica(table, "y", ("a",))
    await x.round()
    table.now += TTL + timedelta(seconds=1)  # x paused past its lease
    await y.round()

    refusal = await x.leadership.before_request("a")
    assert refusal is not None and "took over" in refusal
    assert x.leadership.held == {}


async def test_a_clean_stop_gives_every_lease_to_the_other_replica_at_once(
    table: LeaseTable,
) -> None:
    x, y = await settled_pair(table)
    await x.leadership.release_all()

    assert x.leadership.held == {}
    assert await y.round() == list(OPS)  # no TTL to wait: released, and x left the count


async def test_an_operation_removed_from_the_configuration_is_let_go(table: LeaseTable) -> None:
    x = Replica(table, "x", ("a", "b"))
    await x.round()
    x.operations = ("a",)
    await x.leadership.renew()
    assert sorted(x.leadership.held) == ["a"]
    assert table.rows["b"].expires_at <= table.now


SHARED = {"a": "a", "b": "a", "c": "c", "d": "c"}
"""a and b share a token (lease a), c and d another (lease c)."""


async def test_operations_sharing_a_token_are_polled_by_one_replica_under_one_lease(
    table: LeaseTable,
) -> None:
    x, y = Replica(table, "x", groups=SHARED), Replica(table, "y", groups=SHARED)
    assert await x.round() == list(OPS)
    assert await y.round() == []
    assert await x.round() == ["a", "b", "c"]  # c's group given back after c, with d
    for _ in range(3):
        polled_x, polled_y = await x.round(), await y.round()
        assert (polled_x, polled_y) == (["a", "b"], ["c", "d"])  # a group each
    assert sorted(table.rows) == ["a", "c"]  # one lease row per token, none per operation
    assert x.leadership.epochs() == {"a": 1, "b": 1}
    assert y.leadership.epochs() == {"c": 2, "d": 2}
    assert y.restored == ["c", "d"]  # the group taken: both its operations restored
    assert [(c.operation, c.reason) for c in y.changes] == [("c", "take"), ("d", "take")]
    assert y.leadership.holds("d") and not y.leadership.holds("a")


async def test_a_request_of_any_operation_of_a_token_is_marked_on_its_one_lease(
    table: LeaseTable,
) -> None:
    groups = {"a": "a", "b": "a"}
    x = Replica(table, "x", ("a", "b"), groups)
    y = Replica(table, "y", ("a", "b"), groups)
    await x.round()
    await y.round()
    assert await x.leadership.before_request("b") is None  # b's request is on a's row
    refusal = await y.leadership.before_request("b")
    assert refusal is not None and "does not hold the lease of operation b" in refusal
    assert x.leases.marks == [("a", False)]
    table.now += TTL + timedelta(seconds=1)  # x dies with b's request maybe in flight

    waits: list[float] = []

    async def wait(seconds: float) -> None:
        waits.append(seconds)
        table.now += timedelta(seconds=seconds)

    y.waiting = wait
    assert await y.round() == ["a", "b"]
    assert waits == [29.0]  # a waits out the 60 s of b's request: one token


async def test_an_operation_joining_a_held_token_group_on_reload_is_restored_first(
    table: LeaseTable,
) -> None:
    x = Replica(table, "x", ("a", "b"))
    await x.round()
    assert sorted(x.leadership.held) == ["a", "b"]
    x.restored.clear()
    x.groups = {"a": "a", "b": "a"}  # b's token is now a's

    assert await x.round() == ["a", "b"]
    assert x.restored == ["b"] and x.changes[-1] == LeaseChange("b", x.leadership.held["a"], "keep")
    await x.leadership.renew()
    assert sorted(x.leadership.held) == ["a"]  # b's own lease let go: no group is named b
    assert x.leadership.epochs() == {"a": 1, "b": 1}


async def test_a_group_is_given_back_only_once_no_cycle_of_it_runs_here(
    table: LeaseTable,
) -> None:
    x, y = Replica(table, "x", groups=SHARED), Replica(table, "y", groups=SHARED)
    await x.round()
    await y.round()  # y joins: x is above its share of one group, c's is its extra
    c_answers = x.answers["c"] = asyncio.Event()
    c_cycle = asyncio.create_task(x.leadership.poll("c"))
    await asyncio.sleep(0)
    await x.leadership.poll("d")  # d's cycle ends first, its move is give_back

    assert "c" in x.leadership.held  # not while c's cycle runs on the token
    c_answers.set()
    await c_cycle
    assert sorted(x.leadership.held) == ["a"]  # given back by the last cycle of the group
    assert await y.round() == ["c", "d"]
