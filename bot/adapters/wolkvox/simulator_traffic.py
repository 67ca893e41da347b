"""Synthetic contact-center traffic for the Wolkvox simulator.

Each token is one operation. Its calls are a pure function of (seed, token,
minute, scenario phase): a minute is generated from its own random stream the
first time a poll covers it and cached, so consecutive polls return the very
same records for the same calls and the 10-minute window really slides.

Traffic model (documented here because tests and the demo rely on it):
- volume: each operation has its own peak rate (4-14 calls a minute), shaped
  by the hour of the operation's local day (HOURLY_SHAPE: night ~3-5 % of the
  peak, peaks 08-12 and 14-18, a dip at lunch), Poisson per minute;
- types: TYPE_MIX (mostly inbound, then out_pre and outbound_ma, a little
  internal, transfer and conference);
- results: inbound mostly answer with 3-5 % abandon; outbound answer / no
  answer / busy / answer machine with ~6 % failed, congestion or chanunavail;
  internal calls, transfers and conferences mostly answer.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from zoneinfo import ZoneInfo

from bot.adapters.wolkvox.simulator_scenarios import Incident, incident_at

Record = dict[str, str]

HOURLY_SHAPE: tuple[float, ...] = (
    # 00    01    02    03    04    05    06    07    08    09    10    11
    0.04, 0.03, 0.03, 0.03, 0.03, 0.05, 0.15, 0.45, 0.85, 1.00, 1.00, 0.95,
    # 12    13    14    15    16    17    18    19    20    21    22    23
    0.70, 0.65, 0.90, 1.00, 0.95, 0.85, 0.55, 0.35, 0.22, 0.14, 0.08, 0.05,
)  # fmt: skip
"""Share of the operation's peak rate at each hour of its local day."""

TYPE_MIX: tuple[tuple[str, float], ...] = (
    ("inbound", 0.56),
    ("out_pre", 0.22),
    ("outbound_ma", 0.11),
    ("internal call", 0.03),
    ("internal call_inb", 0.02),
    ("internal call_que", 0.02),
    ("transfer", 0.03),
    ("conference", 0.01),
)

OUTBOUND_RESULTS: tuple[tuple[str, float], ...] = (
    ("answer", 0.45),
    ("no answer", 0.24),
    ("busy", 0.10),
    ("answer machine", 0.15),
    ("failed", 0.02),
    ("congestion", 0.02),
    ("chanunavail", 0.02),
)

TRUNK_FAILURE_RESULTS: tuple[tuple[str, float], ...] = (
    ("chanunavail", 0.55),
    ("congestion", 0.25),
    ("failed", 0.05),
    ("answer", 0.08),
    ("no answer", 0.05),
    ("busy", 0.02),
)

INTERNAL_RESULTS: tuple[tuple[str, float], ...] = (
    ("answer", 0.90),
    ("no answer", 0.07),
    ("busy", 0.03),
)

SURGE_VOLUME = 1.3
SURGE_ABANDON = (0.27, 0.38)
OUTBOUND = frozenset({"out_pre", "outbound_ma"})


class _Choice:
    """A weighted choice table, cumulated once."""

    __slots__ = ("cum", "values")

    def __init__(self, table: tuple[tuple[str, float], ...]) -> None:
        self.values = [value for value, _ in table]
        self.cum = list(accumulate(weight for _, weight in table))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum)[0]

    def many(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.values, cum_weights=self.cum, k=k)


_TYPES = _Choice(TYPE_MIX)
_OUTBOUND = _Choice(OUTBOUND_RESULTS)
_TRUNK_DOWN = _Choice(TRUNK_FAILURE_RESULTS)
_INTERNAL = _Choice(INTERNAL_RESULTS)


@dataclass(frozen=True, slots=True)
class OperationProfile:
    """The stable character of one operation (one token)."""

    peak_per_minute: float
    abandon_rate: float
    node: str


def stream(*parts: object) -> random.Random:
    """A random stream that depends only on `parts` (stable across runs and platforms)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def profile_for(seed: int, token: str) -> OperationProfile:
    """Derive an operation's profile from the seed and its token."""
    rng = stream(seed, token, "profile")
    return OperationProfile(
        peak_per_minute=rng.uniform(4.0, 14.0),
        abandon_rate=rng.uniform(0.03, 0.05),
        node=f"{rng.randrange(1000, 9999)}.{rng.randrange(1000, 9999)}",
    )


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _telephone(rng: random.Random, call_type: str) -> str:
    if call_type.startswith("internal"):
        return str(rng.randrange(1000, 2000))
    if rng.random() < 0.8:
        return f"3{rng.randrange(10**9):09d}"
    return f"60{rng.randrange(1, 9)}{rng.randrange(10**7):07d}"


def _customer_id(rng: random.Random, call_type: str) -> str:
    if call_type.startswith("internal") or rng.random() < 0.3:
        return ""
    return str(rng.randrange(10**7, 10**10))


class TrafficModel:
    """Per-operation, per-minute call lists with a bounded cache."""

    def __init__(
        self,
        *,
        seed: int,
        timezone: ZoneInfo,
        volume: float = 1.0,
        cache_minutes: int = 4096,
    ) -> None:
        self._seed = seed
        self._tz = timezone
        self._volume = volume
        self._cache_limit = cache_minutes
        self._cache: OrderedDict[tuple[str, int], tuple[tuple[int, Record], ...]] = OrderedDict()
        self._profiles: dict[str, OperationProfile] = {}
        self._scenario = "normal"
        self._anchor_minute = 0
        self._date_memo: dict[int, str] = {}

    def set_script(self, scenario: str, *, anchor: datetime, now: datetime | None = None) -> None:
        """Play `scenario` counted from `anchor`, from the minute of `now` (default: the
        anchor's) on; the minutes before it stay as they were served."""
        self._scenario = scenario
        self._anchor_minute = int(anchor.timestamp()) // 60
        first = int((now or anchor).timestamp()) // 60
        for key in [k for k in self._cache if k[1] >= first]:
            del self._cache[key]

    @property
    def cached_minutes(self) -> int:
        """How many (operation, minute) call lists are held; never above `cache_minutes`."""
        return len(self._cache)

    def incident(self, minute: int) -> Incident | None:
        """The incident scripted for an absolute minute (Unix time // 60)."""
        return incident_at(self._scenario, minute - self._anchor_minute)

    def profile(self, token: str) -> OperationProfile:
        if token not in self._profiles:
            self._profiles[token] = profile_for(self._seed, token)
        return self._profiles[token]

    def local_date(self, ts: int) -> str:
        text = self._date_memo.get(ts)
        if text is None:
            if len(self._date_memo) > 100_000:
                self._date_memo.clear()
            text = datetime.fromtimestamp(ts, self._tz).strftime("%Y-%m-%d %H:%M:%S")
            self._date_memo[ts] = text
        return text

    def window(self, token: str, now: datetime, minutes: int = 10) -> list[Record]:
        """Calls made in the `minutes` before `now` (exclusive start, inclusive end)."""
        now_ts = int(now.timestamp())
        start_ts = now_ts - minutes * 60
        out: list[Record] = []
        for minute in range(start_ts // 60, now_ts // 60 + 1):
            out.extend(
                rec for ts, rec in self.minute_calls(token, minute) if start_ts < ts <= now_ts
            )
        return out

    def minute_calls(self, token: str, minute: int) -> tuple[tuple[int, Record], ...]:
        key = (token, minute)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        calls = self._generate(token, minute)
        self._cache[key] = calls
        while len(self._cache) > self._cache_limit:
            self._cache.popitem(last=False)
        return calls

    def _generate(self, token: str, minute: int) -> tuple[tuple[int, Record], ...]:
        incident = self.incident(minute)
        if incident is Incident.SILENCE:
            return ()
        profile = self.profile(token)
        rng = stream(self._seed, token, minute)
        hour = datetime.fromtimestamp(minute * 60, self._tz).hour
        lam = profile.peak_per_minute * HOURLY_SHAPE[hour] * self._volume
        types = _TYPES.many(rng, _poisson(rng, lam))
        abandon = profile.abandon_rate
        if incident is Incident.ABANDON_SURGE:
            extra = _poisson(rng, lam * TYPE_MIX[0][1] * (SURGE_VOLUME - 1.0))
            types.extend(["inbound"] * extra)
            abandon = rng.uniform(*SURGE_ABANDON)
        outbound = _TRUNK_DOWN if incident is Incident.TRUNK_FAILURE else _OUTBOUND
        seconds = sorted(rng.randrange(60) for _ in types)
        rng.shuffle(types)
        seq = rng.randrange(1000, 8000)
        calls = []
        for i, (second, call_type) in enumerate(zip(seconds, types, strict=True)):
            ts = minute * 60 + second
            if call_type == "inbound":
                result = "abandon" if rng.random() < abandon else "answer"
            elif call_type in OUTBOUND:
                result = outbound.pick(rng)
            else:
                result = _INTERNAL.pick(rng)
            record = {
                "type_interaction": call_type,
                "result": result,
                "date": self.local_date(ts),
                "telephone": _telephone(rng, call_type),
                "customer_id": _customer_id(rng, call_type),
                "conn_id": f"{profile.node}.{rng.randrange(1000, 9999)}.{ts}.{seq + i}",
            }
            calls.append((ts, record))
        return tuple(calls)

    def bulk(self, token: str, now: datetime, count: int) -> list[Record]:
        """`count` calls spread over the 10 minutes before `now`, made quickly.

        Used for the over-limit fault: the records look like normal traffic but
        their number is set by the caller rather than by the hour of the day.
        """
        profile = self.profile(token)
        rng = stream(self._seed, token, "bulk", count)
        now_ts = int(now.timestamp())
        types = _TYPES.many(rng, count)
        outbound = _OUTBOUND.many(rng, count)
        internal = _INTERNAL.many(rng, count)
        abandons = [rng.random() < profile.abandon_rate for _ in range(count)]
        phones = [f"3{n:09d}" for n in rng.choices(range(10**9), k=count)]
        records: list[Record] = []
        for i, call_type in enumerate(types):
            ts = now_ts - 599 + (i * 600) // max(count, 1)
            if call_type == "inbound":
                result = "abandon" if abandons[i] else "answer"
            elif call_type in OUTBOUND:
                result = outbound[i]
            else:
                result = internal[i]
            records.append(
                {
                    "type_interaction": call_type,
                    "result": result,
                    "date": self.local_date(ts),
                    "telephone": phones[i],
                    "customer_id": "",
                    "conn_id": f"{profile.node}.{1000 + i % 9000}.{ts}.{i}",
                }
            )
        return records
