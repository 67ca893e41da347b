"""Queues and agents: the tolerant readers, the state kinds, what an alert lists first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.queues import (
    AgentKind,
    AgentStat,
    QueueSnapshot,
    QueueStat,
    agent_kind,
    count_agents,
    explaining_queues,
    read_count,
    read_percent,
    read_seconds,
)

AT = datetime(2026, 1, 19, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("34.64 %", 34.64),
        ("0 %", 0.0),
        ("100.00%", 100.0),
        ("  7.5  % ", 7.5),
        ("34,64 %", 34.64),
        ("12", 12.0),
        (12, 12.0),
        (0.5, 0.5),
        ("", None),
        ("%", None),
        ("n/a", None),
        ("-3 %", None),
        ("101 %", None),
        ("nan", None),
        (None, None),
        (True, None),
        ([], None),
    ],
)
def test_percentages_are_read_in_every_spelling_and_nonsense_is_not_reported(
    raw: object, expected: float | None
) -> None:
    assert read_percent(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 3 ", 3),
        (7, 7),
        ("4.0", 4),
        (4.0, 4),
        ("0", 0),
        ("4.5", None),
        ("-1", None),
        ("", None),
        ("doce", None),
        (None, None),
        (False, None),
        (float("inf"), None),
    ],
)
def test_counts_are_whole_numbers_from_numbers_or_numeric_strings(
    raw: object, expected: int | None
) -> None:
    assert read_count(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00:00:00", 0),
        ("00:05:07", 307),
        ("01:00:01", 3601),
        ("125:03:02", 125 * 3600 + 182),
        ("5:07", 307),
        ("307", 307),
        (307, 307),
        ("12:75:00", None),
        ("ayer", None),
        ("-5", None),
        (None, None),
    ],
)
def test_durations_are_read_as_hh_mm_ss_or_seconds(raw: object, expected: int | None) -> None:
    assert read_seconds(raw) == expected


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        ("READY", AgentKind.READY),
        ("Ready", AgentKind.READY),
        ("Disponible", AgentKind.READY),
        ("TALK", AgentKind.TALKING),
        ("Busy", AgentKind.TALKING),
        ("RING", AgentKind.TALKING),
        ("in-call", AgentKind.TALKING),
        ("ACW", AgentKind.AFTER_CALL),
        ("After Call Work", AgentKind.AFTER_CALL),
        ("wrap_up", AgentKind.AFTER_CALL),
        ("Logged out", AgentKind.LOGGED_OUT),
        ("Not Ready - Break", AgentKind.AUXILIARY),
        ("Almuerzo", AgentKind.AUXILIARY),
        ("Capacitación", AgentKind.AUXILIARY),
        ("", AgentKind.AUXILIARY),
    ],
)
def test_states_fold_to_kinds_and_any_unknown_state_is_a_pause(state: str, kind: AgentKind) -> None:
    assert agent_kind(state) is kind


def _agent(state: str) -> AgentStat:
    return AgentStat(agent_id="1", name="x", state=state, kind=agent_kind(state))


def test_agents_are_counted_by_kind_and_each_pause_state_is_kept_as_spelled() -> None:
    states = ["Ready", "READY", "Talk", "Ring", "ACW", "Almuerzo", "almuerzo ", "Baño", "Logout"]
    counts = count_agents([_agent(s) for s in states])
    assert (counts.ready, counts.talking, counts.after_call, counts.auxiliary) == (2, 2, 1, 3)
    assert counts.logged_in == 8
    assert counts.auxiliary_states == (("Almuerzo", 2), ("Baño", 1))


def _queue(name: str, *, abandoned: int | None = None, waiting: int | None = None,
           pct: float | None = None, level: float | None = None) -> QueueStat:  # fmt: skip
    return QueueStat(
        skill_id=name[:3], name=name, waiting=waiting, abandoned=abandoned,
        abandon_pct=pct, service_level=level,
    )  # fmt: skip


def test_the_queues_that_explain_an_alert_come_first_and_the_rest_are_counted() -> None:
    queues = [
        _queue("Calma", abandoned=0, waiting=0, level=95.0),
        _queue("Ventas", abandoned=9, waiting=14, pct=31.0, level=41.0),
        _queue("Cobros", abandoned=2, waiting=20, pct=8.0),
        _queue("Soporte", abandoned=2, waiting=3, pct=9.0),
        _queue("Sin datos"),
        _queue("Retencion", abandoned=0, waiting=0, level=70.0),
        _queue("Bajas", abandoned=1),
    ]
    shown, more = explaining_queues(queues, limit=5)
    assert [q.name for q in shown] == ["Ventas", "Cobros", "Soporte", "Bajas", "Retencion"]
    assert more == 2


def test_few_queues_are_all_shown_and_a_queue_without_name_shows_its_id() -> None:
    shown, more = explaining_queues([QueueStat(skill_id="7", name="")])
    assert [q.label for q in shown] == ["7"] and more == 0


def test_a_snapshot_says_how_old_it_is_and_never_negative() -> None:
    snapshot = QueueSnapshot(at=AT, queues=())
    assert snapshot.age(AT + timedelta(minutes=3)) == timedelta(minutes=3)
    assert snapshot.age(AT - timedelta(seconds=5)) == timedelta(0)
