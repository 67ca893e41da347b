"""Ingest of one 60,000-record calls_last_10 answer, as ratios to two floors.

The work measured is what the bot does with an answer's bytes: decode, check the envelope,
key the rows by conn_id (`KeyedCalls`: de-duplicated, entries counted, records built only
when read) and count them into the call log's per-minute buckets (`map_calls_response` +
`CallLog.plan` and `apply`), into a fresh log, so every call is new. The floors
are `orjson.loads` of the same bytes and a msgspec typed decode of them (into a plain
`Struct` of the six documented fields, gc=False: the least any typed reading costs). The
three are timed in rotating order, and each figure is the median of the per-round ratios,
so a noisy neighbour slows all of them.
The body is exactly what the simulator serves for the `over_limit` fault; the bot decodes it
into typed rows (bot/adapters/wolkvox/rows_decode.py), the baseline stays orjson's dicts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import msgspec
import orjson

from bench.common import Figure, median, timed
from bot.adapters.wolkvox.response import map_calls_response
from bot.adapters.wolkvox.rows_decode import decode_calls
from bot.adapters.wolkvox.simulator_faults import envelope
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.domain.call_log import CallLog
from bot.services.heap import collector_paused, freeze_start_up_heap

NAME = "ingest"
TARGET_RATIO = 1.5
"""Against orjson.loads."""
TARGET_TYPED_RATIO = 3.0
"""Against a msgspec typed decode."""
ZONE = ZoneInfo("America/Bogota")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


class FloorRow(msgspec.Struct, gc=False):
    conn_id: str | None = None
    date: str | None = None
    type_interaction: str | None = None
    result: str | None = None
    telephone: str | None = None
    customer_id: str | None = None


class FloorEnvelope(msgspec.Struct, gc=False):
    code: int | str | None = None
    error: str | None = None
    msg: str | None = None
    data: list[FloorRow] = []


TYPED_FLOOR = msgspec.json.Decoder(FloorEnvelope)
"""A msgspec typed decode of a calls_last_10 body: the floor the issue names."""


def payload(records: int, *, token: str = "bench-token", now: datetime = NOW) -> bytes:
    """The body of a calls_last_10 answer with `records` calls in the 10 minutes before `now`."""
    rows = TrafficModel(seed=1, timezone=ZONE).bulk(token, now, records)
    return envelope(list(rows)).body


def ingest(body: bytes) -> int:
    """Everything the bot does with one answer's bytes; returns the calls counted.

    The collector waits where the bot makes it wait (the client's decode and mapping, the
    monitor's plan), and not while the plan is applied, as in the bot.
    """
    with collector_paused():
        batch = map_calls_response(200, body, ZONE)
    log = CallLog()
    with collector_paused():
        plan = log.plan("bench", batch.records, now=NOW)
    log.apply(plan)
    return plan.report.new


def run(*, quick: bool = False) -> list[Figure]:
    records = 20_000 if quick else 60_000
    rounds = 5 if quick else 15
    body = payload(records)
    counted = ingest(body)
    freeze_start_up_heap()  # as the bot does once started (Runtime.start)
    if counted != records or len(TYPED_FLOOR.decode(body).data) != records:
        raise RuntimeError(f"the log counted {counted} calls of {records}")
    work = {
        "orjson": lambda: orjson.loads(body),
        "typed": lambda: TYPED_FLOOR.decode(body),
        "bot": lambda: ingest(body),
    }
    order = list(work)
    times: dict[str, list[float]] = {name: [] for name in work}
    for i in range(rounds):
        for name in order[i % 3 :] + order[: i % 3]:
            times[name].append(timed(work[name]))
    vs_orjson = [f / b for f, b in zip(times["bot"], times["orjson"], strict=True)]
    vs_typed = [f / b for f, b in zip(times["bot"], times["typed"], strict=True)]
    path = "typed rows (msgspec)" if decode_calls(body) is not None else "dicts (orjson)"
    bot_ms = median(times["bot"]) * 1e3
    common = (
        f"median of {rounds} rounds, rotating order; {len(body) / 1e6:.1f} MB body decoded "
        f"into {path}; decode+map+log {bot_ms:.0f} ms"
    )
    ratio, typed = median(vs_orjson), median(vs_typed)
    return [
        Figure(
            name=f"ingest of one {records:,}-record answer / msgspec typed decode",
            value=f"{typed:.2f}x",
            target=f"<= {TARGET_TYPED_RATIO:g}x",
            passed=typed <= TARGET_TYPED_RATIO,
            note=(
                f"{common}; floor: msgspec typed decode {median(times['typed']) * 1e3:.0f} ms "
                f"(ratios {min(vs_typed):.2f}-{max(vs_typed):.2f}x)"
            ),
        ),
        Figure(
            name=f"ingest of one {records:,}-record answer / orjson.loads",
            value=f"{ratio:.2f}x",
            target=f"<= {TARGET_RATIO:g}x",
            passed=ratio <= TARGET_RATIO,
            note=(
                f"{common}; floor: orjson.loads {median(times['orjson']) * 1e3:.0f} ms "
                f"(ratios {min(vs_orjson):.2f}-{max(vs_orjson):.2f}x)"
            ),
        ),
    ]
