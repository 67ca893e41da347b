"""Silences mute one rule (on one operation or all) and end on their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.silences import Silence, SilenceBook, silence_id

T0 = datetime(2026, 11, 24, 14, 32, 5, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def silence(
    rule: str = "abandon-rate",
    operation: str | None = "bogota",
    *,
    start: float = 0,
    minutes: float = 60,
    by: str = "U1",
) -> Silence:
    return Silence.create(
        rule=rule,
        operation=operation,
        starts_at=at(start),
        ends_at=at(start + minutes),
        created_by=by,
        reason="maintenance",
    )


@pytest.mark.parametrize(
    ("minute", "active"),
    [(-1, False), (0, True), (59.9, True), (60, False), (600, False)],
)
def test_a_silence_is_active_from_its_start_until_its_end_and_expires_on_its_own(
    minute: float, active: bool
) -> None:
    assert silence().active(at(minute)) is active


@pytest.mark.parametrize(
    ("operation_scope", "rule", "operation", "matches"),
    [
        ("bogota", "abandon-rate", "bogota", True),
        ("bogota", "abandon-rate", "lima", False),
        ("bogota", "channel-failures", "bogota", False),
        (None, "abandon-rate", "bogota", True),
        (None, "abandon-rate", "lima", True),
        (None, "channel-failures", "lima", False),
    ],
)
def test_operation_scoped_and_all_operations_silences(
    operation_scope: str | None, rule: str, operation: str, matches: bool
) -> None:
    assert silence(operation=operation_scope).matches(rule, operation, at(1)) is matches


def test_an_expired_silence_matches_nothing() -> None:
    assert not silence(operation=None).matches("abandon-rate", "bogota", at(61))


def test_silence_ids_are_deterministic_and_name_the_scope() -> None:
    assert silence_id("abandon-rate", "bogota", T0) == "abandon-rate:bogota:20261124T143205"
    assert silence_id("abandon-rate", None, T0) == "abandon-rate:*:20261124T143205"
    assert silence().id == silence().id


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        (T0, T0),
        (T0, T0 - timedelta(minutes=1)),
        (T0.replace(tzinfo=None), T0 + timedelta(hours=1)),
    ],
)
def test_a_silence_must_end_after_it_starts_in_aware_time(
    starts_at: datetime, ends_at: datetime
) -> None:
    with pytest.raises(ValueError):
        Silence(
            id="x",
            rule="abandon-rate",
            operation=None,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by="U1",
        )


def test_adding_the_same_silence_twice_keeps_one() -> None:
    book = SilenceBook().add(silence()).add(silence(by="U2"))
    assert len(book.silences) == 1
    assert book.silences[0].created_by == "U2"


def test_matching_finds_the_longest_active_silence_for_the_alert() -> None:
    short = silence(minutes=10)
    long = silence(operation=None, start=1, minutes=120)
    other = silence(rule="channel-failures", minutes=500)
    book = SilenceBook().add(short).add(long).add(other)
    assert book.matching("abandon-rate", "bogota", at(5)) == long
    assert book.matching("abandon-rate", "bogota", at(0.5)) == short
    assert book.matching("abandon-rate", "bogota", at(200)) is None
    assert book.matching("flatline", "bogota", at(5)) is None


def test_active_lists_only_the_silences_in_force() -> None:
    now_on = silence(minutes=10)
    later = silence(start=30, minutes=10)
    book = SilenceBook().add(now_on).add(later)
    assert book.active(at(5)) == (now_on,)
    assert book.active(at(35)) == (later,)
    assert book.active(at(45)) == ()


def test_prune_drops_expired_silences_and_keeps_current_and_future_ones() -> None:
    expired = silence(minutes=10)
    current = silence(operation="lima", minutes=60)
    future = silence(start=90, minutes=10)
    book = SilenceBook().add(expired).add(current).add(future)
    assert book.prune(at(20)).silences == (current, future)
    assert book.prune(at(200)).silences == ()


def test_removing_without_operation_lifts_every_silence_of_the_rule() -> None:
    book = (
        SilenceBook()
        .add(silence(operation="bogota"))
        .add(silence(operation=None, start=1))
        .add(silence(rule="channel-failures"))
    )
    after, removed = book.remove("abandon-rate", now=at(5), by="U9")
    assert [s.rule for s in after.silences] == ["channel-failures"]
    assert len(removed) == 2
    assert all(s.ended_by == "U9" and s.ends_at == at(5) for s in removed)
    assert after.matching("abandon-rate", "bogota", at(5)) is None


def test_removing_for_one_operation_lifts_what_mutes_it_and_spares_other_operations() -> None:
    bogota = silence(operation="bogota")
    everywhere = silence(operation=None, start=1)
    lima = silence(operation="lima", start=2)
    book = SilenceBook().add(bogota).add(everywhere).add(lima)
    after, removed = book.remove("abandon-rate", "bogota", now=at(5), by="U9")
    assert {s.id for s in removed} == {bogota.id, everywhere.id}
    assert after.silences == (lima,)
    assert after.matching("abandon-rate", "bogota", at(5)) is None
    assert after.matching("abandon-rate", "lima", at(5)) == lima


def test_removing_ignores_expired_silences_and_reports_nothing_removed() -> None:
    book = SilenceBook().add(silence(minutes=10))
    after, removed = book.remove("abandon-rate", now=at(30), by="U9")
    assert removed == ()
    assert after == book


def test_removing_a_future_silence_keeps_its_times() -> None:
    future = silence(start=60, minutes=10)
    _, removed = SilenceBook().add(future).remove("abandon-rate", now=at(5), by="U9")
    assert removed == (replace(future, ended_by="U9"),)
