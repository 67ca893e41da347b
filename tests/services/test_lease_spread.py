"""Which leases a replica takes, keeps or gives back (bot.services.lease_spread): a pure
decision over the lease board at one instant of the database's clock, so every case is a
row of a table, the clock a value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services.lease_spread import LeaseMove, Spread, decide, share
from bot.services.ports.leases import LeaseBoard, LeaseRow

NOW = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
OPS = ("a", "b", "c", "d")

LIVE = NOW + timedelta(seconds=20)
"""A lease renewed a moment ago."""
JUST_EXPIRED = NOW - timedelta(seconds=5)
"""Expired, but for less than one TTL (its holder may have just released it)."""
LONG_EXPIRED = NOW - timedelta(seconds=31)
"""Expired for longer than one TTL: its holder stopped renewing."""


def board(replicas: str, **leases: tuple[str, datetime]) -> LeaseBoard:
    return LeaseBoard(
        now=NOW,
        replicas=frozenset(replicas),
        leases={op: LeaseRow(owner, until) for op, (owner, until) in leases.items()},
    )


@pytest.mark.parametrize(
    ("operations", "replicas", "expected"),
    [(4, 1, 4), (4, 2, 2), (5, 2, 3), (3, 2, 2), (1, 3, 1), (0, 2, 0), (200, 3, 67), (4, 0, 4)],
)
def test_a_share_is_the_operations_over_the_replicas_rounded_up(
    operations: int, replicas: int, expected: int
) -> None:
    assert share(operations, replicas) == expected


CASES = [
    # (why, me, board, operation, move)
    ("alone, a new operation is taken", "x", board("x"), "a", LeaseMove.TAKE),
    (
        "alone, a replica holding three of four takes the fourth",
        "x",
        board("x", a=("x", LIVE), b=("x", LIVE), c=("x", LIVE)),
        "d",
        LeaseMove.TAKE,
    ),
    ("a held lease is kept", "x", board("xy", a=("x", LIVE)), "a", LeaseMove.KEEP),
    (
        "two replicas: below its share of 2, x takes a free one",
        "x",
        board("xy", a=("x", LIVE)),
        "b",
        LeaseMove.TAKE,
    ),
    (
        "two replicas: at its share of 2, x leaves a free one to y",
        "x",
        board("xy", a=("x", LIVE), b=("x", LIVE)),
        "c",
        LeaseMove.LEAVE,
    ),
    (
        "at its share, x leaves a lease y just gave back (expired less than a TTL ago)",
        "x",
        board("xy", a=("x", LIVE), b=("x", LIVE), c=("y", JUST_EXPIRED)),
        "c",
        LeaseMove.LEAVE,
    ),
    (
        "a lease expired for longer than one TTL is taken even at the share",
        "x",
        board("xy", a=("x", LIVE), b=("x", LIVE), c=("y", LONG_EXPIRED)),
        "c",
        LeaseMove.TAKE_ORPHAN,
    ),
    (
        "another replica's live lease is left alone",
        "x",
        board("xy", a=("y", LIVE)),
        "a",
        LeaseMove.HELD_ELSEWHERE,
    ),
    (
        "even by a replica holding nothing",
        "x",
        board("xy", a=("y", LIVE), b=("y", LIVE), c=("y", LIVE), d=("y", LIVE)),
        "a",
        LeaseMove.HELD_ELSEWHERE,
    ),
    (
        "a second replica joined: x holding all four gives back the last two by name",
        "x",
        board("xy", a=("x", LIVE), b=("x", LIVE), c=("x", LIVE), d=("x", LIVE)),
        "d",
        LeaseMove.GIVE_BACK,
    ),
    (
        "and keeps the first two",
        "x",
        board("xy", a=("x", LIVE), b=("x", LIVE), c=("x", LIVE), d=("x", LIVE)),
        "b",
        LeaseMove.KEEP,
    ),
    (
        "y died (no heartbeat): x alone again takes y's expired lease below its share of 4",
        "x",
        board("x", a=("x", LIVE), b=("x", LIVE), c=("y", JUST_EXPIRED)),
        "c",
        LeaseMove.TAKE,
    ),
    (
        "x's own lease that expired (a pause) is taken again like any free one",
        "x",
        board("xy", a=("x", JUST_EXPIRED)),
        "a",
        LeaseMove.TAKE,
    ),
    (
        "a replica missing from the heartbeats still counts itself",
        "x",
        board("y", a=("x", LIVE)),
        "b",
        LeaseMove.TAKE,
    ),
]


@pytest.mark.parametrize(
    ("me", "state", "operation", "move"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_what_a_replica_does_with_a_lease(
    me: str, state: LeaseBoard, operation: str, move: LeaseMove
) -> None:
    spread = Spread.of(state, me=me, operations=OPS)
    assert decide(operation, state, spread, ttl=TTL) is move


def simulate(replicas: list[str], operations: tuple[str, ...], rounds: int) -> dict[str, str]:
    """Each replica polls each operation once per round (gate, then give back its extras
    at the end of the cycle), on one shared table and a clock that does not move: who
    holds what after `rounds` rounds."""
    table: dict[str, LeaseRow] = {}
    for _ in range(rounds):
        for me in replicas:
            for op in operations:
                state = LeaseBoard(now=NOW, replicas=frozenset(replicas), leases=dict(table))
                move = decide(op, state, Spread.of(state, me=me, operations=operations), ttl=TTL)
                if move in (LeaseMove.TAKE, LeaseMove.TAKE_ORPHAN):
                    table[op] = LeaseRow(me, LIVE)
                elif move is LeaseMove.GIVE_BACK:
                    table[op] = LeaseRow(me, NOW)
    return {op: row.owner for op, row in table.items() if row.expires_at > NOW}


@pytest.mark.parametrize(
    ("replicas", "operations", "counts"),
    [
        (["x", "y"], OPS, [2, 2]),
        (["x", "y", "z"], tuple("abcdef"), [2, 2, 2]),
        # No replica holds more than its share, ceil(7 / 3) = 3; no replica gives back to
        # reach the floor either: that would have two replicas below their share race for it.
        (["x", "y", "z"], tuple("abcdefg"), [3, 3, 1]),
        (["x"], OPS, [4]),
    ],
)
def test_replicas_starting_together_end_with_their_share_and_every_operation_held(
    replicas: list[str], operations: tuple[str, ...], counts: list[int]
) -> None:
    holders = simulate(replicas, operations, rounds=3)
    assert sorted(holders) == sorted(operations)
    assert [list(holders.values()).count(me) for me in replicas] == counts


GROUPS = {"a": "a", "b": "a", "c": "c", "d": "c", "e": "e"}
"""a and b share a token (lease a), c and d another (lease c), e has its own."""

GROUP_CASES = [
    # (why, me, board, operation, move): the lease of the operation's group decides
    (
        "b's group is held as a: b is kept with it",
        "x",
        board("xy", a=("x", LIVE)),
        "b",
        LeaseMove.KEEP,
    ),
    (
        "b's group is held elsewhere as a, though b has no row of its own",
        "x",
        board("xy", a=("y", LIVE)),
        "b",
        LeaseMove.HELD_ELSEWHERE,
    ),
    (
        "three groups over two replicas: a share of 2 groups, not 3 of 5 operations",
        "x",
        board("xy", a=("x", LIVE), c=("x", LIVE)),
        "e",
        LeaseMove.LEAVE,
    ),
    (
        "below its share of groups, x takes e's",
        "x",
        board("xy", a=("x", LIVE)),
        "e",
        LeaseMove.TAKE,
    ),
    (
        "a stale row of b from before b shared a's token counts for nothing",
        "x",
        board("xy", a=("x", LIVE), b=("x", LIVE)),
        "e",
        LeaseMove.TAKE,
    ),
    (
        "a third replica: x holding two groups gives back the last by key",
        "x",
        board("xyz", a=("x", LIVE), c=("x", LIVE)),
        "d",
        LeaseMove.GIVE_BACK,
    ),
]


@pytest.mark.parametrize(
    ("me", "state", "operation", "move"),
    [case[1:] for case in GROUP_CASES],
    ids=[case[0] for case in GROUP_CASES],
)
def test_what_a_replica_does_with_the_lease_of_an_operations_token_group(
    me: str, state: LeaseBoard, operation: str, move: LeaseMove
) -> None:
    spread = Spread.of(state, me=me, operations=GROUPS, group_of=GROUPS.__getitem__)
    assert decide(GROUPS[operation], state, spread, ttl=TTL) is move


@pytest.mark.parametrize(
    ("groups", "replicas", "share_of_groups", "held"),
    [
        # one token for everything: one lease, whatever the replicas
        ({"a": "a", "b": "a", "c": "a", "d": "a"}, "xy", 1, ("a",)),
        ({"a": "a", "b": "a", "c": "c", "d": "c"}, "xy", 1, ("a", "c")),
        ({"a": "a", "b": "b", "c": "c", "d": "d"}, "xy", 2, ("a", "b", "c")),
        ({"a": "a", "b": "a", "c": "c", "d": "d"}, "x", 3, ("a", "c")),
    ],
)
def test_the_spread_counts_token_groups_not_operations(
    groups: dict[str, str], replicas: str, share_of_groups: int, held: tuple[str, ...]
) -> None:
    state = board(replicas, a=("x", LIVE), b=("x", LIVE), c=("x", LIVE), d=("y", LIVE))
    spread = Spread.of(state, me="x", operations=groups, group_of=groups.__getitem__)
    assert (spread.share, spread.held) == (share_of_groups, held)
