"""The storm decision and the digest book: pure data, time as an argument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.digests import (
    Digest,
    DigestBook,
    Grouping,
    MentionCandidate,
    StormPolicy,
    assign_mentions,
    digest_id,
    group_new_incidents,
    is_digest_id,
)

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)
YOUNG = Digest("digest:C1:a", "C1", T0, ("a",))


@pytest.mark.parametrize(
    ("threshold", "new", "recent", "joinable", "expected"),
    [
        (5, 5, 0, None, Grouping.INDIVIDUAL),
        (5, 6, 0, None, Grouping.NEW_DIGEST),
        (5, 3, 2, None, Grouping.INDIVIDUAL),
        (5, 3, 3, None, Grouping.NEW_DIGEST),
        (5, 1, 0, YOUNG, Grouping.JOIN),
        (5, 0, 9, None, Grouping.INDIVIDUAL),
        (0, 50, 50, None, Grouping.INDIVIDUAL),
        (None, 50, 50, YOUNG, Grouping.INDIVIDUAL),
        (1, 2, 0, None, Grouping.NEW_DIGEST),
    ],
)
def test_new_incidents_are_grouped_past_the_threshold(
    threshold: int | None, new: int, recent: int, joinable: Digest | None, expected: Grouping
) -> None:
    policy = StormPolicy(threshold=threshold, window=WINDOW)
    grouping = group_new_incidents(policy, new=new, recent_individual=recent, joinable=joinable)
    assert grouping is expected


def test_a_digest_id_is_stable_and_recognisable() -> None:
    bogota = T0.astimezone(ZoneInfo("America/Bogota"))
    assert digest_id("C1", bogota) == digest_id("C1", bogota.astimezone(UTC))
    assert digest_id("C1", T0) == "digest:C1:20261124T150000"
    assert is_digest_id(digest_id("C1", T0)) and not is_digest_id("abandons:bogota:x")


def test_only_a_young_digest_of_the_same_channel_is_joinable() -> None:
    old = Digest("digest:C1:old", "C1", T0 - WINDOW, ("o",))
    other = Digest("digest:C2:new", "C2", T0, ("c",))
    book = DigestBook((old, YOUNG, other))
    assert book.joinable("C1", now=T0 + timedelta(minutes=1), window=WINDOW) == YOUNG
    assert book.joinable("C1", now=T0 + WINDOW, window=WINDOW) is None
    assert book.joinable("C3", now=T0, window=WINDOW) is None


def test_the_book_finds_members_grows_and_forgets() -> None:
    grown = YOUNG.joined(["b", "a", "c"])
    assert grown.members == ("a", "b", "c")
    assert YOUNG.joined(["a"]) is YOUNG
    book = DigestBook().with_digest(YOUNG).with_digest(grown)
    assert book.digests == (grown,)
    assert book.of("c") == grown and book.of("z") is None
    assert book.members() == {"a", "b", "c"}
    assert list(book.without([grown.id])) == []


# --- mentions: each distinct mention once, on its first critical member -----------------

ONCALL, LEAD, HERE = "<!subteam^S0ONCALL>", "<@U0LEAD>", "<!here>"


def m(incident: str, mention: str | None, critical: bool = True) -> MentionCandidate:
    return MentionCandidate(incident, mention, critical)


# (case, candidates in order, already carried, expected {incident: mentions})
MENTIONS: list[tuple[str, list[MentionCandidate], tuple[str, ...], dict[str, str]]] = [
    ("seven alerts of one rule ping once, on the first",
        [m(f"a{i}", ONCALL) for i in range(7)], (), {"a0": ONCALL}),
    ("the first critical member carries it, not a warning before it",
        [m("w", ONCALL, critical=False), m("c1", ONCALL), m("c2", ONCALL)], (), {"c1": ONCALL}),
    ("two distinct mentions: one each",
        [m("a", ONCALL), m("b", LEAD), m("c", ONCALL), m("d", LEAD)], (),
        {"a": ONCALL, "b": LEAD}),
    ("a mention already carried by the digest does not ping again",
        [m("late", ONCALL), m("later", LEAD)], (ONCALL,), {"later": LEAD}),
    ("several people in one mention count one by one",
        [m("a", f"{ONCALL} {HERE}"), m("b", f"{HERE} {LEAD}")], (),
        {"a": f"{ONCALL} {HERE}", "b": LEAD}),
    ("no mention asked (pinged already, or a warning): nothing",
        [m("a", None), m("b", ONCALL, critical=False)], (), {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("candidates", "already", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in MENTIONS],
)
def test_a_digest_mentions_each_distinct_mention_once(
    candidates: list[MentionCandidate], already: tuple[str, ...], expected: dict[str, str]
) -> None:
    assigned = assign_mentions(candidates, already=already)
    assert assigned == expected
    digest = Digest("digest:C1:x", "C1", T0, ("a",), mentioned=already).with_mentioned(assigned)
    assert assign_mentions(candidates, already=digest.mentioned) == {}
