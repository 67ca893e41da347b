"""Ingest of one 60,000-record calls_last_10 answer, as a ratio to a bare `orjson.loads`.

The work measured is what the bot does with an answer's bytes: decode, check the envelope,
map the rows to CallRecords (de-duplicated by conn_id) and count them into the call log's
per-minute buckets (`map_calls_response` + `CallLog.ingest`), into a fresh log. The baseline
is `orjson.loads` of the same bytes. The two are timed alternately, in alternating order,
and the figure is the median of the per-pair ratios, so a noisy neighbour slows both.
The body is exactly what the simulator serves for the `over_limit` fault; the bot decodes it
into typed rows (bot/adapters/wolkvox/rows_decode.py), the baseline stays orjson's dicts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import orjson

from bench.common import Figure, median, timed
from bot.adapters.wolkvox.response import map_calls_response
from bot.adapters.wolkvox.rows_decode import decode_calls
from bot.adapters.wolkvox.simulator_faults import envelope
from bot.adapters.wolkvox.simulator_traffic import TrafficModel
from bot.domain.window import CallLog

NAME = "ingest"
TARGET_RATIO = 3.0
ZONE = ZoneInfo("America/Bogota")
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def payload(records: int, *, token: str = "bench-token", now: datetime = NOW) -> bytes:
    """The body of a calls_last_10 answer with `records` calls in the 10 minutes before `now`."""
    rows = TrafficModel(seed=1, timezone=ZONE).bulk(token, now, records)
    return envelope(list(rows)).body


def ingest(body: bytes) -> int:
    """Everything the bot does with one answer's bytes; returns the calls counted."""
    batch = map_calls_response(200, body, ZONE)
    return CallLog().ingest("bench", batch.records, now=NOW).new


def run(*, quick: bool = False) -> list[Figure]:
    records = 20_000 if quick else 60_000
    pairs = 5 if quick else 15
    body = payload(records)
    counted = ingest(body)
    if counted != records:
        raise RuntimeError(f"the log counted {counted} calls of {records}")
    ratios, bare, full = [], [], []
    for i in range(pairs):
        if i % 2:
            b = timed(lambda: orjson.loads(body))
            f = timed(lambda: ingest(body))
        else:
            f = timed(lambda: ingest(body))
            b = timed(lambda: orjson.loads(body))
        bare.append(b)
        full.append(f)
        ratios.append(f / b)
    ratio = median(ratios)
    path = "typed rows (msgspec)" if decode_calls(body) is not None else "dicts (orjson)"
    return [
        Figure(
            name=f"ingest of one {records:,}-record answer / orjson.loads",
            value=f"{ratio:.2f}x",
            target=f"<= {TARGET_RATIO:g}x",
            passed=ratio <= TARGET_RATIO,
            note=(
                f"median of {pairs} interleaved pairs; {len(body) / 1e6:.1f} MB body decoded "
                f"into {path}; "
                f"orjson.loads {median(bare) * 1e3:.0f} ms, decode+map+log "
                f"{median(full) * 1e3:.0f} ms (ratios {min(ratios):.2f}-{max(ratios):.2f}x)"
            ),
        )
    ]
