"""A poll's plan as the store's delta (bot/services/log_delta.py).

The conn_ids a poll wrote reach the store as a view over the plan's own `written`
(`RememberedCalls`), not a copy: what the store reads must be exactly what the copy
held, calls without a conn_id of their own left out, one `RememberedCall` per entry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.call_log import CallLog
from bot.domain.calls import CallRecord
from bot.services.log_delta import store_delta
from bot.services.ports.store import RememberedCall

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def _call(conn_id: str, minutes_ago: int, result: str = "answer") -> CallRecord:
    return CallRecord(conn_id, NOW - timedelta(minutes=minutes_ago, seconds=5), "inbound", result)


def _minute(minutes_ago: int) -> datetime:
    at = NOW - timedelta(minutes=minutes_ago, seconds=5)
    return at.replace(second=0, microsecond=0)


CASES = [
    (
        "new calls, two sharing an entry",
        [_call("a", 1), _call("b", 1), _call("c", 2, "abandon")],
        {
            "a": RememberedCall(_minute(1), "inbound", "answer"),
            "b": RememberedCall(_minute(1), "inbound", "answer"),
            "c": RememberedCall(_minute(2), "inbound", "abandon"),
        },
    ),
    (
        "a call without a conn_id is counted but not remembered by the store",
        [_call("a", 1), _call("", 3)],
        {"a": RememberedCall(_minute(1), "inbound", "answer")},
    ),
    ("nothing new", [], {}),
]


@pytest.mark.parametrize(("case", "calls", "stored"), CASES, ids=[c[0] for c in CASES])
def test_the_store_reads_the_calls_the_poll_wrote(
    case: str, calls: list[CallRecord], stored: dict[str, RememberedCall]
) -> None:
    plan = CallLog().plan("op", calls, now=NOW)

    delta = store_delta(plan, NOW, timedelta(days=8))

    assert dict(delta.conn_ids.items()) == stored
    assert list(delta.conn_ids) == list(stored)
    assert len(delta.conn_ids) == len(stored)
    assert delta.conn_ids == stored
    for conn_id, call in stored.items():
        assert delta.conn_ids[conn_id] == call
    assert "" not in delta.conn_ids


def test_calls_of_one_entry_share_one_remembered_call() -> None:
    plan = CallLog().plan("op", [_call(f"c{i}", 1) for i in range(100)], now=NOW)

    calls = {id(call) for _, call in store_delta(plan, NOW, timedelta(days=8)).conn_ids.items()}

    assert len(calls) == 1


def test_the_delta_reads_as_a_count_of_conn_ids_in_logs() -> None:
    plan = CallLog().plan("op", [_call("a", 1), _call("b", 2)], now=NOW)

    assert repr(store_delta(plan, NOW, timedelta(days=8)).conn_ids) == "RememberedCalls(2 conn_ids)"
