"""The contract every store implementation must pass: memory, SQLite and a real PostgreSQL
server (its own schema per test; tests/postgres_server.py).

The store takes and returns domain objects; how it spells them on disk is its own business.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.domain.alerts import Alert, AlertState
from bot.domain.day_budget import DayBudget
from bot.domain.digests import Digest
from bot.domain.history import ActionRecord, IncidentRecord, RecordKind
from bot.domain.polling import PollState
from bot.domain.silences import Silence
from bot.domain.specs import EvalStatus, Evaluation, Severity
from bot.services.ports.store import (
    ActionCommit,
    BucketKey,
    CycleCommit,
    DocumentError,
    HistoryPage,
    LogDelta,
    MessageRef,
    NewOutboxRow,
    OutboxAction,
    RememberedCall,
    Store,
    StoreClosedError,
    StoredLog,
)

T0 = datetime(2024, 5, 6, 14, 0, tzinfo=UTC)
BOGOTA = timezone(timedelta(hours=-5))


def minute(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def seen(
    n: int, *, tz: timezone = UTC, call_type: str = "inbound", result: str = "answer"
) -> RememberedCall:
    return RememberedCall(at=minute(n).astimezone(tz), call_type=call_type, result=result)


def draft(channel: str, incident: str, *, at: int = 0, action: str = "post") -> NewOutboxRow:
    payload = {"text": f"{incident} {action}", "blocks": [{"type": "section"}], "n": 1.5}
    return NewOutboxRow(
        channel=channel,
        incident_id=incident,
        action=OutboxAction(action),
        payload=payload,
        created_at=minute(at),
    )


def alert(rule: str, op: str = "sales", **changes: Any) -> Alert:
    return replace(Alert.new(rule, op), **changes)


def silence(id: str, ends: int, *, reason: str = "lunch ñ") -> Silence:
    return Silence(id, "trunk", "sales", T0, minute(ends), created_by="U1", reason=reason)


TRUNK_EVALUATION = Evaluation(
    rule="trunk",
    operation="sales",
    status=EvalStatus.CLEAR,
    value=2.5,
    detail="ñ",
    breakdown=(("answer", 1), ("abandon", 2)),
)

Reopen = Callable[[], Store]


@pytest.fixture
async def store(reopen: Reopen) -> AsyncIterator[Store]:
    async with reopen() as opened:
        yield opened


FULL_CYCLE = CycleCommit(
    operation="sales",
    alerts=(
        alert(
            "abandon",
            state=AlertState.FIRING,
            severity=Severity.CRITICAL,
            incident_id="abandon:sales:1",
            fired_at=minute(0),
            acked_by="U1",
        ),
        alert("trunk", last_evaluation=TRUNK_EVALUATION, peak_value=2.5),
    ),
    log=LogDelta(
        buckets={
            BucketKey(minute(0), "inbound", "answer"): 12,
            BucketKey(minute(0), "inbound", "abandon"): 3,
            BucketKey(minute(1).astimezone(BOGOTA), "out_pre", "chanunavail"): 0,
        },
        covered_minutes=frozenset({minute(0), minute(1)}),
        conn_ids={"c-1": seen(0), "c-2": seen(1, tz=BOGOTA, result="abandon")},
    ),
    budget=DayBudget(day=date(2024, 5, 6), used=42, limit=8000),
    poll=PollState(
        last_success_at=minute(1),
        last_error=None,
        consecutive_failures=0,
        last_duration=timedelta(seconds=1, microseconds=250),
    ),
    outbox=(draft("C1", "sales/abandon/1"),),
)


async def test_a_new_store_is_empty(store: Store) -> None:
    state = await store.load(T0)
    assert (state.alerts, state.silences, state.message_refs, state.logs) == ({}, {}, {}, {})
    assert (state.budgets, state.polls) == ({}, {})
    assert await store.outbox_depth() == 0
    assert await store.due_outbox(T0, 10) == []


async def test_everything_a_cycle_stores_is_there_after_a_restart(
    store: Store, reopen: Reopen
) -> None:
    [row_id] = await store.commit_cycle(FULL_CYCLE)
    await store.commit_action(ActionCommit(silences=(silence("s1", 60),)))
    await store.put_message_ref(MessageRef("sales/trunk/0", "C2", "1714999999.000100"))
    await store.close()

    async with reopen() as again:
        state = await again.load(T0)
        due = await again.due_outbox(T0, 10)
        used = await again.budget_used("sales", "2024-05-06")

    assert state.alerts == {("sales", a.rule): a for a in FULL_CYCLE.alerts}
    assert state.logs == {
        "sales": StoredLog(
            buckets=FULL_CYCLE.log.buckets,
            covered_minutes=FULL_CYCLE.log.covered_minutes,
            conn_ids=FULL_CYCLE.log.conn_ids,
        )
    }
    for key in state.logs["sales"].buckets:
        assert key.minute.tzinfo == UTC
    assert state.budgets == {("sales", "2024-05-06"): 42} and used == 42
    assert state.polls == {"sales": FULL_CYCLE.poll}
    assert state.silences == {"s1": silence("s1", 60)}
    assert state.message_refs == {
        "sales/trunk/0": MessageRef("sales/trunk/0", "C2", "1714999999.000100")
    }
    [row] = due
    assert (row.id, row.channel, row.incident_id, row.action) == (
        row_id,
        "C1",
        "sales/abandon/1",
        "post",
    )
    assert row.payload == FULL_CYCLE.outbox[0].payload
    assert (row.created_at, row.not_before, row.attempts, row.last_error) == (T0, T0, 0, None)


async def test_one_operation_loads_alone_with_every_silence_ref_and_digest(store: Store) -> None:
    await store.commit_cycle(FULL_CYCLE)
    lima_alerts = tuple(replace(a, operation="lima") for a in FULL_CYCLE.alerts)
    await store.commit_cycle(
        replace(FULL_CYCLE, operation="lima", alerts=lima_alerts, outbox=(), incidents=())
    )
    await store.commit_action(ActionCommit(silences=(silence("s1", 60),)))
    await store.put_message_ref(MessageRef("sales/trunk/0", "C2", "1714999999.000100"))
    whole = await store.load(T0)

    lima = await store.load(T0, operation="lima")

    assert lima.alerts == {k: a for k, a in whole.alerts.items() if k[0] == "lima"} != {}
    assert lima.logs == {"lima": whole.logs["lima"]}
    assert lima.budgets == {("lima", "2024-05-06"): 42}
    assert lima.polls == {"lima": FULL_CYCLE.poll}
    assert (lima.silences, lima.message_refs, lima.digests) == (
        whole.silences,
        whole.message_refs,
        whole.digests,
    )
    assert (await store.load(T0, operation="nowhere")).alerts == {}

    recent = await store.load(T0, operation="lima", since=minute(1))
    assert recent.logs["lima"] == StoredLog(
        buckets={k: n for k, n in whole.logs["lima"].buckets.items() if k.minute >= minute(1)},
        covered_minutes=frozenset({minute(1)}),
    )
    assert recent.alerts == lima.alerts and recent.polls == lima.polls


async def test_every_field_of_a_stopped_poll_state_is_there_after_a_restart(
    store: Store, reopen: Reopen
) -> None:
    """Why polling stopped, the last error's kind and the last attempt survive every store
    (the restore then lifts the stop on purpose: see tests/services/test_monitor_plan.py)."""
    stopped = PollState(
        last_attempt_at=minute(3),
        last_success_at=minute(1),
        last_error="operation 'sales': the token is wrong or expired",
        last_error_kind="token_rejected",
        consecutive_failures=2,
        last_duration=timedelta(seconds=2),
        last_records=7,
        last_skipped=1,
        possibly_truncated=True,
        stopped="the token was refused; fix it and restart",
    )
    await store.commit_cycle(CycleCommit("sales", poll=stopped))
    await store.close()
    async with reopen() as again:
        state = await again.load(T0)
    assert state.polls == {"sales": stopped}


async def test_a_later_cycle_replaces_what_it_names_and_keeps_the_rest(store: Store) -> None:
    await store.commit_cycle(FULL_CYCLE)
    await store.commit_cycle(
        CycleCommit(
            operation="sales",
            alerts=(alert("abandon", state=AlertState.RESOLVED),),
            log=LogDelta(
                buckets={BucketKey(minute(0), "inbound", "answer"): 13},
                covered_minutes=frozenset({minute(2)}),
                conn_ids={"c-2": seen(2), "c-3": seen(2)},
            ),
            poll=PollState(last_error="timeout", consecutive_failures=1),
        )
    )
    state = await store.load(T0)
    assert state.alerts[("sales", "abandon")] == alert("abandon", state=AlertState.RESOLVED)
    assert state.alerts[("sales", "trunk")] == FULL_CYCLE.alerts[1]
    log = state.logs["sales"]
    assert log.buckets[BucketKey(minute(0), "inbound", "answer")] == 13
    assert log.buckets[BucketKey(minute(0), "inbound", "abandon")] == 3
    assert log.covered_minutes == {minute(0), minute(1), minute(2)}
    assert log.conn_ids == {"c-1": seen(0), "c-2": seen(2), "c-3": seen(2)}
    assert state.polls["sales"] == PollState(last_error="timeout", consecutive_failures=1)
    assert state.budgets == {("sales", "2024-05-06"): 42}


async def test_retention_forgets_old_minutes_and_conn_ids_of_that_operation_only(
    store: Store,
) -> None:
    await store.commit_cycle(FULL_CYCLE)
    await store.commit_cycle(CycleCommit(operation="support", log=FULL_CYCLE.log))
    await store.commit_cycle(
        CycleCommit(
            operation="sales",
            log=LogDelta(
                buckets={BucketKey(minute(2), "inbound", "answer"): 1},
                conn_ids={"c-old": seen(-5)},
                forget_conn_ids_before=minute(1),
                drop_minutes_before=minute(1),
            ),
        )
    )
    logs = (await store.load(T0)).logs
    assert logs["sales"].buckets == {
        BucketKey(minute(1), "out_pre", "chanunavail"): 0,
        BucketKey(minute(2), "inbound", "answer"): 1,
    }
    assert logs["sales"].covered_minutes == {minute(1)}
    assert logs["sales"].conn_ids == {"c-2": seen(1, result="abandon")}
    assert logs["support"] == StoredLog(
        buckets=FULL_CYCLE.log.buckets,
        covered_minutes=FULL_CYCLE.log.covered_minutes,
        conn_ids=FULL_CYCLE.log.conn_ids,
    )


async def test_budget_counters_keep_the_day_and_drop_earlier_days(store: Store) -> None:
    for operation, day, used in [
        ("sales", "2024-05-05", 900),
        ("support", "2024-05-05", 7),
        ("sales", "2024-05-06", 1),
        ("sales", "2024-05-06", 2),
    ]:
        budget = DayBudget(date.fromisoformat(day), used, limit=8000)
        await store.commit_cycle(CycleCommit(operation, budget=budget))
    assert (await store.load(T0)).budgets == {
        ("sales", "2024-05-06"): 2,
        ("support", "2024-05-05"): 7,
    }
    assert await store.budget_used("sales", "2024-05-05") == 0
    assert await store.budget_used("nobody", "2024-05-06") == 0
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        await store.budget_used("sales", "6/5/2024")


def _unencodable_payload() -> CycleCommit:
    row = NewOutboxRow("C1", "x", "post", {"text": "hi", "bad": {1, 2}}, T0)
    return CycleCommit("sales", alerts=(alert("abandon"),), log=FULL_CYCLE.log, outbox=(row,))


@pytest.mark.parametrize(
    ("cycle", "error"),
    [
        (_unencodable_payload(), DocumentError),
        (
            CycleCommit(
                "sales",
                alerts=(alert("a"), alert("b", peak_value=math.nan)),
                poll=PollState(consecutive_failures=5),
            ),
            DocumentError,
        ),
        (
            CycleCommit(
                "sales",
                alerts=(alert("abandon"),),
                outbox=(
                    draft("C1", "ok"),
                    NewOutboxRow("C1", "x", "post", {}, T0, datetime(2024, 1, 1)),
                ),
            ),
            ValueError,
        ),
        (
            CycleCommit(
                "sales",
                log=LogDelta(conn_ids={"c-9": seen(0)}),
                budget=DayBudget(date(2024, 5, 6), -3, limit=8000),
            ),
            ValueError,
        ),
    ],
    ids=["payload-not-json", "nan-in-alert", "naive-not-before", "bad-budget-count"],
)
async def test_a_cycle_that_fails_half_way_stores_nothing(
    store: Store, reopen: Reopen, cycle: CycleCommit, error: type[Exception]
) -> None:
    await store.commit_cycle(FULL_CYCLE)
    before = await store.load(T0)

    with pytest.raises(error):
        await store.commit_cycle(cycle)

    assert await store.load(T0) == before
    assert await store.outbox_depth() == 1
    await store.close()
    async with reopen() as again:
        assert await again.load(T0) == before


async def test_a_button_click_stores_the_alert_and_its_notifications_together(
    store: Store,
) -> None:
    firing = alert("abandon", state=AlertState.FIRING)
    await store.commit_action(ActionCommit(alerts=(firing,)))
    acked = replace(firing, acked_by="U7", acked_at=minute(1))
    ids = await store.commit_action(ActionCommit(alerts=(acked,), outbox=[draft("C1", "i1")]))
    with pytest.raises(DocumentError):
        await store.commit_action(
            ActionCommit(
                alerts=(replace(firing, acked_by="U8"),),
                outbox=[NewOutboxRow("C1", "i1", "update", {"x": object()}, T0)],
            )
        )

    state = await store.load(T0)
    assert state.alerts == {("sales", "abandon"): acked}
    assert [row.id for row in await store.due_outbox(T0, 10)] == ids


async def test_silences_are_replaced_deleted_and_kept_once_ended_until_told(
    store: Store,
) -> None:
    # Issue 12 changes this: an ended silence is no longer deleted at load, so the bot
    # can record its end (and edit the message it muted); the bot then forgets it.
    ending, later = silence("ending-now", 10), silence("later", 30, reason="v2")
    await store.commit_action(ActionCommit(silences=(ending, silence("later", 10))))
    await store.commit_action(ActionCommit(silences=(later, silence("deleted", 30))))
    await store.commit_action(ActionCommit(forget_silences=("deleted", "never-existed")))

    assert (await store.load(minute(9))).silences == {"ending-now": ending, "later": later}
    assert (await store.load(minute(10))).silences == {"ending-now": ending, "later": later}
    await store.commit_action(ActionCommit(forget_silences=("ending-now",)))
    assert (await store.load(minute(10))).silences == {"later": later}


async def test_outbox_is_due_in_order_per_channel_and_a_deferred_row_holds_back_its_channel(
    store: Store,
) -> None:
    a1, a2, b1, a3 = await store.commit_cycle(
        CycleCommit(
            "sales",
            outbox=(
                draft("A", "i1"),
                draft("A", "i1", action="update"),
                draft("B", "i2"),
                draft("A", "i3"),
            ),
        )
    )
    assert [r.id for r in await store.due_outbox(T0, 10)] == [a1, a2, b1, a3]
    assert [r.id for r in await store.due_outbox(T0, 2)] == [a1, a2]

    await store.defer(a1, not_before=minute(5), error="ratelimited")
    assert [r.id for r in await store.due_outbox(minute(4), 10)] == [b1]

    await store.complete(b1, message=MessageRef("i2", "B", "1.1"))
    assert await store.due_outbox(minute(4), 10) == []
    due = await store.due_outbox(minute(5), 10)
    assert [r.id for r in due] == [a1, a2, a3]
    assert (due[0].attempts, due[0].not_before, due[0].last_error) == (1, minute(5), "ratelimited")

    await store.defer(a1, not_before=minute(9), error="500")
    [again] = await store.due_outbox(minute(9), 1)
    assert (again.id, again.attempts, again.last_error) == (a1, 2, "500")


async def test_marking_an_attempt_counts_it_and_keeps_the_row_due_in_its_place(
    store: Store, reopen: Reopen
) -> None:
    post, update, other = await store.commit_cycle(
        CycleCommit(
            "sales",
            outbox=(draft("A", "i1"), draft("A", "i1", action="update"), draft("B", "i2")),
        )
    )
    assert [r.id for r in await store.due_outbox(T0, 10)] == [post, update, other]

    assert await store.mark_attempted(post, error="posting") is True
    assert await store.mark_attempted(post, error="not_in_channel") is True
    await store.close()

    async with reopen() as again:  # a crash mid-send: the attempts are still counted
        due = await again.due_outbox(T0, 10)
        assert [r.id for r in due] == [post, update, other]
        assert (due[0].attempts, due[0].not_before, due[0].last_error) == (
            2,
            T0,
            "not_in_channel",
        )
        await again.complete(post, message=MessageRef("i1", "A", "1.0"))
        assert await again.mark_attempted(post, error="posting") is False  # delivered
        assert await again.mark_attempted(999, error="posting") is False
        assert [r.id for r in await again.due_outbox(T0, 10)] == [update, other]


async def test_the_oldest_waiting_row_is_read_whatever_its_backoff_and_nothing_is_taken(
    store: Store,
) -> None:
    assert await store.oldest_outbox() is None
    first, second = await store.commit_cycle(
        CycleCommit("sales", outbox=(draft("A", "i1"), draft("B", "i2", at=1)))
    )
    await store.defer(first, not_before=minute(60), error="ratelimited")

    oldest = await store.oldest_outbox()
    assert oldest is not None
    assert (oldest.id, oldest.created_at, oldest.last_error) == (first, T0, "ratelimited")
    assert [r.id for r in await store.due_outbox(minute(1), 10)] == [second]
    await store.complete(first, message=None)
    assert [r.id for r in [await store.oldest_outbox()] if r] == [second]


async def test_a_row_scheduled_for_later_holds_back_later_rows_of_its_channel(
    store: Store,
) -> None:
    later = NewOutboxRow("A", "digest", "post", {"text": "d"}, T0, not_before=minute(3))
    first, second, other = await store.commit_cycle(
        CycleCommit("sales", outbox=(later, draft("A", "i1"), draft("B", "i2")))
    )
    assert [r.id for r in await store.due_outbox(minute(2), 10)] == [other]
    assert [r.id for r in await store.due_outbox(minute(3), 10)] == [first, second, other]


async def test_complete_forgets_the_row_and_records_its_message_together(
    store: Store, reopen: Reopen
) -> None:
    first, second = await store.commit_cycle(
        CycleCommit("sales", outbox=(draft("C1", "i1"), draft("C1", "i1", action="thread")))
    )
    await store.complete(first, message=MessageRef("i1", "C1", "171.01"))
    await store.complete(second, message=None)
    await store.complete(999, message=MessageRef("i9", "C9", "9.9"))
    await store.defer(999, not_before=minute(1), error="gone")
    await store.close()

    async with reopen() as again:
        assert await again.outbox_depth() == 0
        assert await again.message_ref("i1") == MessageRef("i1", "C1", "171.01")
        assert await again.message_ref("i9") == MessageRef("i9", "C9", "9.9")
        assert await again.message_ref("unknown") is None
        [new_id] = await again.commit_cycle(CycleCommit("sales", outbox=(draft("C1", "i2"),)))
    assert new_id > second, "outbox ids are never reused"


async def test_message_refs_are_replaced(store: Store) -> None:
    await store.put_message_ref(MessageRef("i1", "C1", "1.0"))
    await store.put_message_ref(MessageRef("i1", "C2", "2.0"))
    assert await store.message_ref("i1") == MessageRef("i1", "C2", "2.0")


async def test_payloads_read_back_are_copies(store: Store) -> None:
    payload: dict[str, Any] = {"text": "firing", "blocks": []}
    await store.commit_cycle(
        CycleCommit("sales", outbox=(NewOutboxRow("C1", "i1", "post", payload, T0),))
    )
    payload["blocks"].append({"type": "divider"})
    [loaded] = await store.due_outbox(T0, 1)
    loaded.payload["text"] = "mutated"
    [again] = await store.due_outbox(T0, 1)
    assert again.payload == {"text": "firing", "blocks": []}


async def test_opening_again_and_again_keeps_the_data(store: Store, reopen: Reopen) -> None:
    await store.commit_cycle(FULL_CYCLE)
    before = await store.load(T0)
    await store.close()
    await store.close()
    for _ in range(2):
        async with reopen() as again:
            await again.open()
            assert await again.load(T0) == before


async def test_concurrent_callers_on_one_loop_all_land(store: Store) -> None:
    cycles = [
        store.commit_cycle(
            CycleCommit(f"op{i}", alerts=(alert("r", f"op{i}"),), outbox=(draft("C", "x"),))
        )
        for i in range(20)
    ]
    refs = [store.put_message_ref(MessageRef(f"i{i}", "C", f"{i}.0")) for i in range(20)]
    results = await asyncio.gather(*cycles, *refs)
    ids = [row_id for result in results[:20] for row_id in result]
    assert len(set(ids)) == 20
    state = await store.load(T0)
    assert len(state.alerts) == 20 and len(state.message_refs) == 20
    assert [r.id for r in await store.due_outbox(T0, 100)] == sorted(ids)


async def test_a_large_log_delta_lands_in_one_commit(store: Store) -> None:
    conn_ids = {f"conn-{i:06d}": seen(i % 60) for i in range(60_000)}
    buckets = {BucketKey(minute(m), "inbound", "answer"): m for m in range(1_440)}
    await store.commit_cycle(CycleCommit("sales", log=LogDelta(buckets=buckets, conn_ids=conn_ids)))
    await store.commit_cycle(CycleCommit("sales", log=LogDelta(forget_conn_ids_before=minute(30))))
    log = (await store.load(T0)).logs["sales"]
    assert len(log.buckets) == 1_440
    assert len(log.conn_ids) == 30_000
    assert min(call.at for call in log.conn_ids.values()) == minute(30)


async def test_a_conn_id_moved_to_an_older_minute_is_forgotten_with_its_latest_entry(
    store: Store,
) -> None:
    """The SQL stores keep conn_ids in groups per (minute, type, result): forgetting the
    group of a call's latest entry must not bring back an earlier entry from a newer one."""
    log = LogDelta(conn_ids={"c-1": seen(5), "c-2": seen(5, result="abandon"), "c-3": seen(5)})
    await store.commit_cycle(CycleCommit("sales", log=log))
    await store.commit_cycle(CycleCommit("sales", log=LogDelta(conn_ids={"c-1": seen(0)})))
    await store.commit_cycle(CycleCommit("sales", log=LogDelta(forget_conn_ids_before=minute(3))))
    remembered = {"c-2": seen(5, result="abandon"), "c-3": seen(5)}
    assert (await store.load(T0)).logs["sales"].conn_ids == remembered
    again = LogDelta(conn_ids={"c-1": seen(6), "c-3": seen(7)}, forget_conn_ids_before=minute(4))
    await store.commit_cycle(CycleCommit("sales", log=again))
    remembered = {"c-1": seen(6), "c-2": seen(5, result="abandon"), "c-3": seen(7)}
    assert (await store.load(T0)).logs["sales"].conn_ids == remembered
    await store.commit_cycle(CycleCommit("sales", log=LogDelta(forget_conn_ids_before=minute(7))))
    assert (await store.load(T0)).logs["sales"].conn_ids == {"c-3": seen(7)}
    await store.commit_cycle(CycleCommit("sales", log=LogDelta(forget_conn_ids_before=minute(8))))
    assert "sales" not in (await store.load(T0)).logs


async def test_remembered_conn_ids_match_a_row_per_conn_id_over_many_cycles(
    store: Store, reopen: Reopen
) -> None:
    """Random cycles (new, moved and repeated conn_ids, forgetting now and then, two
    operations) leave each store remembering what a plain row per conn_id would."""
    rng = random.Random(11)
    expected: dict[str, dict[str, RememberedCall]] = {"sales": {}, "support": {}}
    for cycle in range(60):
        op = rng.choice(("sales", "support"))
        written = {
            f"c-{rng.randrange(80)}": seen(
                rng.randrange(cycle, cycle + 12), result=rng.choice(("answer", "abandon"))
            )
            for _ in range(rng.randrange(0, 25))
        }
        forget = minute(rng.randrange(cycle - 6, cycle + 4)) if rng.random() < 0.6 else None
        delta = LogDelta(conn_ids=written, forget_conn_ids_before=forget)
        await store.commit_cycle(CycleCommit(op, log=delta))
        expected[op].update(written)
        if forget is not None:
            expected[op] = {c: call for c, call in expected[op].items() if call.at >= forget}
        if cycle % 10 == 9:
            async with reopen() as again:
                logs = (await again.load(T0)).logs
            for name, calls in expected.items():
                assert (logs[name].conn_ids if name in logs else {}) == calls, (cycle, name)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.load(datetime(2024, 5, 6)),
        lambda s: s.commit_action(ActionCommit(actions=(action(0, naive=True),))),
        lambda s: s.due_outbox(datetime(2024, 5, 6), 10),
        lambda s: s.commit_cycle(
            CycleCommit("x", log=LogDelta(covered_minutes=frozenset({datetime(2024, 5, 6)})))
        ),
        lambda s: s.due_outbox(T0, 0),
    ],
    ids=["load", "action", "due", "cycle", "limit-0"],
)
async def test_naive_times_and_bad_limits_are_refused(store: Store, call: Any) -> None:
    with pytest.raises(ValueError):
        await call(store)


async def test_a_closed_store_refuses_work(reopen: Reopen) -> None:
    store = reopen()
    with pytest.raises(StoreClosedError):
        await store.load(T0)
    async with store:
        await store.put_message_ref(MessageRef("i1", "C1", "1.0"))
    with pytest.raises(StoreClosedError):
        await store.message_ref("i1")


async def test_digests_are_stored_with_their_cycle_replaced_and_forgotten(
    store: Store, reopen: Reopen
) -> None:
    storm = Digest("digest:C1:20240506T140000", "C1", T0, ("a:sales:1", "b:sales:1"))
    other = Digest("digest:C2:20240506T140000", "C2", T0, ("c:sales:1",), ("<!here>",))
    ids = await store.commit_cycle(
        CycleCommit(
            operation="sales",
            digests={storm.id: storm, other.id: other},
            outbox=[draft("C1", storm.id)],
        )
    )
    assert len(ids) == 1
    grown = storm.joined(["d:support:1"])
    await store.commit_cycle(
        CycleCommit(operation="support", digests={storm.id: grown, other.id: None})
    )
    await store.close()
    async with reopen() as again:
        assert (await again.load(T0)).digests == {storm.id: grown}


async def test_a_cycle_whose_alert_cannot_be_stored_stores_its_digest_neither(
    store: Store,
) -> None:
    before = await store.load(T0)
    storm = Digest("digest:C1:x", "C1", T0, ("a:sales:1",))
    with pytest.raises(DocumentError):
        await store.commit_cycle(
            CycleCommit(
                operation="sales",
                alerts=(alert("abandon", peak_value=math.nan),),
                digests={storm.id: storm},
            )
        )
    assert await store.load(T0) == before


# ---- the record (issue 12): incidents and people's actions --------------------------------


def incident(
    n: int,
    *,
    rule: str = "abandon",
    op: str = "sales",
    start: int = 0,
    end: int | None = None,
    acked_by: str | None = None,
) -> IncidentRecord:
    return IncidentRecord(
        incident_id=f"{rule}:{op}:{n}",
        rule=rule,
        operation=op,
        started_at=minute(start),
        ended_at=None if end is None else minute(end),
        severity=Severity.CRITICAL,
        peak_value=0.25,
        acked_by=acked_by,
        acked_at=None if acked_by is None else minute(start + 1),
    )


def action(
    at: int,
    *,
    kind: str = "silence",
    rule: str = "abandon",
    op: str | None = "sales",
    by: str = "U1",
    naive: bool = False,
) -> ActionRecord:
    when = minute(at).replace(tzinfo=None) if naive else minute(at)
    return ActionRecord(RecordKind(kind), when, by, rule, op, reason="lunch ñ")


async def test_an_action_stores_its_alert_silence_record_and_notes_together(
    store: Store, reopen: Reopen
) -> None:
    commit = ActionCommit(
        alerts=(alert("abandon", state=AlertState.FIRING, silenced=True),),
        silences=(silence("s1", 60),),
        actions=(action(1),),
        incidents=(incident(1, acked_by="U2"),),
        outbox=(draft("C1", "abandon:sales:1", action="thread"),),
    )
    [row_id] = await store.commit_action(commit)
    await store.close()
    async with reopen() as again:
        state = await again.load(minute(2))
        assert state.alerts[("sales", "abandon")] == commit.alerts[0]
        assert state.silences == {"s1": silence("s1", 60)}
        assert [r.id for r in await again.due_outbox(minute(2), 5)] == [row_id]
        page = await again.history(since=minute(0))
        assert page.actions == [action(1)]
        assert page.incidents == [incident(1, acked_by="U2")]


async def test_an_action_that_cannot_be_stored_stores_nothing(store: Store) -> None:
    bad = ActionCommit(
        alerts=(alert("abandon", state=AlertState.FIRING),),
        silences=(silence("s1", 60),),
        actions=(action(1, op=None, naive=True),),
        outbox=(draft("C1", "abandon:sales:1"),),
    )
    with pytest.raises((DocumentError, ValueError)):
        await store.commit_action(bad)
    state = await store.load(minute(2))
    assert (state.alerts, state.silences) == ({}, {})
    assert await store.outbox_depth() == 0
    assert await store.history(since=minute(0)) == HistoryPage([], [])


async def test_history_is_newest_first_and_filtered_by_rule_operation_and_time(
    store: Store,
) -> None:
    await store.commit_cycle(
        CycleCommit(
            operation="sales",
            incidents=(
                incident(1, start=0, end=5),
                incident(2, start=10),
                incident(3, rule="trunk", start=20, end=30),
                incident(4, op="support", start=40, end=50),
            ),
        )
    )
    await store.commit_action(
        ActionCommit(
            actions=(
                action(1),
                action(12, kind="ack"),
                action(25, rule="trunk", op=None),
                action(45, op="support"),
            )
        )
    )
    everything = await store.history(since=minute(0))
    assert [i.incident_id for i in everything.incidents] == [
        "abandon:support:4",
        "trunk:sales:3",
        "abandon:sales:2",
        "abandon:sales:1",
    ]
    assert [a.at for a in everything.actions] == [minute(45), minute(25), minute(12), minute(1)]

    recent = await store.history(since=minute(6))
    assert "abandon:sales:1" not in [i.incident_id for i in recent.incidents], "ended before"
    assert "abandon:sales:2" in [i.incident_id for i in recent.incidents], "still open"

    sales = await store.history(since=minute(0), operation="sales")
    assert [i.operation for i in sales.incidents] == ["sales"] * 3
    assert [a.operation for a in sales.actions] == [None, "sales", "sales"], "all-ops included"
    trunk = await store.history(since=minute(0), rule="trunk")
    assert [i.rule for i in trunk.incidents] == ["trunk"]
    assert [a.rule for a in trunk.actions] == ["trunk"]
    assert len((await store.history(since=minute(0), limit=2)).incidents) == 2


async def test_an_incident_record_is_rewritten_as_it_resolves(store: Store) -> None:
    await store.commit_cycle(CycleCommit(operation="sales", incidents=(incident(1),)))
    await store.commit_cycle(
        CycleCommit(operation="sales", incidents=(incident(1, end=9, acked_by="U3"),))
    )
    [found] = (await store.history(since=minute(0))).incidents
    assert (found.ended_at, found.acked_by) == (minute(9), "U3")


async def test_forgetting_history_keeps_what_is_recent_or_still_open(store: Store) -> None:
    await store.commit_cycle(
        CycleCommit(
            operation="sales",
            incidents=(incident(1, end=5), incident(2, start=1), incident(3, start=2, end=20)),
        )
    )
    await store.commit_action(ActionCommit(actions=(action(4), action(15))))
    await store.forget_history(minute(10))
    page = await store.history(since=minute(0))
    assert sorted(i.incident_id for i in page.incidents) == ["abandon:sales:2", "abandon:sales:3"]
    assert [a.at for a in page.actions] == [minute(15)]


def closing(incident_id: str = "abandon:sales:1", *, at: int = 5) -> ActionCommit:
    """What close_removed commits for a removed rule's posted incident: the alert ended,
    its record, its final edit and thread note, guarded by the alert still firing."""
    ended = alert(
        "abandon", state=AlertState.RESOLVED, incident_id=incident_id, posted=True,
        fired_at=minute(0), resolved_at=minute(at),
    )  # fmt: skip
    return ActionCommit(
        alerts=(ended,),
        incidents=(incident(1, end=at),),
        outbox=(
            draft("C1", incident_id, at=at, action="update"),
            draft("C1", incident_id, at=at, action="thread"),
        ),
        only_if_firing=(("sales", "abandon", incident_id),),
    )


async def test_a_close_guarded_by_the_firing_alert_is_stored_once(
    store: Store, reopen: Reopen
) -> None:
    firing = alert(
        "abandon", state=AlertState.FIRING, incident_id="abandon:sales:1", posted=True,
        fired_at=minute(0),
    )  # fmt: skip
    await store.commit_action(ActionCommit(alerts=(firing,), incidents=(incident(1),)))

    first = await store.commit_action(closing())
    second = await store.commit_action(closing(at=6))

    assert first is not None and len(first) == 2
    assert second is None, "the alert no longer fires: nothing of the second close is stored"
    rows = await store.due_outbox(minute(10), 10)
    assert [(r.id, r.action) for r in rows] == [
        (first[0], OutboxAction.UPDATE),
        (first[1], OutboxAction.THREAD),
    ]
    await store.close()
    async with reopen() as again:
        stored = (await again.load(minute(10))).alerts[("sales", "abandon")]
        assert (stored.state, stored.resolved_at) == (AlertState.RESOLVED, minute(5))
        [record] = (await again.history(since=minute(0))).incidents
        assert record.ended_at == minute(5)
        assert await again.outbox_depth() == 2


@pytest.mark.parametrize(
    "stored",
    [
        None,
        alert("abandon", state=AlertState.FIRING, incident_id="abandon:sales:2", posted=True),
        alert("abandon", state=AlertState.PENDING, incident_id="abandon:sales:1"),
    ],
    ids=["no-alert", "another-incident", "not-firing"],
)
async def test_a_guarded_close_of_an_alert_not_firing_with_its_incident_stores_nothing(
    store: Store, stored: Alert | None
) -> None:
    if stored is not None:
        await store.commit_action(ActionCommit(alerts=(stored,)))
    before = await store.load(minute(10))

    assert await store.commit_action(closing()) is None

    assert await store.load(minute(10)) == before
    assert await store.outbox_depth() == 0
    assert (await store.history(since=minute(0))).incidents == []
